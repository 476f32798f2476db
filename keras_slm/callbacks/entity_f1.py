"""`EntityF1`: entity-level NER F1 on validation sentences, put into the epoch logs."""

import keras
import numpy as np


def _entity_f1(true_tags, pred_tags):
    try:
        from keras_slm.evaluation.entities import entity_metrics
    except ImportError:  # pragma: no cover - the project's own scorer is normally present
        from seqeval.metrics import f1_score, precision_score, recall_score

        return {"f1": f1_score(true_tags, pred_tags), "precision": precision_score(true_tags, pred_tags),
                "recall": recall_score(true_tags, pred_tags)}
    return entity_metrics(true_tags, pred_tags)


class EntityF1(keras.callbacks.Callback):
    """Scores predicted tags against true BIO tags each epoch (seqeval-equal entity F1).

    Adds `<prefix>entity_f1`, `<prefix>entity_precision` and `<prefix>entity_recall` to the
    logs, so `EarlyStopping(monitor="val_entity_f1", mode="max")` and `ModelCheckpoint`
    can use them (put `EntityF1` before them in the callback list).

    Args:
        inputs: encoded validation inputs (`[n, L]` ids, or `[n, L, 1 + chars]`).
        true_tags: list of sentences, each a list of BIO tag strings (its length is the
            sentence length; longer windows are cut).
        tags: tag names by id (a list, or a `LabelVocabulary`).
        model: the model to predict with (default: the one being trained). Its output is either
            decoded tag ids `[n, L]` (a keras_slm tagger with CRF / argmax) or tag scores `[n, L, T]`.
        prefix: log-key prefix (default "val_").
        batch_size: prediction batch size.

    Example:
    >>> f1 = EntityF1(x_val, val.tags, tagger_tags, model=tagger)  # doctest: +SKIP
    >>> trainer.fit(ds, callbacks=[f1, keras.callbacks.EarlyStopping("val_entity_f1", mode="max")])  # doctest: +SKIP
    """

    def __init__(self, inputs, true_tags, tags, model=None, prefix="val_", batch_size=256):
        super().__init__()
        if len(inputs) != len(true_tags):
            raise ValueError(f"{len(inputs)} input rows but {len(true_tags)} tag sentences.")
        self.inputs = inputs
        self.true_tags = [list(t)[: np.shape(inputs)[1]] for t in true_tags]
        self.tags = list(getattr(tags, "labels", tags))
        self.predict_model = model
        self.prefix = prefix
        self.batch_size = batch_size
        self.history = []

    def predict_tags(self):
        out = np.asarray((self.predict_model or self.model).predict(self.inputs, verbose=0, batch_size=self.batch_size))
        ids = out.argmax(axis=-1) if out.ndim == 3 else out.astype(int)
        return [[self.tags[i] for i in row[: len(t)]] for row, t in zip(ids, self.true_tags)]

    def on_epoch_end(self, epoch, logs=None):
        m = _entity_f1(self.true_tags, self.predict_tags())
        self.history.append({"epoch": epoch + 1, "f1": m["f1"], "precision": m["precision"], "recall": m["recall"]})
        if logs is not None:
            for key in ("f1", "precision", "recall"):
                logs[f"{self.prefix}entity_{key}"] = np.float32(m[key])
