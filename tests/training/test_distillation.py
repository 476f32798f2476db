"""Distiller on classifiers and taggers, and `keras-slm distill` end to end on the bundled sample."""

import json
import os

import keras
import numpy as np
import pytest

from keras_slm.models.classifiers import build_classifier
from keras_slm.training.distillation import Distiller, tagger_emissions, teacher_targets


def _data(n=128, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(3, 40, size=(n, 10)).astype("int32")
    return x, (x[:, :3].mean(axis=1) > 21).astype("int32")


def test_loss_is_the_documented_formula():
    keras.utils.set_random_seed(0)
    student = build_classifier("awe", 40, 3, dropout=0.0)
    x = _data(6)[0]
    y = np.array([0, 1, 2, 0, 1, 2], "int32")
    soft = np.random.default_rng(1).dirichlet([1, 1, 1], size=6).astype("float32")
    d = Distiller(student, temperature=3.0, alpha=0.3)
    p = np.asarray(student(x))
    loss = float(d.compute_loss(x, (y, soft), student(x)))
    hard = -np.log(p[np.arange(6), y]).mean()
    t = np.log(soft) / 3
    t = np.exp(t) / np.exp(t).sum(1, keepdims=True)
    s = np.log(p) / 3
    s = s - np.log(np.exp(s).sum(1, keepdims=True))
    kl = (t * (np.log(t) - s)).sum(1).mean() * 9
    assert loss == pytest.approx(0.3 * hard + 0.7 * kl, rel=1e-4)
    assert float(d.compute_loss(x, y, student(x))) == pytest.approx(hard, rel=1e-5)  # labels only


def test_student_learns_from_live_teacher_and_roundtrips(tmp_path):
    x, y = _data()
    keras.utils.set_random_seed(0)
    teacher = build_classifier("awe", 40, 2, dropout=0.0)
    teacher.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy", metrics=["accuracy"])
    teacher.fit(x, y, epochs=15, verbose=0)
    student = build_classifier("lstm", 40, 2, embedding_dim=8, units=8)
    d = Distiller(student, teacher=teacher, temperature=2.0, alpha=0.2)
    d.compile(keras.optimizers.Adam(1e-2), metrics=["accuracy"])
    before = d.evaluate(x, y, verbose=0, return_dict=True)["loss"]
    history = d.fit(x, y, epochs=6, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert d.evaluate(x, y, verbose=0, return_dict=True)["loss"] < before
    agreement = np.mean(student.predict(x, verbose=0).argmax(1) == teacher.predict(x, verbose=0).argmax(1))
    assert agreement > 0.7
    assert not teacher.trainable
    d.save(tmp_path / "d.keras")
    loaded = keras.saving.load_model(tmp_path / "d.keras")
    assert loaded.temperature == 2.0 and loaded.alpha == 0.2
    np.testing.assert_allclose(loaded.predict(x[:4], verbose=0), d.predict(x[:4], verbose=0), atol=1e-6)
    np.testing.assert_allclose(teacher_targets(teacher, x[:4]), teacher.predict(x[:4], verbose=0), atol=1e-6)


def test_tagger_distillation_masks_padding():
    from keras_slm.models.taggers import bilstm_tagger

    rng = np.random.default_rng(0)
    x = rng.integers(2, 30, size=(48, 8)).astype("int32")
    x[:, 6:] = 0  # padding
    y = np.where(x < 10, 1, 0).astype("int32") * (x > 0)
    keras.utils.set_random_seed(0)
    teacher = tagger_emissions(bilstm_tagger(30, 2, embedding_dim=8, lstm_units=8, dropout=0.0, crf=False))
    student_tagger = bilstm_tagger(30, 2, embedding_dim=8, lstm_units=4, dropout=0.0, crf=True)
    student = tagger_emissions(student_tagger)
    soft = teacher.predict(x, verbose=0)
    d = Distiller(student, temperature=2.0, alpha=0.5, from_logits=True, sequence=True)
    d.compile(keras.optimizers.Adam(2e-2))
    loss_a = float(d.compute_loss(x, (y, soft), student(x)))
    y_junk = y.copy()
    y_junk[:, 6:] = 1  # labels under padding must not matter
    assert float(d.compute_loss(x, (y_junk, soft), student(x))) == pytest.approx(loss_a, rel=1e-6)
    history = d.fit(x, (y, soft), epochs=5, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert student_tagger.predict(x[:2], verbose=0).shape == (2, 8)  # the tagger shares the trained weights


def test_distill_cli(tmp_path):
    from keras_slm.cli import main
    from keras_slm.data import sample_path

    data = sample_path("sentiment_en.tsv")
    teacher_dir, student_dir = str(tmp_path / "teacher"), str(tmp_path / "student")
    assert main(["train", "--data", data, "--model", "awe", "--epochs", "3", "--seq-len", "24", "--out", teacher_dir]) == 0
    assert main(["distill", "--teacher", teacher_dir, "--student", "lstm", "--data", data, "--epochs", "2",
                 "--seq-len", "24", "--temperature", "3", "--augment", "1", "--out", student_dir]) == 0
    with open(os.path.join(student_dir, "metrics.json")) as f:
        metrics = json.load(f)
    assert metrics["training"]["distilled"] and metrics["training"]["temperature"] == 3.0
    # One perturbed copy of (nearly) every 4+-word training row, scored by the teacher, joined the training rows.
    assert metrics["training"]["augment"] == 1
    assert 0.5 * metrics["training"]["train_rows"] < metrics["training"]["augmented_rows"] <= metrics["training"]["train_rows"]
    assert 0 <= metrics["validation"]["accuracy"] <= 1 and "accuracy" in metrics["teacher"]
    assert metrics["teacher"]["scored_on"] == "the student's validation rows"
    assert metrics["exports"]["none"]["parity"]["max_abs_diff"] < 1e-4
    assert main(["distill", "--teacher", teacher_dir, "--data", data, "--alpha", "2", "--out", student_dir]) == 2
    assert main(["distill", "--teacher", teacher_dir, "--data", data, "--augment", "-1", "--out", student_dir]) == 2


def test_augmented_copies_are_word_drops_and_ngrams_of_long_texts():
    from keras_slm.training.distillation import augment_texts

    texts = ["a gorgeous , witty , seductive movie .", "the plot is nowhere near as clever as it thinks", "bad"]
    copies = augment_texts(texts, copies=20, seed=0)
    assert copies == augment_texts(texts, copies=20, seed=0)  # seeded
    assert len(copies) == len(set(copies)) and not set(copies) & set(texts)
    assert 5 < len(copies) <= 40  # "bad" (< 4 words) gets none
    for copy in copies:
        words = copy.split()
        source = next(t.split() for t in texts if set(words) <= set(t.split()))
        it = iter(source)
        assert all(w in it for w in words)  # a subsequence of its text, in order
    assert any(len(c.split()) <= 5 for c in copies)  # some n-grams were sampled


def test_distill_cli_learns_from_unlabelled_texts(tmp_path):
    from keras_slm.cli import main
    from keras_slm.data import sample_path
    from keras_slm.tasks import TextClassifier

    data = sample_path("sentiment_en.tsv")
    teacher_dir, student_dir = str(tmp_path / "teacher"), str(tmp_path / "student")
    assert main(["train", "--data", data, "--model", "awe", "--epochs", "1", "--seq-len", "24", "--out", teacher_dir]) == 0
    unlabelled = tmp_path / "unlabelled.tsv"  # a text column only; words the labelled rows never use
    unlabelled.write_text("text\n" + "".join(f"the zorblax ride number {i} was quite something\n" for i in range(20)))
    assert main(["distill", "--teacher", teacher_dir, "--student", "lstm", "--data", data, "--epochs", "1",
                 "--seq-len", "24", "--unlabelled", str(unlabelled), "--out", student_dir]) == 0
    with open(os.path.join(student_dir, "metrics.json")) as f:
        training = json.load(f)["training"]
    assert training["unlabelled_rows"] == 20 and training["augmented_rows"] == 0
    assert "zorblax" in TextClassifier.load(student_dir).tokenizer.vocabulary  # the student's vocabulary saw them
    no_text = tmp_path / "no_text.tsv"
    no_text.write_text("sentence\nsome words\n")
    assert main(["distill", "--teacher", teacher_dir, "--data", data, "--unlabelled", str(no_text),
                 "--out", str(tmp_path / "other")]) == 2
