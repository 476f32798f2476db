"""Prunes a trained `TextClassifier` while fine-tuning it: the usual recipe (train dense, then prune).

    classifier, _, _ = train_classifier(train, val, model="bilstm")
    result = prune_classifier(classifier, train, val, final_sparsity=0.8, epochs=2)
    classifier.export("model.tflite")   # zeros in the weights: the gzip'ed file is much smaller

Pruning a trained model and fine-tuning keeps more accuracy than pruning from scratch, and it
sidesteps the best-epoch restore of `train_classifier` (which could pick an epoch from before
the final sparsity). The sparsity rises on `MagnitudePruning`'s polynomial schedule during the
first `prune_epochs`; the remaining epochs fine-tune with the final masks held.
"""

import math

import keras

from keras_slm.callbacks.pruning import MagnitudePruning, sparsity, strip_pruning
from keras_slm.data.pipeline import make_dataset


def _dataset(classifier, data, batch_size, shuffle, seed):
    from keras_slm.training.transformer import bert_dataset

    ids = classifier.encode(data.texts)
    labels = classifier.labels.encode(data.labels, data)
    if isinstance(ids, list):  # WordPiece: (word ids, mask, segments); the mask is derived from the ids
        return bert_dataset(ids[0], labels, batch_size, shuffle=shuffle, seed=seed)
    return make_dataset(ids, labels, batch_size, shuffle=shuffle, seed=seed)


def prune_classifier(
    classifier,
    train,
    val=None,
    *,
    final_sparsity=0.5,
    epochs=2,
    prune_epochs=None,
    batch_size=32,
    learning_rate=5e-4,
    frequency=20,
    min_size=256,
    seed=0,
    verbose=1,
    callbacks=(),
):
    """Fine-tunes `classifier.model` on `train` while magnitude-pruning it to `final_sparsity`, in place.

    Args:
        classifier: a trained Keras `TextClassifier` (RNN/AWE or transformer).
        train: `ClassificationData` to fine-tune on (labels in the classifier's label set).
        val: optional `ClassificationData`: validation logs each epoch and the returned accuracy.
        final_sparsity: fraction of each pruned weight set to zero (0 fine-tunes without pruning,
            a like-for-like baseline).
        epochs: fine-tuning epochs.
        prune_epochs: epochs over which the sparsity rises (default `max(1, epochs - 1)`: the
            last epoch recovers at the final sparsity).
        batch_size / learning_rate / seed: fine-tuning settings (Adam).
        frequency / min_size: see `MagnitudePruning`.
        verbose / callbacks: Keras `fit` options.

    Returns:
        {"target_sparsity", "sparsity" (measured over the pruned weights), "pruned_weights",
        "history", and "accuracy" / "macro_f1" on `val` when given}.

    Example:
    >>> result = prune_classifier(classifier, train, val, final_sparsity=0.8)  # doctest: +SKIP
    >>> round(result["sparsity"], 2)  # doctest: +SKIP
    0.8
    """
    if classifier.is_tflite:
        raise ValueError("`classifier` was loaded from a .tflite file; load its directory (Keras model) to prune.")
    if epochs < 1:
        raise ValueError(f"`epochs` must be >= 1, received {epochs!r}.")
    if not 0 <= final_sparsity < 1:
        raise ValueError(f"`final_sparsity` must be in [0, 1), received {final_sparsity!r}.")
    keras.utils.set_random_seed(seed)
    prune_epochs = max(1, epochs - 1) if prune_epochs is None else prune_epochs
    steps_per_epoch = math.ceil(len(train) / batch_size)
    model = classifier.model
    model.compile(keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    fit_callbacks = list(callbacks)
    pruning = None
    if final_sparsity > 0:
        pruning = MagnitudePruning(final_sparsity, end_step=max(prune_epochs * steps_per_epoch, 1),
                                   frequency=frequency, min_size=min_size)
        fit_callbacks.insert(0, pruning)
    val_ds = None if val is None else _dataset(classifier, val, 256, False, seed)
    history = model.fit(_dataset(classifier, train, batch_size, True, seed), validation_data=val_ds, epochs=epochs,
                        callbacks=fit_callbacks, verbose=verbose, shuffle=False)
    strip_pruning(model, pruning)
    measured = sparsity(model) if pruning is None else sparsity(model, pruning.weights_)
    result = {
        "target_sparsity": float(final_sparsity),
        "sparsity": measured["overall"],
        "pruned_weights": len(measured["per_weight"]),
        "history": {k: [float(v) for v in values] for k, values in history.history.items()},
    }
    if val is not None:
        metrics = classifier.evaluate(val)
        result.update(accuracy=metrics["accuracy"], macro_f1=metrics["macro_f1"])
    return result
