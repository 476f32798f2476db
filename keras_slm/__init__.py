"""keras-slm: small language models for phones, built with Keras, shipped as TFLite.

`import keras_slm` registers the Keras classes the library saves (CRF, TagArgmax, TextToIds, ...)
with `keras.saving`, so `keras.saving.load_model("tagger.keras")` works after it. The registration
waits for Keras itself: `import keras_slm` stays light (the `keras-slm` command answers `--help` and
`--version` without TensorFlow), and the classes are registered the moment Keras has been imported.
"""

import importlib
import importlib.abc
import importlib.util
import sys

__version__ = "0.1.0"

# Modules whose import registers Keras classes (@keras.saving.register_keras_serializable): the layers
# of saved models need only Keras; the training-time ones (learning-rate schedule, distiller) import
# TensorFlow-level code, so they are registered only once TensorFlow has finished importing.
KERAS_MODULES = ("keras_slm.layers", "keras_slm.text.text_to_ids")
TRAINING_KERAS_MODULES = ("keras_slm.callbacks.lr_schedule", "keras_slm.training.distillation")


def _initializing(name):
    module = sys.modules.get(name)
    return module is not None and bool(getattr(getattr(module, "__spec__", None), "_initializing", False))


def register_keras_objects(_tensorflow_loaded=False):
    """Imports the modules whose Keras classes `keras.saving.load_model` needs, registering them."""
    for name in KERAS_MODULES:
        importlib.import_module(name)
    if _tensorflow_loaded or not _initializing("tensorflow"):
        for name in TRAINING_KERAS_MODULES:
            importlib.import_module(name)


class _RegisterAfterKeras(importlib.abc.MetaPathFinder):
    """Calls `register_keras_objects` once `keras` (and TensorFlow, which imports it midway) have loaded.

    Watches the imports of `keras` and `tensorflow`: whichever of the two finishes last, with the
    other not half-imported, triggers the registration. A failure there never breaks the import.
    """

    WATCHED = ("keras", "tensorflow")

    def __init__(self):
        self.seen = set()

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.WATCHED or fullname in self.seen:
            return None
        self.seen.add(fullname)
        spec = importlib.util.find_spec(fullname)  # the next finders (this one skips `fullname` now)
        if spec is None or not hasattr(spec.loader, "exec_module"):
            return spec
        exec_module = spec.loader.exec_module

        def exec_then_register(module):
            exec_module(module)
            others = [name for name in self.WATCHED if name != fullname]
            if "keras" in sys.modules and not any(_initializing(name) for name in others):
                if self in sys.meta_path:
                    sys.meta_path.remove(self)
                try:
                    register_keras_objects(_tensorflow_loaded=True)
                except Exception:  # noqa: BLE001 (never break the user's import; load_model then says what is missing)
                    pass

        spec.loader.exec_module = exec_then_register
        return spec


if "keras" in sys.modules and not _initializing("keras") and not _initializing("tensorflow"):
    register_keras_objects()
elif not any(isinstance(finder, _RegisterAfterKeras) for finder in sys.meta_path):
    sys.meta_path.insert(0, _RegisterAfterKeras())
