"""`MaskedMeanPooling`: the average of token vectors over the real (unpadded) tokens."""

import keras


@keras.saving.register_keras_serializable(package="keras_slm")
class MaskedMeanPooling(keras.layers.Layer):
    """Averages `[batch, length, dim]` vectors over the positions where `mask` is 1.

    The sentence-transformers pooling: padding does not dilute the average, so a text
    gets the same vector at any padded length. Converts to builtin TFLite ops.

    Args:
        **kwargs: standard layer arguments (`name`, `dtype`).

    Example:
    >>> import numpy as np
    >>> x = np.array([[[1.0, 2.0], [3.0, 4.0], [9.0, 9.0]]], "float32")
    >>> mask = np.array([[1, 1, 0]], "int32")
    >>> MaskedMeanPooling()([x, mask]).numpy().tolist()
    [[2.0, 3.0]]
    """

    def call(self, inputs):
        sequence, mask = inputs
        weights = keras.ops.expand_dims(keras.ops.cast(mask, sequence.dtype), axis=-1)
        total = keras.ops.sum(sequence * weights, axis=1)
        count = keras.ops.maximum(keras.ops.sum(weights, axis=1), 1e-9)
        return total / count

    def compute_output_shape(self, input_shape):
        sequence_shape = input_shape[0]
        return (sequence_shape[0], sequence_shape[-1])
