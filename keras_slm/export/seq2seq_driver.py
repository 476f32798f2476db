"""The translation file driver moved to `keras_slm.inference.seq2seq_driver` (TensorFlow-free); this path keeps working."""

from keras_slm.inference.seq2seq_driver import DECODE, ENCODE, time_per_token, tflite_seq2seq_driver  # noqa: F401
