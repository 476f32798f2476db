"""`TagArgmax`: per-token best tag of a softmax tagger, as int32 ids."""

import keras
from keras import ops

from keras_slm.layers.crf import argmax_int32


@keras.saving.register_keras_serializable(package="keras_slm")
class TagArgmax(keras.layers.Layer):
    """Decodes `[batch, length, num_tags]` scores to `[batch, length]` int32 tag ids (0 on padding).

    The softmax counterpart of `CRF`'s decoding: each token takes its highest-scoring tag,
    so an exported tagger returns tag ids either way (TFLite ARG_MAX, builtin).

    Example:
    >>> import numpy as np
    >>> TagArgmax()(np.array([[[0.1, 0.9], [0.8, 0.2]]], "float32")).numpy().tolist()
    [[1, 0]]
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, scores, mask=None):
        tags = argmax_int32(scores, axis=-1)
        if mask is not None:
            tags = tags * ops.cast(mask, "int32")
        return tags

    def compute_output_spec(self, scores, mask=None):
        return keras.KerasTensor(tuple(scores.shape[:2]), dtype="int32")

    def compute_mask(self, scores, mask=None):
        return mask
