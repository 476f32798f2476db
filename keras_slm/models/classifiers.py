"""Text-classifier builders: averaged word embeddings, LSTM, GRU, BiLSTM, stacked LSTM.

All take int32 token ids `[batch, length]` (0 = padding, masked), accept any length in
training and are exported with a fixed one. They end in a softmax over the classes, the
form MediaPipe's TextClassifier and our TFLite runtime expect; `binary_head=True` gives a
single sigmoid unit instead for two-class problems.
"""

import keras

INPUT_NAME = "input_ids"


def _inputs():
    return keras.Input(shape=(None,), dtype="int32", name=INPUT_NAME)


def _embed(ids, vocab_size, embedding_dim):
    if vocab_size < 4:
        raise ValueError(f"`vocab_size` must be >= 4 (3 reserved tokens + 1), received {vocab_size}.")
    return keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True, name="embedding")(ids)


def _head(x, num_classes, dropout, binary_head):
    if num_classes < 2:
        raise ValueError(f"`num_classes` must be >= 2, received {num_classes}.")
    if dropout:
        x = keras.layers.Dropout(dropout, name="dropout")(x)
    if binary_head:
        if num_classes != 2:
            raise ValueError(f"`binary_head=True` needs num_classes=2, received {num_classes}.")
        return keras.layers.Dense(1, activation="sigmoid", name="scores")(x)
    return keras.layers.Dense(num_classes, activation="softmax", name="scores")(x)


def awe_classifier(vocab_size, num_classes, embedding_dim=16, hidden_dim=16, dropout=0.2, binary_head=False):
    """Averaged word embeddings (as MediaPipe Model Maker's average-word-embedding model).

    Padding is masked out of the average, unlike MediaPipe's, which scores lower at long
    sequence lengths.

    Example:
    >>> model = awe_classifier(vocab_size=100, num_classes=2)
    >>> model.output_shape
    (None, 2)
    """
    ids = _inputs()
    x = _embed(ids, vocab_size, embedding_dim)
    x = keras.layers.GlobalAveragePooling1D(name="average")(x)
    x = keras.layers.Dense(hidden_dim, activation="relu", name="hidden")(x)
    return keras.Model(ids, _head(x, num_classes, dropout, binary_head), name="awe_classifier")


def lstm_classifier(vocab_size, num_classes, embedding_dim=64, units=64, dropout=0.2, binary_head=False):
    """Embedding -> LSTM -> Dense.

    Example:
    >>> lstm_classifier(vocab_size=100, num_classes=3).output_shape
    (None, 3)
    """
    ids = _inputs()
    x = _embed(ids, vocab_size, embedding_dim)
    x = keras.layers.LSTM(units, name="lstm")(x)
    return keras.Model(ids, _head(x, num_classes, dropout, binary_head), name="lstm_classifier")


def gru_classifier(vocab_size, num_classes, embedding_dim=64, units=64, dropout=0.2, binary_head=False):
    """Embedding -> GRU -> Dense.

    Example:
    >>> gru_classifier(vocab_size=100, num_classes=2).output_shape
    (None, 2)
    """
    ids = _inputs()
    x = _embed(ids, vocab_size, embedding_dim)
    x = keras.layers.GRU(units, name="gru")(x)
    return keras.Model(ids, _head(x, num_classes, dropout, binary_head), name="gru_classifier")


def bilstm_classifier(vocab_size, num_classes, embedding_dim=64, units=64, dropout=0.2, binary_head=False):
    """Embedding -> Bidirectional(LSTM) -> Dense.

    Example:
    >>> bilstm_classifier(vocab_size=100, num_classes=2).output_shape
    (None, 2)
    """
    ids = _inputs()
    x = _embed(ids, vocab_size, embedding_dim)
    x = keras.layers.Bidirectional(keras.layers.LSTM(units, name="lstm"), name="bilstm")(x)
    return keras.Model(ids, _head(x, num_classes, dropout, binary_head), name="bilstm_classifier")


def stacked_lstm_classifier(
    vocab_size, num_classes, embedding_dim=64, units=(64, 32), dropout=0.2, binary_head=False
):
    """Embedding -> LSTM(64, return_sequences) -> LSTM(32) -> Dense (the classic stack).

    Example:
    >>> stacked_lstm_classifier(vocab_size=100, num_classes=2).output_shape
    (None, 2)
    """
    units = tuple(units)
    if len(units) < 2:
        raise ValueError(f"`units` must list >= 2 layer sizes, received {units}.")
    ids = _inputs()
    x = _embed(ids, vocab_size, embedding_dim)
    for i, u in enumerate(units):
        x = keras.layers.LSTM(u, return_sequences=i < len(units) - 1, name=f"lstm_{i + 1}")(x)
    return keras.Model(ids, _head(x, num_classes, dropout, binary_head), name="stacked_lstm_classifier")


CLASSIFIERS = {
    "awe": awe_classifier,
    "lstm": lstm_classifier,
    "gru": gru_classifier,
    "bilstm": bilstm_classifier,
    "stacked_lstm": stacked_lstm_classifier,
}


def build_classifier(family, vocab_size, num_classes, **kwargs):
    """Builds the classifier `family` (one of `CLASSIFIERS`).

    Example:
    >>> build_classifier("gru", vocab_size=50, num_classes=2).name
    'gru_classifier'
    """
    if family not in CLASSIFIERS:
        raise ValueError(f"`model` must be one of {sorted(CLASSIFIERS)}, received {family!r}.")
    return CLASSIFIERS[family](vocab_size, num_classes, **kwargs)
