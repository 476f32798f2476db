"""Encoder-decoder decoding moved to `keras_slm.inference.seq2seq_decoding` (NumPy only at import); this path keeps working."""

from keras_slm.inference.seq2seq_decoding import *  # noqa: F401,F403
from keras_slm.inference.seq2seq_decoding import _BLOCKED  # noqa: F401
