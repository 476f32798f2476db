"""Joint intent detection and slot filling: one shared encoder, an intent head and a CRF slot head.

Every model here has two outputs, in this order:
    "intent"  `[batch, num_intents]` float intent probabilities (softmax over the
              masked mean and max of the encoder's token vectors)
    "slots"   `[batch, length]` int32 slot tag ids, Viterbi-decoded by the `CRF` in the graph
              (0 = "O" on padding)
The layer named "emissions" gives the per-token tag scores the CRF loss trains on
(`keras_slm.training.nlu`). With `intent_to_slots=True` the intent probabilities, projected
to a small vector, are appended to every token's features before the emission layer
(intent-aware slot decoding).
"""

import keras
from keras import ops

from keras_slm.layers import CRF, MaskedMeanPooling, SplitTokenFeatures
from keras_slm.models.taggers import EMISSIONS, WORD_INPUT, _char_features

INTENT, SLOTS = "intent", "slots"


def _heads(x, mask, num_intents, num_tags, dropout, intent_to_slots, intent_dim=32):
    """(intent probabilities, slot tag ids) over token vectors `x` `[batch, length, dim]`."""
    # Masked max as a select (a multiply-add with the mask broke the TFLite converter).
    peak = ops.max(ops.where(ops.expand_dims(ops.not_equal(mask, 0), 2), x, -1e4), axis=1)
    pooled = keras.layers.Concatenate(name="intent_features")([MaskedMeanPooling(name="intent_mean")([x, mask]), peak])
    pooled = keras.layers.Dropout(dropout, name="intent_dropout")(pooled)
    intent = keras.layers.Dense(num_intents, activation="softmax", name=INTENT)(pooled)
    if intent_to_slots:
        z = keras.layers.Dense(intent_dim, activation="tanh", name="intent_projection")(intent)
        ones = ops.ones_like(ops.expand_dims(ops.cast(mask, z.dtype), 2))  # [batch, length, 1]
        x = keras.layers.Concatenate(name="tokens_and_intent")([x, ops.expand_dims(z, 1) * ones])
    emissions = keras.layers.Dense(num_tags, name=EMISSIONS)(x)
    slots = CRF(num_tags, name=SLOTS)(emissions, mask=mask)
    return intent, slots


def _check_sizes(**sizes):
    for arg, value in sizes.items():
        if not isinstance(value, int) or value < 2:
            raise ValueError(f"`{arg}` must be an integer >= 2, received {value!r}.")


def joint_bilstm_crf(
    vocab_size,
    num_intents,
    num_tags,
    char_vocab_size=None,
    max_word_chars=16,
    embedding_dim=100,
    char_dim=30,
    char_filters=50,
    lstm_units=100,
    dropout=0.5,
    intent_to_slots=False,
    name="joint_bilstm_crf",
):
    """Word embedding (+ char CNN) -> BiLSTM -> intent softmax and CRF slot tags.

    Args:
        vocab_size: word (or character, for `--tokenizer char`) vocabulary size; 0 = padding.
        num_intents: number of intents.
        num_tags: number of BIO slot tags, "O" = 0.
        char_vocab_size: character vocabulary of the char-CNN word features; None: none. The
            input is then `[batch, length, 1 + max_word_chars]` (column 0 the word id), as
            for `keras_slm.models.taggers.bilstm_tagger`.
        max_word_chars, embedding_dim, char_dim, char_filters, lstm_units: layer sizes.
        dropout: dropout on the embeddings, the BiLSTM output and the pooled intent features.
        intent_to_slots: feed the predicted intent to the slot emission layer.

    Example:
    >>> model = joint_bilstm_crf(vocab_size=100, num_intents=3, num_tags=5, char_vocab_size=40)
    >>> [tuple(t.shape) for t in model.outputs]
    [(None, 3), (None, None)]
    """
    _check_sizes(vocab_size=vocab_size, num_intents=num_intents, num_tags=num_tags)
    if char_vocab_size:
        inputs = keras.Input(shape=(None, 1 + max_word_chars), dtype="int32", name=WORD_INPUT)
        ids, chars = SplitTokenFeatures(name="split_features")(inputs)
    else:
        inputs = ids = keras.Input(shape=(None,), dtype="int32", name=WORD_INPUT)
    mask = ops.not_equal(ids, 0)  # explicit: see bilstm_tagger (Concatenate would unmask padding)
    x = keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True, name="word_embedding")(ids)
    if char_vocab_size:
        c = _char_features(chars, char_vocab_size, max_word_chars, char_dim, char_filters)
        x = keras.layers.Concatenate(name="word_and_chars")([x, c])
    x = keras.layers.Dropout(dropout, name="embedding_dropout")(x)
    x = keras.layers.Bidirectional(keras.layers.LSTM(lstm_units, return_sequences=True), name="bilstm")(x, mask=mask)
    x = keras.layers.Dropout(dropout, name="bilstm_dropout")(x)
    intent, slots = _heads(x, mask, num_intents, num_tags, dropout, intent_to_slots)
    return keras.Model(inputs, [intent, slots], name=name)


def joint_transformer_crf(encoder, num_intents, num_tags, dropout=0.1, intent_to_slots=False,
                          name="joint_transformer_crf"):
    """BERT-style encoder (WordPiece) -> intent softmax and CRF slot tags per piece.

    Slots are read at each word's first piece (`keras_slm.models.transformer_tagger.align_first_subword`).

    Args:
        encoder: a functional encoder with inputs `input_word_ids`, `input_mask`,
            `input_type_ids` and output `[batch, length, hidden]` (`build_encoder`, `load_minilm`).
        num_intents, num_tags: output sizes ("O" = tag 0).
        dropout: dropout before both heads.
        intent_to_slots: feed the predicted intent to the slot emission layer.

    Example:
    >>> from keras_slm.models.transformer_encoder import build_encoder
    >>> enc = build_encoder("tiny_2x128", vocab_size=500, max_length=32)
    >>> [tuple(t.shape) for t in joint_transformer_crf(enc, 3, 5).outputs]
    [(None, 3), (None, None)]
    """
    _check_sizes(num_intents=num_intents, num_tags=num_tags)
    inputs = [keras.Input(shape=(None,), dtype="int32", name=t.name.split(":")[0]) for t in encoder.inputs]
    x = keras.layers.Dropout(dropout, name="encoder_dropout")(encoder(inputs))
    intent, slots = _heads(x, inputs[1], num_intents, num_tags, dropout, intent_to_slots)
    return keras.Model(inputs, [intent, slots], name=name)
