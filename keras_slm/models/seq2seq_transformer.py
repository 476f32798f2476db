"""Compact transformer encoder-decoder (keras-hub blocks) and its on-device halves.

`transformer_seq2seq` builds the teacher-forced training model
(`[source_ids [B, S], target_ids [B, T]] -> logits [B, T, V]`) from keras-hub's
`TokenAndPositionEmbedding`, `TransformerEncoder` and `TransformerDecoder` (causal
self-attention + cross-attention). `TransformerSeq2SeqSteps` cuts it into `encode`
(once per sentence) and a `decode` step whose state is the target window itself: the
ids generated so far `[1, T]` and the position whose next-token logits are wanted.
"""

import keras
import numpy as np
from keras import ops

PAD_ID = 0

# name -> (layers per side, hidden width, heads, feed-forward width)
PRESETS = {
    "tiny": (2, 128, 4, 512),
    "small": (3, 256, 4, 1024),
}


def transformer_seq2seq(source_vocab_size, target_vocab_size, source_len, target_len, num_layers=2, hidden_dim=128,
                        num_heads=4, intermediate_dim=512, dropout=0.1, preset=None):
    """Transformer encoder-decoder (post-norm keras-hub blocks, learned positions).

    Args:
        source_vocab_size: source ids (0 = padding, masked in attention).
        target_vocab_size: target ids.
        source_len: S, the fixed source length.
        target_len: T, the target window (the longest output the model can write).
        num_layers: encoder blocks and decoder blocks (each).
        hidden_dim: model width.
        num_heads: attention heads.
        intermediate_dim: feed-forward width.
        dropout: dropout rate in the blocks.
        preset: a `PRESETS` name; overrides the four size arguments.

    Example:
    >>> model = transformer_seq2seq(50, 40, 8, 9, num_layers=1, hidden_dim=16, num_heads=2, intermediate_dim=32)
    >>> tuple(model.output.shape)
    (None, 9, 40)
    """
    import keras_hub

    if preset is not None:
        if preset not in PRESETS:
            raise ValueError(f"`preset` must be one of {sorted(PRESETS)}, received `{preset!r}`.")
        num_layers, hidden_dim, num_heads, intermediate_dim = PRESETS[preset]
    for name, value in [("source_vocab_size", source_vocab_size), ("target_vocab_size", target_vocab_size),
                        ("source_len", source_len), ("target_len", target_len), ("num_layers", num_layers),
                        ("hidden_dim", hidden_dim), ("num_heads", num_heads), ("intermediate_dim", intermediate_dim)]:
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"`{name}` must be an integer >= 1, received `{value!r}`.")
    if hidden_dim % num_heads:
        raise ValueError(f"`hidden_dim` ({hidden_dim}) must be divisible by `num_heads` ({num_heads}).")
    source = keras.Input((source_len,), dtype="int32", name="source_ids")
    target = keras.Input((target_len,), dtype="int32", name="target_ids")
    x = keras_hub.layers.TokenAndPositionEmbedding(source_vocab_size, source_len, hidden_dim,
                                                   name="source_embedding")(source)
    mask = ops.not_equal(source, PAD_ID)
    for i in range(num_layers):
        x = keras_hub.layers.TransformerEncoder(intermediate_dim, num_heads, dropout=dropout,
                                                name=f"encoder_{i}")(x, padding_mask=mask)
    y = keras_hub.layers.TokenAndPositionEmbedding(target_vocab_size, target_len, hidden_dim,
                                                   name="target_embedding")(target)
    model_layers = [keras_hub.layers.TransformerDecoder(intermediate_dim, num_heads, dropout=dropout,
                                                        name=f"decoder_{i}") for i in range(num_layers)]
    y = _decode(model_layers, y, x, mask)
    logits = keras.layers.Dense(target_vocab_size, name="logits")(y)
    return keras.Model([source, target], logits, name="transformer_seq2seq")


def _decode(decoders, y, memory, source_mask):
    for layer in decoders:
        y = layer(y, memory, encoder_padding_mask=source_mask, use_causal_mask=True)
    return y


class TransformerSeq2SeqSteps:
    """The on-device halves of a trained `transformer_seq2seq` model (shares its layers).

    `encoder`: `source_ids [1, S]` -> `memory [1, S, d]`.
    `decoder`: `target_ids [1, T]` (the ids so far, `[CLS]` first, 0-padded), `index [1]`,
    `memory`, `source_ids` -> `logits [1, V]` for the token after position `index`.

    Args:
        model: a trained `transformer_seq2seq` model.

    Example:
    >>> steps = TransformerSeq2SeqSteps(transformer_seq2seq(50, 40, 8, 9, 1, 16, 2, 32))
    >>> sorted(steps.decoder_specs())
    ['index', 'memory', 'source_ids', 'target_ids']
    """

    def __init__(self, model):
        self.model = model
        self.source_len = int(model.inputs[0].shape[1])
        self.target_len = int(model.inputs[1].shape[1])
        self.num_layers = len([l for l in model.layers if l.name.startswith("decoder_")])
        self.hidden_dim = int(model.get_layer("logits").kernel.shape[0])
        source = keras.Input((self.source_len,), batch_size=1, dtype="int32", name="source_ids")
        x = model.get_layer("source_embedding")(source)
        mask = ops.not_equal(source, PAD_ID)
        for i in range(self.num_layers):
            x = model.get_layer(f"encoder_{i}")(x, padding_mask=mask)
        self.encoder = keras.Model(source, x, name="seq2seq_encoder")
        self.encoder.output_names = ["memory"]
        self.decoder = _TransformerDecoderStep(model, self.num_layers, name="seq2seq_decoder_step")
        self.decoder.output_names = ["logits"]
        self.decoder([np.zeros(shape, dtype) for shape, dtype in self.decoder_specs().values()])  # builds it

    def decoder_specs(self):
        """Input name -> (shape, dtype) of the decoder step, batch 1."""
        return {"target_ids": ((1, self.target_len), "int32"), "index": ((1,), "int32"),
                "memory": ((1, self.source_len, self.hidden_dim), "float32"),
                "source_ids": ((1, self.source_len), "int32")}


class _TransformerDecoderStep(keras.Model):
    """The decoder over the whole window, logits at one position (inputs in `decoder_specs` order)."""

    def __init__(self, model, num_layers, **kwargs):
        super().__init__(**kwargs)
        self.embedding = model.get_layer("target_embedding")
        self.decoders = [model.get_layer(f"decoder_{i}") for i in range(num_layers)]
        self.head = model.get_layer("logits")

    def call(self, inputs):
        target_ids, index, memory, source_ids = inputs
        y = _decode(self.decoders, self.embedding(target_ids), memory, ops.not_equal(source_ids, PAD_ID))
        hidden = ops.take(y, index, axis=1)  # [1, 1, d]: the position being continued
        return self.head(ops.squeeze(hidden, 1))
