"""Callbacks in a real `fit` on tiny models, with real TFLite conversions."""

import os

import keras
import numpy as np
import pytest

from keras_slm.callbacks import (EntityF1, MagnitudePruning, QuantizedEvaluation, SizeBudget, TFLiteExportCallback,
                                 WarmupSchedule, gzip_size, polynomial_sparsity, sparsity, strip_pruning)
from keras_slm.export import convert
from keras_slm.models.classifiers import build_classifier

SEQ = 12


def _data(n=160, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(3, 60, size=(n, SEQ)).astype("int32")
    y = (x[:, :4].mean(axis=1) > 31).astype("int32")
    return x, y


def _model(**kwargs):
    keras.utils.set_random_seed(0)
    model = build_classifier("awe", 60, 2, embedding_dim=16, hidden_dim=16, **kwargs)
    model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_warmup_schedule_shape_and_roundtrip(tmp_path):
    cos = WarmupSchedule(1e-3, total_steps=100, warmup_steps=10)
    lin = WarmupSchedule(1e-3, total_steps=100, warmup_steps=0.1, decay="linear", min_ratio=0.1)
    assert float(cos(0)) == 0 and float(cos(5)) == pytest.approx(5e-4) and float(cos(10)) == pytest.approx(1e-3)
    assert float(cos(55)) == pytest.approx(5e-4, rel=1e-4) and float(cos(100)) == pytest.approx(0, abs=1e-9)
    assert float(lin(55)) == pytest.approx(1e-4 + 0.9e-3 * 0.5) and float(lin(500)) == pytest.approx(1e-4)
    with pytest.raises(ValueError, match="decay"):
        WarmupSchedule(1e-3, 10, decay="step")
    model = _model()
    model.compile(keras.optimizers.Adam(cos), "sparse_categorical_crossentropy")
    model.fit(*_data(32), epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.optimizer._learning_rate, WarmupSchedule)
    assert loaded.optimizer._learning_rate.get_config() == cos.get_config()


def test_export_on_best_quantized_eval_and_size_budget(tmp_path):
    x, y = _data()
    xv, yv = _data(64, seed=1)
    path = str(tmp_path / "best.tflite")
    export = TFLiteExportCallback(path, seq_len=SEQ, sample_inputs=xv[:32], eval_data=(xv, yv))
    quant = QuantizedEvaluation((xv, yv), seq_len=SEQ, quantize="dynamic", every=2)
    model = _model()
    history = model.fit(x, y, validation_data=(xv, yv), epochs=3, batch_size=32, verbose=0, callbacks=[export, quant])
    best = int(np.argmax(history.history["val_accuracy"])) + 1
    assert export.best_epoch == best and os.path.exists(path)
    assert export.report.parity["max_abs_diff"] < 1e-5 and export.report.android_compatible
    assert "tflite_max_abs_diff" in history.history
    assert len(quant.history) == 1 and quant.history[0]["epoch"] == 2
    assert "val_tflite_dynamic_drop" in history.history and abs(quant.history[0]["drop"]) <= 0.1

    budget = SizeBudget(1000, seq_len=SEQ, quantize="none", action="stop")
    with pytest.warns(UserWarning, match="over the budget"):
        h = _model().fit(x, y, epochs=3, verbose=0, callbacks=[budget])
    assert len(h.history["loss"]) == 1 and budget.over_budget
    assert budget.sizes[0]["size_bytes"] > budget.sizes[0]["gzip_bytes"] > 0


def test_entity_f1_logs_seqeval_f1():
    from seqeval.metrics import f1_score

    from keras_slm.models.taggers import bilstm_tagger
    from keras_slm.training.tagging import TaggerTrainer

    tags = ["O", "B-PER", "I-PER"]
    rng = np.random.default_rng(0)
    x = rng.integers(2, 30, size=(64, 8)).astype("int32")
    y = np.where(x < 8, 1, 0) + np.where((x >= 8) & (x < 12), 2, 0)  # token identity decides the tag
    true = [[tags[t] for t in row] for row in y]
    keras.utils.set_random_seed(0)
    tagger = bilstm_tagger(30, 3, embedding_dim=8, lstm_units=8, dropout=0.0, crf=False)
    trainer = TaggerTrainer(tagger)
    trainer.compile(keras.optimizers.Adam(3e-2))
    f1 = EntityF1(x, true, tags, model=tagger)
    stop = keras.callbacks.EarlyStopping("val_entity_f1", mode="max", patience=5)
    history = trainer.fit(x, y.astype("int32"), epochs=4, batch_size=16, verbose=0, callbacks=[f1, stop])
    assert len(history.history["val_entity_f1"]) == 4
    predicted = [[tags[t] for t in row] for row in np.asarray(tagger.predict(x, verbose=0))]
    assert history.history["val_entity_f1"][-1] == pytest.approx(f1_score(true, predicted), abs=1e-6)
    assert history.history["val_entity_f1"][-1] > history.history["val_entity_f1"][0]


def test_polynomial_schedule():
    values = [polynomial_sparsity(s, 0.0, 0.8, 10, 110) for s in (0, 10, 60, 110, 500)]
    assert values[0] == 0 and values[1] == 0 and values[3] == pytest.approx(0.8) and values[4] == pytest.approx(0.8)
    assert 0.6 < values[2] < 0.8  # cubic: most of the pruning early


def test_pruning_reaches_sparsity_and_compresses(tmp_path):
    x, y = _data()
    dense = _model(dropout=0.0)
    dense.fit(x, y, epochs=2, batch_size=16, verbose=0)
    pruned = _model(dropout=0.0)
    pruning = MagnitudePruning(final_sparsity=0.8, end_step=12, frequency=2)
    history = pruned.fit(x, y, epochs=3, batch_size=16, verbose=0, callbacks=[pruning])
    strip_pruning(pruned, pruning)
    s = sparsity(pruned)
    assert s["overall"] == pytest.approx(0.8, abs=0.02)
    assert history.history["sparsity"][-1] == pytest.approx(0.8, abs=0.02)
    r_dense = convert(dense, str(tmp_path / "d.tflite"), seq_len=SEQ, latency_threads=())
    r_pruned = convert(pruned, str(tmp_path / "p.tflite"), seq_len=SEQ, sample_inputs=x[:20], latency_threads=())
    assert r_pruned.parity["max_abs_diff"] < 1e-5
    assert gzip_size(r_pruned.path) < 0.7 * gzip_size(r_dense.path)
