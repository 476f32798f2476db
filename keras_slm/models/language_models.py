"""Language-model builders: next-token LSTM and a tiny causal transformer (keras-hub layers).

Both take int32 token ids `input_ids` `[batch, length]` and return next-token logits
`[batch, length, vocab_size]` (output "logits"): the Dense softmax head of the classic
next-word LSTM, with the softmax applied by the loss (`from_logits=True`) and by the
samplers, which is numerically safer and gives the phone raw logits to sample from.
"""

import keras

from keras_slm.models.lstm_step_model import LSTMStepModel


def _check_positive(**values):
    for name, value in values.items():
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"`{name}` must be a positive integer, received {value!r}.")


def lstm_lm(vocab_size, embedding_dim=64, units=256, num_layers=1, dropout=0.0, name="lstm_lm"):
    """Embedding -> LSTM x `num_layers` -> Dense over the vocabulary (next-token logits).

    Args:
        vocab_size: number of token ids.
        embedding_dim: embedding width.
        units: LSTM units per layer (the on-device state is `2 * units` floats per layer).
        num_layers: stacked LSTM layers.
        dropout: dropout between layers (training only).
        name: model name.

    Example:
    >>> model = lstm_lm(vocab_size=70, units=32)
    >>> model.output_shape
    (None, None, 70)
    """
    _check_positive(vocab_size=vocab_size, embedding_dim=embedding_dim, units=units, num_layers=num_layers)
    ids = keras.Input((None,), dtype="int32", name="input_ids")
    x = keras.layers.Embedding(vocab_size, embedding_dim, name="embedding")(ids)
    for i in range(num_layers):
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"dropout_{i}")(x)
        x = keras.layers.LSTM(units, return_sequences=True, name=f"lstm_{i}")(x)
    if dropout:
        x = keras.layers.Dropout(dropout, name=f"dropout_{num_layers}")(x)
    logits = keras.layers.Dense(vocab_size, name="logits")(x)
    return keras.Model(ids, logits, name=name)


def transformer_lm(
    vocab_size, sequence_length=128, hidden_dim=128, num_layers=2, num_heads=4, intermediate_dim=512,
    dropout=0.1, name="transformer_lm",
):
    """A tiny GPT: token + position embedding, causal `TransformerDecoder` blocks, Dense logits.

    Args:
        vocab_size: number of token ids.
        sequence_length: the context window (position embeddings; the TFLite file's window).
        hidden_dim: model width.
        num_layers: decoder blocks (self-attention only, causal mask).
        num_heads: attention heads.
        intermediate_dim: feed-forward width.
        dropout: dropout rate.
        name: model name.

    Example:
    >>> model = transformer_lm(vocab_size=70, sequence_length=32, hidden_dim=32, num_heads=2)
    >>> model.output_shape
    (None, None, 70)
    """
    import keras_hub

    _check_positive(vocab_size=vocab_size, sequence_length=sequence_length, hidden_dim=hidden_dim,
                    num_layers=num_layers, num_heads=num_heads, intermediate_dim=intermediate_dim)
    if hidden_dim % num_heads:
        raise ValueError(f"`hidden_dim` ({hidden_dim}) must be divisible by `num_heads` ({num_heads}).")
    ids = keras.Input((None,), dtype="int32", name="input_ids")
    x = keras_hub.layers.TokenAndPositionEmbedding(
        vocab_size, sequence_length, hidden_dim, name="token_and_position_embedding"
    )(ids)
    for i in range(num_layers):
        x = keras_hub.layers.TransformerDecoder(
            intermediate_dim, num_heads, dropout=dropout, normalize_first=True, name=f"decoder_{i}"
        )(x)
    x = keras.layers.LayerNormalization(epsilon=1e-5, name="final_norm")(x)
    logits = keras.layers.Dense(vocab_size, name="logits")(x)
    return keras.Model(ids, logits, name=name)


LM_BUILDERS = {"lstm": lstm_lm, "transformer": transformer_lm}


def build_lm(family, vocab_size, **options):
    """An LM of `family` ("lstm" or "transformer"); `options` go to the builder."""
    if family not in LM_BUILDERS:
        raise ValueError(f"`model` must be one of {sorted(LM_BUILDERS)}, received {family!r}.")
    return LM_BUILDERS[family](vocab_size, **options)


def lstm_step_model(model):
    """The one-token step of an `lstm_lm` (shares its weights): see `LSTMStepModel`."""
    return LSTMStepModel.from_lm(model)
