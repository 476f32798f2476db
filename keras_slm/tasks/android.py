"""`export_android`: a trained classifier directory -> a folder for an app's `src/main/assets`.

The task half of the Android export: it loads the `TextClassifier` and its calibration texts,
then `keras_slm.export.android.package_android` (which never imports a task) writes the folder.
"""

import os

from keras_slm import files
from keras_slm.errors import ModelDirError
from keras_slm.export.android import package_android
from keras_slm.tasks.text_classifier import TextClassifier


def export_android(classifier_dir, out_folder, *, quantize="none", samples=None, golden=100, info=None,
                   verify_mediapipe=True, latency_runs=50, **export_kwargs):
    """Writes an Android assets folder for a trained text classifier.

    Args:
        classifier_dir: a model directory written by `keras-slm train` / `TextClassifier.save`.
        out_folder: the folder to write (created; files in it are replaced atomically).
        quantize: "none", "dynamic", "float16" or "int8".
        samples: real texts for parity, int8 calibration and golden vectors (default: the
            directory's calibration.txt).
        golden: number of sentences in golden.json.
        info: `ModelInfo` for the metadata and model card (default: from the directory name).
        verify_mediapipe: load the file in MediaPipe Tasks `TextClassifier` and compare its
            scores with Keras on the golden sentences (recorded in the result and model card).
        latency_runs: timed runs for the export report's latency (0: skip timing).
        **export_kwargs: passed to `TextClassifier.export` (e.g. `int8_io`).

    Returns:
        `AndroidExport`.

    Example:
    >>> result = export_android("runs/sst2", "app/src/main/assets/sentiment")  # doctest: +SKIP
    >>> print(result.to_text())  # doctest: +SKIP
    """
    classifier = TextClassifier.load(classifier_dir)
    if samples is None:
        path = os.path.join(classifier_dir, "calibration.txt")
        if not os.path.exists(path):
            raise ModelDirError(f"{classifier_dir}: no calibration.txt; pass samples (CLI: --samples FILE)")
        samples = files.read_text_lines(path, "real texts, one per line")
    name = os.path.basename(os.path.normpath(classifier_dir))
    return package_android(classifier, out_folder, samples=samples, name=name, quantize=quantize, golden=golden,
                           info=info, verify_mediapipe=verify_mediapipe, latency_runs=latency_runs, **export_kwargs)
