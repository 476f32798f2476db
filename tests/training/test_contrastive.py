"""Contrastive tuning machinery (SetFit recipe): pairs, the cosine pair model, the logistic head as Dense weights."""

import keras
import numpy as np
import pytest

from keras_slm.tasks.sentence_embedder import sentence_embedding_model
from keras_slm.models.transformer_encoder import build_encoder
from keras_slm.training.contrastive import CosinePairModel, contrastive_pairs, fit_logistic_head


def test_pairs_follow_setfit():
    labels = np.array([0, 0, 0, 1, 1, 2, 2])
    a, b, y = contrastive_pairs(labels, iterations=3, seed=0)
    assert len(a) == 2 * 3 * len(labels)
    assert (a != b).all()  # an example is never paired with itself
    np.testing.assert_array_equal(labels[a] == labels[b], y == 1.0)
    assert y.mean() == 0.5 and np.bincount(a).tolist() == [6] * 7  # each example: 1 positive + 1 negative per round
    again = contrastive_pairs(labels, iterations=3, seed=0)
    assert all((u == v).all() for u, v in zip((a, b, y), again))
    a, b, y = contrastive_pairs(labels, iterations=3, seed=0, max_pairs=10)
    assert len(a) == 10 and y.sum() == 5
    with pytest.raises(ValueError, match="2 examples each"):
        contrastive_pairs([0, 0, 1])


def test_logistic_head_as_dense_weights():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 5)).astype(np.float32)
    for classes in (2, 3):
        y = np.arange(40) % classes
        kernel, bias = fit_logistic_head(x, y)
        from sklearn.linear_model import LogisticRegression

        expected = LogisticRegression(max_iter=1000, random_state=0).fit(x, y).predict_proba(x)
        logits = x @ kernel + bias
        probs = np.exp(logits - logits.max(1, keepdims=True))
        np.testing.assert_allclose(probs / probs.sum(1, keepdims=True), expected, atol=1e-5)


def test_pair_model_roundtrip(tmp_path):
    model = CosinePairModel(sentence_embedding_model(build_encoder("tiny_2x128", vocab_size=50)))
    pair = (np.array([[2, 7, 9, 3, 0]], np.int32), np.array([[2, 8, 3, 0, 0]], np.int32))
    cos = np.asarray(model(pair))
    assert cos.shape == (1,) and -1 <= cos[0] <= 1
    model.save(str(tmp_path / "pairs.keras"))
    np.testing.assert_allclose(keras.saving.load_model(str(tmp_path / "pairs.keras"))(pair), cos, atol=1e-6)
