"""Keeps TensorFlow's start-up and conversion chatter off stderr (issue 19.12).

TensorFlow and its converter log INFO lines through absl's C++ logger (CUDA probing on a
machine without a GPU, MLIR pass notes, op counts): 20-50 lines on every run that a user reads
as failure. `quiet_tensorflow()` is what the `keras-slm` command and the examples call first.
"""

import os


def quiet_tensorflow():
    """Imports TensorFlow with its C++ start-up chatter (CUDA probing) kept off stderr.

    Sets `TF_CPP_MIN_LOG_LEVEL=2` (unless set) before the import, so later C++ INFO and WARNING
    lines stay quiet too, and absl's Python logger to ERROR. Python-level errors still reach stderr.

    Example:
    >>> from keras_slm.quiet import quiet_tensorflow
    >>> quiet_tensorflow()  # doctest: +SKIP
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            import tensorflow

            tensorflow.config.list_physical_devices()  # CUDA probing logs an error without a GPU
    finally:
        os.dup2(saved, 2)  # Python-level import errors still reach the user
        os.close(saved)
    import absl.logging

    absl.logging.set_verbosity(absl.logging.ERROR)
