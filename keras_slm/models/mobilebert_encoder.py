"""A MobileBERT-class encoder: a narrow residual stream, bottleneck blocks with stacked feed-forward networks.

Same inputs and output as `transformer_encoder` (ids, mask, segment ids -> token vectors), so the
transformer classifier, export and layer-wise distillation take it unchanged:

token+position embedding (`embedding_dim`) + segment embedding -> [Dense to `hidden_dim`] -> norm
-> dropout -> `num_layers` x `MobileBertBlock` (project to `intra_dim`, attention, `num_feedforward`
feed-forward networks, project back to `hidden_dim`).

No pretrained weights exist for it here: train it by layer-wise distillation from MiniLM
(`keras-slm distill --layerwise --student mobilebert_4x128`), whose hidden-state projection
bridges the widths.
"""

import keras

from keras_slm.layers.mobile_bert_block import NORMS, MobileBertBlock, _norm
from keras_slm.models.encoder_inputs import bert_embeddings, encoder_inputs


def mobilebert_encoder(
    vocab_size,
    num_layers=4,
    hidden_dim=128,
    intra_dim=256,
    num_heads=4,
    intermediate_dim=512,
    num_feedforward=2,
    embedding_dim=None,
    norm="layer",
    activation="relu",
    max_length=512,
    type_vocab_size=2,
    dropout=0.1,
    layer_norm_epsilon=1e-12,
    name="mobilebert_encoder",
):
    """A MobileBERT-class encoder: ids, mask, segment ids -> `[batch, length, hidden_dim]`.

    Args:
        vocab_size: WordPiece vocabulary size.
        num_layers: `MobileBertBlock`s.
        hidden_dim: inter-block width (the residual stream between blocks, the output width).
        intra_dim: intra-block width (attention and feed-forward networks run at it).
        num_heads: attention heads (divide `intra_dim`).
        intermediate_dim: inner size of each feed-forward network.
        num_feedforward: stacked feed-forward networks per block.
        embedding_dim: token embedding size (default `hidden_dim`); when smaller, a Dense layer
            projects the embeddings to `hidden_dim` (MobileBERT: 128 -> 512).
        norm: "layer" or "nonorm" (`NoNorm`, MobileBERT's element-wise affine).
        activation: feed-forward activation ("relu" as in MobileBERT).
        max_length / type_vocab_size / dropout / layer_norm_epsilon: as in `transformer_encoder`.
        name: model name.

    Example:
    >>> import numpy as np
    >>> encoder = mobilebert_encoder(vocab_size=100, num_layers=1, hidden_dim=16, intra_dim=32, num_heads=2,
    ...                              intermediate_dim=32)
    >>> ids = np.array([[2, 7, 9, 3, 0]], "int32")
    >>> encoder([ids, (ids > 0).astype("int32"), 0 * ids]).shape
    TensorShape([1, 5, 16])
    """
    embedding_dim = embedding_dim or hidden_dim
    for arg, value in [("vocab_size", vocab_size), ("num_layers", num_layers), ("hidden_dim", hidden_dim),
                       ("embedding_dim", embedding_dim), ("max_length", max_length)]:
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"`{arg}` must be a positive integer, received {value!r}.")
    if norm not in NORMS:
        raise ValueError(f"`norm` must be one of {NORMS}, received {norm!r}.")
    if not 0 <= dropout < 1:
        raise ValueError(f"`dropout` must be in [0, 1), received {dropout}.")
    inputs = encoder_inputs()
    init = keras.initializers.TruncatedNormal(stddev=0.02)
    x = bert_embeddings(inputs, vocab_size, max_length, embedding_dim, type_vocab_size, init)
    if embedding_dim != hidden_dim:
        x = keras.layers.Dense(hidden_dim, kernel_initializer=init, name="embedding_projection")(x)
    x = _norm(norm, layer_norm_epsilon, "embeddings_layer_norm")(x)
    x = keras.layers.Dropout(dropout, name="embeddings_dropout")(x)
    for i in range(num_layers):
        x = MobileBertBlock(
            intra_dim=intra_dim, num_heads=num_heads, intermediate_dim=intermediate_dim,
            num_feedforward=num_feedforward, norm=norm, activation=activation, dropout=dropout,
            layer_norm_epsilon=layer_norm_epsilon, name=f"transformer_layer_{i}",
        )(x, padding_mask=inputs[1])
    return keras.Model(inputs, x, name=name)
