"""`RelativePositionBias`: MPNet's (and T5's) learnt attention bias per bucket of relative distance."""

import math

import keras


@keras.saving.register_keras_serializable(package="keras_slm")
class RelativePositionBias(keras.layers.Layer):
    """The additive attention bias `[1, heads, length, length]` for a sequence of token vectors.

    Each (query, key) pair's distance `key - query` falls in one of `num_buckets` buckets: exact
    for short distances, logarithmic up to `max_distance`, half the buckets for each direction
    (MPNet's `relative_position_bucket`, after T5); every bucket has one learnt scalar per head.
    MPNet computes the bias once and adds it to the attention scores of every layer. Only the
    sequence length of the input is used, so the bias folds to a constant in a fixed-length
    TFLite file.

    Args:
        num_heads: attention heads (one bias value per head and bucket).
        num_buckets: distance buckets (MPNet: 32).
        max_distance: distances beyond this share the last bucket of their direction (MPNet: 128).
        **kwargs: standard layer arguments.

    Example:
    >>> import numpy as np
    >>> bias = RelativePositionBias(num_heads=2)(np.zeros((1, 5, 8), "float32"))
    >>> tuple(bias.shape)
    (1, 2, 5, 5)
    """

    def __init__(self, num_heads, num_buckets=32, max_distance=128, **kwargs):
        super().__init__(**kwargs)
        if num_buckets < 4 or num_buckets % 2:
            raise ValueError(f"`num_buckets` must be an even number >= 4, received {num_buckets}.")
        self.num_heads, self.num_buckets, self.max_distance = num_heads, num_buckets, max_distance

    def build(self, input_shape):
        self.embeddings = self.add_weight(
            name="embeddings", shape=(self.num_buckets, self.num_heads),
            initializer=keras.initializers.TruncatedNormal(stddev=0.02),
        )

    def buckets(self, length):
        """int32 `[length, length]` bucket of each (query, key) pair (MPNet's float32 arithmetic)."""
        ops = keras.ops
        positions = ops.arange(length, dtype="int32")
        n = positions[:, None] - positions[None, :]  # query - key
        half = self.num_buckets // 2
        exact = half // 2
        direction = ops.cast(n < 0, "int32") * half
        n = ops.abs(n)
        far = ops.cast(ops.maximum(n, 1), "float32") / exact
        far = exact + ops.cast(ops.log(far) / math.log(self.max_distance / exact) * (half - exact), "int32")
        far = ops.minimum(far, half - 1)
        return direction + ops.where(n < exact, n, far)

    def call(self, inputs):
        length = keras.ops.shape(inputs)[1]
        bias = keras.ops.take(self.embeddings, self.buckets(length), axis=0)  # [length, length, heads]
        return keras.ops.expand_dims(keras.ops.transpose(bias, (2, 0, 1)), 0)

    def compute_output_shape(self, input_shape):
        return (1, self.num_heads, input_shape[1], input_shape[1])

    def get_config(self):
        config = super().get_config()
        config.update(num_heads=self.num_heads, num_buckets=self.num_buckets, max_distance=self.max_distance)
        return config
