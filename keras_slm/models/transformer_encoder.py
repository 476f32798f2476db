"""Compact BERT-style transformer encoders built from keras-hub layers, with named presets.

The encoder is a functional `keras.Model` with BERT's three int32 inputs and the
sequence of token vectors as output:

    input_word_ids [batch, length]  WordPiece ids, `[PAD]`=0
    input_mask     [batch, length]  1 on real tokens, 0 on padding
    input_type_ids [batch, length]  segment ids (0 for one sentence)
    -> [batch, length, hidden_dim]

Layout (post-norm BERT, so published BERT/MiniLM checkpoints load into it):
token+position embedding (keras-hub `TokenAndPositionEmbedding`) + segment embedding ->
LayerNorm -> dropout -> `num_layers` x keras-hub `TransformerEncoder` (exact GELU).
One encoder serves the classifier, the sentence embedder and masked-LM pretraining.
"""

import keras
import keras_hub

from keras_slm.layers.mobile_bert_block import MobileBertBlock
from keras_slm.models.encoder_inputs import INPUT_NAMES, bert_embeddings, encoder_inputs  # noqa: F401 (re-exported)
from keras_slm.models.mobilebert_encoder import mobilebert_encoder

# name -> (num_layers, hidden_dim, num_heads, intermediate_dim); "block": "mobilebert" -> `mobilebert_encoder`.
PRESETS = {
    "tiny_2x128": dict(num_layers=2, hidden_dim=128, num_heads=2, intermediate_dim=512),
    "small_4x256": dict(num_layers=4, hidden_dim=256, num_heads=4, intermediate_dim=1024),
    "base_6x384": dict(num_layers=6, hidden_dim=384, num_heads=12, intermediate_dim=1536),
    # TinyBERT-4's published shape (Jiao et al., 2020), and a narrower one with the same 12 heads
    # (so every student head has a teacher head to learn from when MiniLM teaches).
    "tinybert_4x312": dict(num_layers=4, hidden_dim=312, num_heads=12, intermediate_dim=1200),
    "tinybert_4x192": dict(num_layers=4, hidden_dim=192, num_heads=12, intermediate_dim=768),
    # MobileBERT-class: a 128-wide residual stream, blocks working at 256 with 2 stacked FFNs.
    "mobilebert_4x128": dict(block="mobilebert", num_layers=4, hidden_dim=128, intra_dim=256, num_heads=4,
                             intermediate_dim=512, num_feedforward=2, norm="layer"),
}


def transformer_encoder(
    vocab_size,
    num_layers=2,
    hidden_dim=128,
    num_heads=2,
    intermediate_dim=512,
    max_length=512,
    type_vocab_size=2,
    dropout=0.1,
    layer_norm_epsilon=1e-12,
    name="encoder",
):
    """A BERT-style encoder: ids, mask, segment ids -> token vectors.

    Args:
        vocab_size: WordPiece vocabulary size.
        num_layers: transformer blocks.
        hidden_dim: token vector size (divisible by `num_heads`).
        num_heads: attention heads.
        intermediate_dim: feed-forward inner size (BERT: 4 x hidden_dim).
        max_length: the longest input (size of the position table).
        type_vocab_size: segment ids (2 as in BERT).
        dropout: dropout rate in embeddings, attention and feed-forward.
        layer_norm_epsilon: LayerNorm epsilon (BERT: 1e-12).
        name: model name.

    Returns:
        `keras.Model` with inputs `input_word_ids`, `input_mask`, `input_type_ids` and
        output `[batch, length, hidden_dim]`.

    Example:
    >>> import numpy as np
    >>> encoder = transformer_encoder(vocab_size=100, num_layers=1, hidden_dim=32, num_heads=2,
    ...                               intermediate_dim=64)
    >>> ids = np.array([[2, 7, 9, 3, 0]], "int32")
    >>> encoder([ids, (ids > 0).astype("int32"), 0 * ids]).shape
    TensorShape([1, 5, 32])
    """
    for arg, value in [("vocab_size", vocab_size), ("num_layers", num_layers), ("hidden_dim", hidden_dim),
                       ("num_heads", num_heads), ("intermediate_dim", intermediate_dim), ("max_length", max_length)]:
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"`{arg}` must be a positive integer, received {value!r}.")
    if hidden_dim % num_heads:
        raise ValueError(f"`hidden_dim` ({hidden_dim}) must be divisible by `num_heads` ({num_heads}).")
    if not 0 <= dropout < 1:
        raise ValueError(f"`dropout` must be in [0, 1), received {dropout}.")
    inputs = encoder_inputs()
    init = keras.initializers.TruncatedNormal(stddev=0.02)
    x = bert_embeddings(inputs, vocab_size, max_length, hidden_dim, type_vocab_size, init)
    x = keras.layers.LayerNormalization(epsilon=layer_norm_epsilon, name="embeddings_layer_norm")(x)
    x = keras.layers.Dropout(dropout, name="embeddings_dropout")(x)
    for i in range(num_layers):
        x = keras_hub.layers.TransformerEncoder(
            intermediate_dim=intermediate_dim, num_heads=num_heads, dropout=dropout,
            activation="gelu", layer_norm_epsilon=layer_norm_epsilon, kernel_initializer=init,
            name=f"transformer_layer_{i}",
        )(x, padding_mask=inputs[1])
    return keras.Model(inputs, x, name=name)


def build_encoder(preset, vocab_size, max_length=512, dropout=0.1, **overrides):
    """An encoder from a preset name (`PRESETS`) or a dict of `transformer_encoder` arguments.

    Example:
    >>> encoder = build_encoder("tiny_2x128", vocab_size=1000, max_length=64)
    >>> encoder.output.shape
    (None, None, 128)
    """
    if isinstance(preset, str):
        if preset not in PRESETS:
            raise ValueError(f"Unknown transformer preset {preset!r}; known: {sorted(PRESETS)}.")
        config = dict(PRESETS[preset])
    else:
        config = dict(preset)
    config.update(overrides)
    if config.pop("block", "transformer") == "mobilebert":
        return mobilebert_encoder(vocab_size, max_length=max_length, dropout=dropout, **config)
    return transformer_encoder(vocab_size, max_length=max_length, dropout=dropout, **config)


def encoder_config(encoder):
    """The architecture of an encoder built here, read back from its layers."""
    layers = [layer for layer in encoder.layers if isinstance(layer, keras_hub.layers.TransformerEncoder)]
    embedding = encoder.get_layer("token_and_position_embedding")
    blocks = encoder_blocks(encoder)
    if blocks and isinstance(blocks[0], MobileBertBlock):
        block = blocks[0]
        return {"block": "mobilebert", "vocab_size": int(embedding.vocabulary_size), "num_layers": len(blocks),
                "hidden_dim": int(encoder.output.shape[-1]), "intra_dim": block.intra_dim, "num_heads": block.num_heads,
                "intermediate_dim": block.intermediate_dim, "num_feedforward": block.num_feedforward,
                "norm": block.norm, "embedding_dim": int(embedding.embedding_dim),
                "max_length": int(embedding.sequence_length)}
    return {
        "vocab_size": int(embedding.vocabulary_size),
        "num_layers": len(layers),
        "hidden_dim": int(embedding.embedding_dim),
        "num_heads": int(layers[0].num_heads),
        "intermediate_dim": int(layers[0].intermediate_dim),
        "max_length": int(embedding.sequence_length),
    }


def encoder_blocks(encoder):
    """The transformer blocks of an encoder built here (`transformer_layer_0`, ...), in order."""
    blocks = []
    while True:
        try:
            blocks.append(encoder.get_layer(f"transformer_layer_{len(blocks)}"))
        except ValueError:
            return blocks


def encoder_internals(encoder):
    """A function on `encoder`'s weights returning its embedding output, every block's output and attention maps.

    Works for `transformer_encoder` (keras-hub `TransformerEncoder` blocks) and `mobilebert_encoder`
    (`MobileBertBlock`): both name the embedding output `embeddings_dropout` and the blocks
    `transformer_layer_<i>`, and both blocks return their attention probabilities on request.
    Layer-wise distillation reads teacher and student through it; the weights are shared, so
    gradients through it train `encoder`. A function, not a functional model: keras-hub's block
    declares one output, so the attention maps exist only when it runs on real tensors.

    Returns:
        `run(inputs, training=False)`: the three BERT inputs (list) -> dict with `"hidden"`:
        `num_layers + 1` tensors `[batch, length, hidden]` (embeddings first) and `"attention"`:
        `num_layers` tensors `[batch, heads, length, length]` (softmax probabilities).

    Example:
    >>> import numpy as np
    >>> encoder = transformer_encoder(vocab_size=50, num_layers=2, hidden_dim=16, num_heads=2, intermediate_dim=32)
    >>> ids = np.array([[2, 7, 3, 0]], "int32")
    >>> out = encoder_internals(encoder)([ids, (ids > 0).astype("int32"), 0 * ids])
    >>> len(out["hidden"]), tuple(out["attention"][0].shape)
    (3, (1, 2, 4, 4))
    """
    embed = keras.Model(encoder.inputs, encoder.get_layer("embeddings_dropout").output, name=f"{encoder.name}_embeddings")
    blocks = encoder_blocks(encoder)

    def run(inputs, training=False):
        x = embed(list(inputs), training=training)
        hidden, attention = [x], []
        for block in blocks:
            x, scores = block(x, padding_mask=inputs[1], training=training, return_attention_scores=True)
            hidden.append(x)
            attention.append(scores)
        return {"hidden": hidden, "attention": attention}

    return run
