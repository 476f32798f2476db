"""`TFLiteModel` moved to `keras_slm.inference.tflite_model` (TensorFlow-free); this path keeps working."""

from keras_slm.inference.tflite_model import BERT_INPUT_ORDER, TFLiteModel, _ordered_inputs  # noqa: F401
