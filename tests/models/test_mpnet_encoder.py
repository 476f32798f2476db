"""MPNet encoder: shapes, padding, save/load, builtin-only export of a classifier on it, LoRA targets."""

import numpy as np
import pytest

from keras_slm.models.mpnet_encoder import mpnet_encoder
from tests.harness import assert_bert_parity, assert_builtin_only, assert_roundtrip

SMALL = dict(num_layers=2, hidden_dim=16, num_heads=2, intermediate_dim=32, max_length=16)


def _inputs(n=4, length=8, vocab=60):
    ids = np.random.default_rng(1).integers(5, vocab, size=(n, length)).astype(np.int32)
    ids[0, 5:] = 0
    return [ids, (ids > 0).astype(np.int32), np.zeros_like(ids)]


def test_padding_and_roundtrip(tmp_path):
    encoder = mpnet_encoder(60, dropout=0.0, **SMALL)
    inputs = _inputs()
    out = encoder.predict(inputs, verbose=0)
    assert out.shape == (4, 8, 16)
    short = [a[:1, :5] for a in inputs]  # the same text without its padding
    np.testing.assert_allclose(encoder.predict(short, verbose=0)[0], out[0, :5], atol=1e-5)
    assert_roundtrip(encoder, inputs, tmp_path, atol=1e-5)


def test_classifier_exports_builtin_only_with_parity(tmp_path):
    from keras_slm.export.converter import convert, has_attention
    from keras_slm.models.transformer_classifier import transformer_classifier

    model = transformer_classifier(mpnet_encoder(60, dropout=0.0, **dict(SMALL, max_length=8)), 2)
    assert has_attention(model)  # int8 keeps the attention core (masked scores, softmax) in float
    inputs = _inputs()
    for mode, atol in (("none", 1e-4), ("int8", 0.1)):
        path = str(tmp_path / f"{mode}.tflite")
        convert(model, path, seq_len=8, quantize=mode, representative_data=inputs)
        assert_builtin_only(path)
        assert_bert_parity(model, path, inputs, atol=atol)


def test_lora_finds_the_attention_projections():
    from keras_slm.models.transformer_classifier import transformer_classifier
    from keras_slm.training.peft import enable_lora

    model = transformer_classifier(mpnet_encoder(60, dropout=0.0, **SMALL), 2)
    counts = enable_lora(model, rank=2)
    # query + value of 2 blocks: 4 x (16x2 + 2x16) LoRA weights, plus the head's 16x2 + 2.
    assert counts["trainable"] == 4 * 64 + 34


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="divisible"):
        mpnet_encoder(10, hidden_dim=10, num_heads=3)
    with pytest.raises(ValueError, match="vocab_size"):
        mpnet_encoder(0)
