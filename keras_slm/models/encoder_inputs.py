"""The three BERT inputs every transformer encoder here takes (shared by `transformer_encoder` and `mobilebert_encoder`)."""

import keras

INPUT_NAMES = ("input_word_ids", "input_mask", "input_type_ids")


def encoder_inputs(max_length=None):
    """The three named int32 inputs of every transformer model here, in `INPUT_NAMES` order.

    A list, not a dict: `keras_slm.export.convert` feeds a model its inputs in this order
    (one `[1, seq_len]` tensor each); `model.predict` also takes a dict keyed by name.

    Example:
    >>> [x.name for x in encoder_inputs()]
    ['input_word_ids', 'input_mask', 'input_type_ids']
    """
    return [keras.Input(shape=(max_length,), dtype="int32", name=name) for name in INPUT_NAMES]
