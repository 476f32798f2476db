"""The three BERT inputs and the BERT embedding sum every transformer encoder here starts with (shared by
`transformer_encoder` and `mobilebert_encoder`)."""

import keras
import keras_hub

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


def bert_embeddings(inputs, vocab_size, max_length, embedding_dim, type_vocab_size, initializer):
    """Token + position embedding plus segment embedding of `encoder_inputs()`, before any norm.

    The layer names (`token_and_position_embedding`, `segment_embedding`, `embeddings_add`) are the
    ones checkpoint loaders and layer-wise distillation look up.
    """
    tokens = keras_hub.layers.TokenAndPositionEmbedding(
        vocabulary_size=vocab_size, sequence_length=max_length, embedding_dim=embedding_dim,
        embeddings_initializer=initializer, name="token_and_position_embedding",
    )(inputs[0])
    segments = keras.layers.Embedding(
        type_vocab_size, embedding_dim, embeddings_initializer=initializer, name="segment_embedding"
    )(inputs[2])
    return keras.layers.Add(name="embeddings_add")([tokens, segments])
