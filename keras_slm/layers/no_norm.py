"""`NoNorm`: MobileBERT's replacement for layer normalisation, an element-wise affine `x * gamma + beta`."""

import keras


@keras.saving.register_keras_serializable(package="keras_slm")
class NoNorm(keras.layers.Layer):
    """`x * gamma + beta` per feature: no mean, no variance (Sun et al., 2020, MobileBERT).

    Without the statistics a layer norm computes per token, the op is one MUL and one ADD:
    cheaper, and there is no per-token RSQRT whose range an int8 file has to cover.
    Initialised to the identity (gamma 1, beta 0).

    Args:
        axis: the feature axis (default -1).

    Example:
    >>> import numpy as np
    >>> NoNorm()(np.array([[1.0, -2.0]], "float32")).numpy().tolist()
    [[1.0, -2.0]]
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def build(self, input_shape):
        dim = int(input_shape[self.axis])
        self.gamma = self.add_weight(name="gamma", shape=(dim,), initializer="ones")
        self.beta = self.add_weight(name="beta", shape=(dim,), initializer="zeros")

    def call(self, inputs):
        return inputs * self.gamma + self.beta

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(axis=self.axis)
        return config
