"""`BottleneckAdapter`: a small residual down-/up-projection added after a frozen block (Houlsby et al.)."""

import keras


@keras.saving.register_keras_serializable(package="keras_slm")
class BottleneckAdapter(keras.layers.Layer):
    """`x + up(gelu(down(x)))` with `up` initialised to zero, so a new adapter is the identity.

    Fine-tuning trains only the adapters (and the task head) of an otherwise frozen encoder:
    `2 * hidden * bottleneck_dim` weights per adapter.

    Args:
        bottleneck_dim: inner size (e.g. 16-64).
        activation: inner activation (default "gelu").

    Example:
    >>> import numpy as np
    >>> adapter = BottleneckAdapter(8)
    >>> x = np.ones((1, 3, 32), "float32")
    >>> bool(np.allclose(adapter(x), x))  # identity at initialisation
    True
    """

    def __init__(self, bottleneck_dim, activation="gelu", **kwargs):
        super().__init__(**kwargs)
        if not isinstance(bottleneck_dim, int) or bottleneck_dim < 1:
            raise ValueError(f"`bottleneck_dim` must be a positive integer, received {bottleneck_dim!r}.")
        self.bottleneck_dim = bottleneck_dim
        self.activation = activation
        self.supports_masking = True

    def build(self, input_shape):
        hidden = int(input_shape[-1])
        self.down = keras.layers.Dense(self.bottleneck_dim, activation=self.activation, name="down",
                                       kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.02))
        self.up = keras.layers.Dense(hidden, kernel_initializer="zeros", name="up")
        self.down.build(input_shape)
        self.up.build(tuple(input_shape[:-1]) + (self.bottleneck_dim,))

    def call(self, x):
        return x + self.up(self.down(x))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(bottleneck_dim=self.bottleneck_dim, activation=self.activation)
        return config
