"""Reusable Keras layers."""

from keras_slm.layers.masked_mean_pooling import MaskedMeanPooling
