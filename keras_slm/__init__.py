"""keras-slm: small language models for phones, built with Keras, shipped as TFLite."""

__version__ = "0.1.0"
