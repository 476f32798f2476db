"""Sequence-tagger builders (NER): BiLSTM-CRF with character CNN features, softmax BiLSTM,
character-level (Chinese) BiLSTM-CRF.

Every tagger is a functional `keras.Model` whose output is decoded tag ids
`[batch, length]` (int32, 0 = "O" and padding): a `CRF` layer runs Viterbi in the graph, a
`TagArgmax` layer takes the per-token best tag. The layer named "emissions" gives the
per-token tag scores the training loss uses (`keras_slm.training.tagging`).

One int32 input named "input_ids" (0 = padding, masked):
    [batch, length]                   word (or character) ids, or with `char_vocab_size`
    [batch, length, 1 + max_chars]    column 0 the word id, then the word's character ids
"""

import keras
from keras import ops

from keras_slm.layers import CRF, SplitTokenFeatures, TagArgmax

WORD_INPUT = "input_ids"
# Ids of the RNN taggers' word and character vocabularies (not the classifiers' `<START>` scheme).
PAD_ID, UNKNOWN_ID = 0, 1
EMISSIONS = "emissions"


def _char_features(chars, char_vocab_size, max_word_chars, char_dim, char_filters):
    """Per-word char-CNN features `[batch, length, filters]` of `[batch, length, max_chars]` char ids."""
    c = keras.layers.Embedding(char_vocab_size, char_dim, name="char_embedding")(chars)
    c = keras.layers.Conv2D(char_filters, (1, 3), padding="same", activation="relu", name="char_cnn")(c)
    c = keras.layers.MaxPooling2D((1, max_word_chars), name="char_max_pool")(c)
    return keras.layers.Reshape((-1, char_filters), name="char_features")(c)


def bilstm_tagger(
    vocab_size,
    num_tags,
    char_vocab_size=None,
    max_word_chars=16,
    embedding_dim=100,
    char_dim=30,
    char_filters=50,
    lstm_units=100,
    num_layers=1,
    dropout=0.5,
    crf=True,
    name=None,
):
    """Word embedding (+ char CNN) -> BiLSTM -> Dense emissions -> CRF (or per-token argmax).

    Args:
        vocab_size: word vocabulary size (0 = padding, 1 = unknown).
        num_tags: number of BIO tags, "O" = 0.
        char_vocab_size: character vocabulary size; None: no character features.
        max_word_chars: characters kept per word for the char CNN.
        embedding_dim, char_dim, char_filters, lstm_units: layer sizes.
        num_layers: stacked BiLSTM layers.
        dropout: dropout on the embeddings and the BiLSTM output.
        crf: True: CRF output (Viterbi); False: softmax tagger (per-token argmax).

    Example:
    >>> model = bilstm_tagger(vocab_size=100, num_tags=5, char_vocab_size=40)
    >>> tuple(model.input.shape), tuple(model.output.shape)
    ((None, None, 17), (None, None))
    """
    for arg, value in (("vocab_size", vocab_size), ("num_tags", num_tags)):
        if not isinstance(value, int) or value < 2:
            raise ValueError(f"`{arg}` must be an integer >= 2, received {value!r}.")
    if char_vocab_size:
        inputs = keras.Input(shape=(None, 1 + max_word_chars), dtype="int32", name=WORD_INPUT)
        ids, chars = SplitTokenFeatures(name="split_features")(inputs)
    else:
        inputs = ids = keras.Input(shape=(None,), dtype="int32", name=WORD_INPUT)
    # The token mask is passed explicitly: Keras' Concatenate ORs its inputs' masks, so the
    # (unmasked) char features would unmask the padding, the backward LSTM would run over the
    # trailing pads first and the CRF decode them (tags then depended on the padded length).
    mask = ops.not_equal(ids, 0)
    x = keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True, name="word_embedding")(ids)
    if char_vocab_size:
        c = _char_features(chars, char_vocab_size, max_word_chars, char_dim, char_filters)
        x = keras.layers.Concatenate(name="word_and_chars")([x, c])
    x = keras.layers.Dropout(dropout, name="embedding_dropout")(x)
    for i in range(num_layers):
        suffix = "" if i == 0 else f"_{i + 1}"
        x = keras.layers.Bidirectional(
            keras.layers.LSTM(lstm_units, return_sequences=True), name=f"bilstm{suffix}"
        )(x, mask=mask)
    x = keras.layers.Dropout(dropout, name="bilstm_dropout")(x)
    x = keras.layers.Dense(num_tags, name=EMISSIONS)(x)
    tags = CRF(num_tags, name="crf")(x, mask=mask) if crf else TagArgmax(name="argmax")(x, mask=mask)
    default = ("bilstm_crf" if crf else "bilstm") + ("_chars" if char_vocab_size else "")
    return keras.Model(inputs, tags, name=name or default)


def bilstm_crf_tagger(vocab_size, num_tags, char_vocab_size=None, **kwargs):
    """BiLSTM-CRF (with char CNN features when `char_vocab_size` is given); see `bilstm_tagger`.

    Example:
    >>> bilstm_crf_tagger(vocab_size=100, num_tags=5).get_layer("crf").num_tags
    5
    """
    return bilstm_tagger(vocab_size, num_tags, char_vocab_size=char_vocab_size, crf=True, **kwargs)


def char_tagger(vocab_size, num_tags, embedding_dim=128, lstm_units=128, num_layers=1, dropout=0.5, crf=True):
    """Character-level BiLSTM-CRF for Chinese (and other unsegmented scripts): one token per character.

    Example:
    >>> char_tagger(vocab_size=3000, num_tags=17).name
    'char_bilstm_crf'
    """
    return bilstm_tagger(
        vocab_size, num_tags, embedding_dim=embedding_dim, lstm_units=lstm_units, num_layers=num_layers,
        dropout=dropout, crf=crf, name="char_bilstm_crf" if crf else "char_bilstm",
    )
