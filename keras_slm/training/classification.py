"""Classifier training helpers: leak-free validation split, best-epoch `fit`, metrics (`train_classifier` is in keras_slm.tasks)."""

import keras
import numpy as np



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


def noisy_alternatives(tokenizer, texts, x, seq_len, copies, seed):
    """`[copies, n, seq_len]` encoded `noisy_copies` of `texts`, row i's copies at [:, i] (its clean `x[i]`
    where a copy came out unchanged): `make_dataset(..., alternatives=...)` swaps them in on the fly."""
    from keras_slm.evaluation.perturbations import noisy_copies

    alternatives = np.repeat(np.asarray(x)[None], copies, axis=0)
    extra, source = noisy_copies(list(texts), copies, seed=seed)
    if extra:
        filled = np.zeros(len(texts), np.int64)
        for row, i in zip(tokenizer.encode(extra, seq_len), source):
            alternatives[filled[i], i] = row
            filled[i] += 1
    return alternatives


def adversarial_wrapper(net, adversarial, epsilon):
    """`net` itself, or for adversarial="fgm" an `AdversarialTrainer` around it (compile and fit that)."""
    if adversarial is None:
        return net
    if adversarial != "fgm":
        raise ValueError(f"`adversarial` must be None or 'fgm', received {adversarial!r}.")
    from keras_slm.training.adversarial import AdversarialTrainer

    return AdversarialTrainer(net, epsilon=epsilon)


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


def __getattr__(name):
    # Legacy alias (ARCHITECTURE.md): train_classifier moved to the task layer, which this module may not
    # import at load time. Resolved on first use only; .importlinter lists this import.
    if name == "train_classifier":
        from keras_slm.tasks import classifier_training

        return getattr(classifier_training, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
