"""The decoding loops moved to `keras_slm.inference.generation` (NumPy only, no Keras); this path keeps working."""

from keras_slm.inference.generation import *  # noqa: F401,F403
from keras_slm.inference.generation import STRATEGIES, _log_softmax, _mask  # noqa: F401
