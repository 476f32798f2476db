"""`TFLiteLMDriver` moved to `keras_slm.inference.lm_driver` (TensorFlow-free); this path keeps working."""

from keras_slm.inference.lm_driver import SIGNATURE, TFLiteLMDriver  # noqa: F401
