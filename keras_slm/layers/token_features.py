"""`SplitTokenFeatures`: one packed int32 input -> word ids and per-word character ids."""

import keras


@keras.saving.register_keras_serializable(package="keras_slm")
class SplitTokenFeatures(keras.layers.Layer):
    """Splits `[batch, length, 1 + max_chars]` ids into word ids and character ids.

    Column 0 holds the word id, columns 1.. the ids of the word's characters. A tagger with
    character features thus has ONE input tensor, so an app (and the TFLite file, which
    does not keep Keras' input order) feeds a single `[1, length, 1 + max_chars]` array.

    Example:
    >>> import numpy as np
    >>> words, chars = SplitTokenFeatures()(np.array([[[5, 1, 2, 0]]], "int32"))
    >>> words.numpy().tolist(), chars.numpy().tolist()
    ([[5]], [[[1, 2, 0]]])
    """

    def call(self, features):
        return features[:, :, 0], features[:, :, 1:]

    def compute_output_spec(self, features):
        shape = tuple(features.shape)
        chars = None if shape[2] is None else shape[2] - 1
        return (
            keras.KerasTensor(shape[:2], dtype=features.dtype),
            keras.KerasTensor(shape[:2] + (chars,), dtype=features.dtype),
        )
