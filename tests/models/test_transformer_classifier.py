"""Transformer classifier: builds, round-trips, exports builtin-only in every quantization mode
with parity, and runs in MediaPipe's TextClassifier with BERT metadata."""

import numpy as np
import pytest

from keras_slm.export import convert, write_metadata
from keras_slm.export.android import mediapipe_scores
from keras_slm.models.transformer_classifier import build_transformer_classifier, transformer_classifier
from keras_slm.models.transformer_encoder import build_encoder
from keras_slm.text.wordpiece_tokenizer import WordPieceTokenizer
from tests.harness import assert_builtin_only, assert_roundtrip

TEXTS = ["a good film", "a bad film", "the worst movie ever", "great acting and a fine story", "boring plot"] * 20
SEQ_LEN = 16
# Max |Keras - TFLite| of the softmax scores per mode (measured: 6e-8, 1e-4, 2e-5, 2e-3).
ATOL = {"none": 1e-5, "dynamic": 2e-2, "float16": 2e-3, "int8": 5e-2}


@pytest.fixture(scope="module")
def setup():
    tok = WordPieceTokenizer.fit(TEXTS, vocab_size=100)
    encoder = build_encoder({"num_layers": 2, "hidden_dim": 32, "num_heads": 2, "intermediate_dim": 64},
                            tok.vocab_size, max_length=SEQ_LEN)
    model = transformer_classifier(encoder, num_classes=2)
    encoded = tok.encode(TEXTS[:10], SEQ_LEN)
    return tok, model, [encoded[name] for name in tok.input_names]


def test_preset_builder_and_bad_classes():
    model = build_transformer_classifier("tiny_2x128", vocab_size=100, num_classes=3, max_length=32)
    assert model.output.shape == (None, 3)
    with pytest.raises(ValueError, match="num_classes"):
        transformer_classifier(build_encoder("tiny_2x128", 10), num_classes=1)


def test_roundtrip(setup, tmp_path):
    _, model, inputs = setup
    assert_roundtrip(model, inputs, tmp_path)


@pytest.mark.parametrize("quantize", ["none", "dynamic", "float16", "int8"])
def test_export_builtin_only_with_parity(setup, quantize, tmp_path):
    tok, model, inputs = setup
    path = str(tmp_path / f"{quantize}.tflite")
    report = convert(model, path, seq_len=SEQ_LEN, quantize=quantize, representative_data=inputs,
                     latency_threads=(1,), latency_runs=10)
    assert_builtin_only(path)
    assert report.android_compatible and report.num_subgraphs == 1
    names = [i["name"] for i in report.inputs]
    assert all(any(n in name for name in names) for n in tok.input_names), names
    assert report.parity["max_abs_diff"] <= ATOL[quantize], report.parity
    if quantize in ("none", "float16"):
        # The untrained model's two scores sit within ~1e-2 of each other, so quantized files
        # may flip near-ties; their bound is the max abs diff above.
        assert report.parity["argmax_agreement"] == 1.0


@pytest.mark.parametrize("quantize", ["none", "int8"])
def test_mediapipe_text_classifier_with_bert_metadata(setup, quantize, tmp_path):
    # int8: the AI Edge Quantizer file (int8 dense layers and embeddings) must run in
    # MediaPipe's own bundled TFLite runtime too, not only in ai-edge-litert.
    tok, model, inputs = setup
    tok.save(tmp_path)
    path = str(tmp_path / "classifier.tflite")
    convert(model, path, seq_len=SEQ_LEN, quantize=quantize, representative_data=inputs, latency_threads=())
    write_metadata(path, bert_vocab=str(tmp_path / "vocab.txt"), labels=["negative", "positive"])
    texts = ["A GOOD film!", "the worst, most boring plot", "great story"]
    got = mediapipe_scores(path, texts)
    encoded = tok.encode(texts, SEQ_LEN)
    expected = model.predict([encoded[n] for n in tok.input_names], verbose=0)
    np.testing.assert_allclose(got, expected, atol=ATOL[quantize] if quantize != "none" else 1e-5)
