"""MobileBERT-class encoder: shapes, presets, padding, save/load, builtin-only export, a classifier on it."""

import numpy as np
import pytest

from keras_slm.layers.mobile_bert_block import MobileBertBlock
from keras_slm.models.mobilebert_encoder import mobilebert_encoder
from keras_slm.models.transformer_encoder import PRESETS, build_encoder, encoder_blocks
from tests.harness import assert_bert_parity, assert_builtin_only, assert_roundtrip

SMALL = dict(num_layers=2, hidden_dim=16, intra_dim=24, num_heads=3, intermediate_dim=32, num_feedforward=2)


def _inputs(n=4, length=8, vocab=60):
    ids = np.random.default_rng(1).integers(5, vocab, size=(n, length)).astype(np.int32)
    ids[0, 5:] = 0
    return [ids, (ids > 0).astype(np.int32), np.zeros_like(ids)]


def test_preset_is_a_bottleneck_with_stacked_ffns():
    preset = PRESETS["mobilebert_4x128"]
    assert preset["hidden_dim"] < preset["intra_dim"] and preset["num_feedforward"] >= 2
    encoder = build_encoder("mobilebert_4x128", vocab_size=100, max_length=16)
    blocks = encoder_blocks(encoder)
    assert len(blocks) == 4 and all(isinstance(b, MobileBertBlock) for b in blocks)
    assert encoder.output.shape[-1] == 128 and blocks[0].input_dense.kernel.shape == (128, 256)


@pytest.mark.parametrize("norm", ["layer", "nonorm"])
def test_padding_and_roundtrip(norm, tmp_path):
    encoder = mobilebert_encoder(60, max_length=16, dropout=0.0, norm=norm, embedding_dim=8, **SMALL)
    inputs = _inputs()
    out = encoder.predict(inputs, verbose=0)
    assert out.shape == (4, 8, 16)
    short = [a[:1, :5] for a in inputs]
    np.testing.assert_allclose(encoder.predict(short, verbose=0)[0], out[0, :5], atol=1e-5)
    assert_roundtrip(encoder, inputs, tmp_path, atol=1e-5)


@pytest.mark.parametrize("norm", ["layer", "nonorm"])
def test_classifier_exports_builtin_only_with_parity(norm, tmp_path):
    from keras_slm.export.converter import convert
    from keras_slm.models.transformer_classifier import transformer_classifier

    model = transformer_classifier(mobilebert_encoder(60, max_length=8, dropout=0.0, norm=norm, **SMALL), 2)
    inputs = _inputs()
    for mode, atol in (("none", 1e-4), ("int8", 0.1)):
        path = str(tmp_path / f"{norm}_{mode}.tflite")
        convert(model, path, seq_len=8, quantize=mode, representative_data=inputs)
        assert_builtin_only(path)
        assert_bert_parity(model, path, inputs, atol=atol)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="norm"):
        mobilebert_encoder(10, norm="batch")
    with pytest.raises(ValueError, match="hidden_dim"):
        mobilebert_encoder(10, hidden_dim=0)



def test_encoder_config_reads_the_architecture_back():
    from keras_slm.models.transformer_encoder import encoder_config

    encoder = mobilebert_encoder(60, max_length=8, norm="nonorm", embedding_dim=8, **SMALL)
    config = encoder_config(encoder)
    assert config == dict(SMALL, block="mobilebert", vocab_size=60, norm="nonorm", embedding_dim=8, max_length=8)
    vocab_size, max_length = config.pop("vocab_size"), config.pop("max_length")
    rebuilt = build_encoder(config, vocab_size, max_length=max_length)
    assert rebuilt.count_params() == encoder.count_params()
