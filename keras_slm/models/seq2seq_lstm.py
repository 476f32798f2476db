"""LSTM encoder-decoder with Luong attention: the graph for training and its on-device halves.

`lstm_attention_seq2seq` builds the teacher-forced training model
(`[source_ids [B, S], target_ids [B, T]] -> logits [B, T, V]`). `LSTMSeq2SeqSteps` cuts
the same layers into what a phone runs: `encode` once per sentence, then `decode` once
per generated token with the LSTM state as explicit inputs and outputs.
"""

import keras
import numpy as np
from keras import ops

PAD_ID = 0


def _check(name, value, minimum=1):
    if not isinstance(value, int) or value < minimum:
        raise ValueError(f"`{name}` must be an integer >= {minimum}, received `{value!r}`.")


def lstm_attention_seq2seq(source_vocab_size, target_vocab_size, source_len, target_len, embedding_dim=128,
                           units=256, attention_dim=256, dropout=0.2):
    """Bidirectional LSTM encoder, LSTM decoder, Luong (dot, scaled) attention over the encoder.

    The decoder starts from the encoder's final forward and backward states
    (concatenated: it has `2 * units` units), attends from each of its outputs to the
    encoder outputs (padding masked), and predicts the next token from
    `tanh(W [decoder output; context])` (Luong et al. 2015, no input feeding, so
    training runs the decoder LSTM over the whole target at once).

    Args:
        source_vocab_size: source ids (0 = padding).
        target_vocab_size: target ids (0 = padding).
        source_len: S, the fixed source length of the exported encoder.
        target_len: T, the teacher-forced target length (decoding is not limited by it).
        embedding_dim: embedding width (both sides).
        units: encoder LSTM units per direction.
        attention_dim: width of the attentional layer before the logits.
        dropout: dropout on embeddings and the attentional layer (training only).

    Example:
    >>> model = lstm_attention_seq2seq(50, 40, source_len=8, target_len=9, embedding_dim=8, units=8)
    >>> [tuple(t.shape) for t in model.outputs]
    [(None, 9, 40)]
    """
    for name, value in [("source_vocab_size", source_vocab_size), ("target_vocab_size", target_vocab_size),
                        ("source_len", source_len), ("target_len", target_len), ("embedding_dim", embedding_dim),
                        ("units", units), ("attention_dim", attention_dim)]:
        _check(name, value)
    source = keras.Input((source_len,), dtype="int32", name="source_ids")
    target = keras.Input((target_len,), dtype="int32", name="target_ids")
    x = keras.layers.Embedding(source_vocab_size, embedding_dim, mask_zero=True, name="source_embedding")(source)
    x = keras.layers.Dropout(dropout, name="source_dropout")(x)
    memory, h_f, c_f, h_b, c_b = keras.layers.Bidirectional(
        keras.layers.LSTM(units, return_sequences=True, return_state=True), name="encoder"
    )(x)
    h = keras.layers.Concatenate(name="initial_h")([h_f, h_b])
    c = keras.layers.Concatenate(name="initial_c")([c_f, c_b])
    y = keras.layers.Embedding(target_vocab_size, embedding_dim, name="target_embedding")(target)
    y = keras.layers.Dropout(dropout, name="target_dropout")(y)
    y = keras.layers.LSTM(2 * units, return_sequences=True, name="decoder")(y, initial_state=[h, c])
    logits = _head(y, memory, source, attention_dim, target_vocab_size, dropout)
    return keras.Model([source, target], logits, name="lstm_attention_seq2seq")


def _head(decoder_out, memory, source_ids, attention_dim=None, vocab_size=None, dropout=0.0, layers=None):
    """Attention + attentional layer + logits; `layers` reuses a trained model's layers."""
    if layers is None:
        layers = {
            "attention": keras.layers.Attention(use_scale=True, name="attention"),
            "concat": keras.layers.Concatenate(name="attention_concat"),
            "attentional": keras.layers.Dense(attention_dim, activation="tanh", name="attentional"),
            "dropout": keras.layers.Dropout(dropout, name="attentional_dropout"),
            "logits": keras.layers.Dense(vocab_size, name="logits"),
        }
    source_mask = ops.not_equal(source_ids, PAD_ID)
    context = layers["attention"]([decoder_out, memory], mask=[None, source_mask])
    z = layers["attentional"](layers["concat"]([decoder_out, context]))
    return layers["logits"](layers["dropout"](z))


class LSTMSeq2SeqSteps:
    """The on-device halves of a trained `lstm_attention_seq2seq` model (shares its layers).

    `encoder`: `source_ids [1, S]` -> `memory [1, S, 2u]`, `h [1, 2u]`, `c [1, 2u]`.
    `decoder`: `token [1]`, `h`, `c`, `memory`, `source_ids` -> `logits [1, V]`,
    `h_out`, `c_out` (one LSTM cell step, then attention).

    Args:
        model: a trained `lstm_attention_seq2seq` model.

    Example:
    >>> steps = LSTMSeq2SeqSteps(lstm_attention_seq2seq(50, 40, 8, 9, embedding_dim=8, units=8))
    >>> sorted(steps.decoder_specs())
    ['c', 'h', 'memory', 'source_ids', 'token']
    """

    def __init__(self, model):
        self.model = model
        get = model.get_layer
        self.source_len = int(model.inputs[0].shape[1])
        self.units = 2 * get("encoder").forward_layer.units
        source = keras.Input((self.source_len,), batch_size=1, dtype="int32", name="source_ids")
        x = get("source_embedding")(source)
        memory, h_f, c_f, h_b, c_b = get("encoder")(x)
        h = get("initial_h")([h_f, h_b])
        c = get("initial_c")([c_f, c_b])
        self.encoder = keras.Model(source, [memory, h, c], name="seq2seq_encoder")
        self.encoder.output_names = ["memory", "h", "c"]
        self.decoder = _LSTMDecoderStep(model, name="seq2seq_decoder_step")
        self.decoder.output_names = ["logits", "h_out", "c_out"]
        self.decoder([np.zeros(shape, dtype) for shape, dtype in self.decoder_specs().values()])  # builds it

    def decoder_specs(self):
        """Input name -> (shape, dtype) of the decoder step, batch 1."""
        return {"token": ((1,), "int32"), "h": ((1, self.units), "float32"), "c": ((1, self.units), "float32"),
                "memory": ((1, self.source_len, self.units), "float32"),
                "source_ids": ((1, self.source_len), "int32")}


class _LSTMDecoderStep(keras.Model):
    """One decoder token: embedding, LSTM cell, attention, logits (inputs in `decoder_specs` order)."""

    def __init__(self, model, **kwargs):
        super().__init__(**kwargs)
        self.embedding = model.get_layer("target_embedding")
        self.cell = model.get_layer("decoder").cell
        self.head_layers = {
            "attention": model.get_layer("attention"), "concat": model.get_layer("attention_concat"),
            "attentional": model.get_layer("attentional"), "dropout": model.get_layer("attentional_dropout"),
            "logits": model.get_layer("logits"),
        }

    def call(self, inputs):
        token, h, c, memory, source_ids = inputs
        x = self.embedding(token)
        out, (h, c) = self.cell(x, [h, c])
        logits = _head(ops.expand_dims(out, 1), memory, source_ids, layers=self.head_layers)
        return [ops.squeeze(logits, 1), h, c]
