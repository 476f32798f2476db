"""MPNet-style encoders (all-mpnet-base-v2's layout): BERT embeddings, one shared relative-position
bias, post-norm blocks.

The same three int32 inputs and output as `transformer_encoder`, so the classifier, the sentence
embedder, export and serving take it unchanged:

    input_word_ids [batch, length]  WordPiece ids, `[PAD]`=0
    input_mask     [batch, length]  1 on real tokens, 0 on padding
    input_type_ids [batch, length]  segment ids (MPNet has no segment embedding: its rows load as zeros)
    -> [batch, length, hidden_dim]
"""

import keras

from keras_slm.layers.mpnet_block import MPNetBlock
from keras_slm.layers.relative_position_bias import RelativePositionBias
from keras_slm.models.encoder_inputs import bert_embeddings, encoder_inputs


def mpnet_encoder(
    vocab_size,
    num_layers=12,
    hidden_dim=768,
    num_heads=12,
    intermediate_dim=3072,
    max_length=512,
    num_buckets=32,
    max_distance=128,
    dropout=0.1,
    layer_norm_epsilon=1e-5,
    name="mpnet_encoder",
):
    """An MPNet encoder: ids, mask, segment ids -> token vectors.

    Args:
        vocab_size: WordPiece vocabulary size.
        num_layers / hidden_dim / num_heads / intermediate_dim: block count and sizes
            (all-mpnet-base-v2: 12 / 768 / 12 / 3072).
        max_length: the longest input (size of the position table).
        num_buckets / max_distance: the relative-position bias (`RelativePositionBias`).
        dropout: dropout rate in embeddings, attention and feed-forward.
        layer_norm_epsilon: LayerNorm epsilon (MPNet: 1e-5).
        name: model name.

    Returns:
        `keras.Model` with inputs `input_word_ids`, `input_mask`, `input_type_ids` and output
        `[batch, length, hidden_dim]`.

    Example:
    >>> import numpy as np
    >>> encoder = mpnet_encoder(vocab_size=100, num_layers=1, hidden_dim=32, num_heads=2,
    ...                         intermediate_dim=64, max_length=16)
    >>> ids = np.array([[1, 7, 9, 2, 0]], "int32")
    >>> encoder([ids, (ids > 0).astype("int32"), 0 * ids]).shape
    TensorShape([1, 5, 32])
    """
    for arg, value in [("vocab_size", vocab_size), ("num_layers", num_layers), ("hidden_dim", hidden_dim),
                       ("num_heads", num_heads), ("intermediate_dim", intermediate_dim), ("max_length", max_length)]:
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"`{arg}` must be a positive integer, received {value!r}.")
    if hidden_dim % num_heads:
        raise ValueError(f"`hidden_dim` ({hidden_dim}) must be divisible by `num_heads` ({num_heads}).")
    inputs = encoder_inputs()
    init = keras.initializers.TruncatedNormal(stddev=0.02)
    x = bert_embeddings(inputs, vocab_size, max_length, hidden_dim, 2, init)
    x = keras.layers.LayerNormalization(epsilon=layer_norm_epsilon, name="embeddings_layer_norm")(x)
    x = keras.layers.Dropout(dropout, name="embeddings_dropout")(x)
    bias = RelativePositionBias(num_heads, num_buckets, max_distance, name="relative_position_bias")(x)
    for i in range(num_layers):
        x = MPNetBlock(num_heads, intermediate_dim, dropout, layer_norm_epsilon, name=f"mpnet_layer_{i}")(
            x, inputs[1], bias)
    return keras.Model(inputs, x, name=name)
