"""Keras -> TFLite: builtin-only conversion, quantization, parity, latency, inspection."""

from keras_slm.export._convert import QUANTIZE_MODES
from keras_slm.export.converter import accuracy_drop, convert, parity
from keras_slm.export.inspection import TFLiteInfo, inspect_tflite, op_histogram
from keras_slm.export.latency import measure_latency
from keras_slm.export.report import ExportReport
from keras_slm.inference.tflite_model import TFLiteModel
from keras_slm.export.unroll import unrolled_copy
from keras_slm.export.metadata import ModelInfo, read_associated_file, read_metadata, write_metadata
from keras_slm.export.golden import read_golden, write_golden, write_tokenizer_golden
from keras_slm.export.android import AndroidExport, mediapipe_scores, package_android
from keras_slm.export.lm import export_lm
from keras_slm.inference.lm_driver import TFLiteLMDriver
from keras_slm.export.trainable import export_trainable_classifier
from keras_slm.export.trainable_lm import export_trainable_lm
from keras_slm.export.ondevice_driver import OnDeviceModel


def __getattr__(name):
    # Legacy alias (ARCHITECTURE.md): `export_android(classifier_dir, ...)` loads a task, so it
    # moved to keras_slm.tasks; export/ never imports a task at load time. .importlinter lists this import.
    if name == "export_android":
        from keras_slm.tasks.android import export_android

        return export_android
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
