"""Transformer encoder builders: presets, argument checks, serialisation, config read-back."""

import keras_hub
import numpy as np
import pytest

from keras_slm.models.transformer_encoder import PRESETS, build_encoder, encoder_config, transformer_encoder
from tests.harness import assert_bert_parity, assert_roundtrip


def _inputs(n=2, length=7, vocab=50):
    ids = np.random.default_rng(0).integers(5, vocab, size=(n, length)).astype(np.int32)
    ids[0, 4:] = 0
    return [ids, (ids > 0).astype(np.int32), np.zeros_like(ids)]


def test_presets_have_the_named_shapes():
    for name, preset in PRESETS.items():
        layers, hidden = name.split("_")[-1].split("x")
        assert (preset["num_layers"], preset["hidden_dim"]) == (int(layers), int(hidden))
    encoder = build_encoder("tiny_2x128", vocab_size=100, max_length=32)
    assert encoder_config(encoder) == {"vocab_size": 100, "num_layers": 2, "hidden_dim": 128, "num_heads": 2,
                                       "intermediate_dim": 512, "max_length": 32}
    assert [i.name for i in encoder.inputs] == ["input_word_ids", "input_mask", "input_type_ids"]
    assert sum(isinstance(l, keras_hub.layers.TransformerEncoder) for l in encoder.layers) == 2


def test_custom_shape_output_and_roundtrip(tmp_path):
    encoder = build_encoder({"num_layers": 1, "hidden_dim": 16, "num_heads": 2, "intermediate_dim": 32},
                            vocab_size=50, max_length=16, dropout=0.0)
    inputs = _inputs()
    out = encoder.predict(inputs, verbose=0)
    assert out.shape == (2, 7, 16)
    # Padding does not change the real tokens' vectors.
    short = [a[:1, :4] for a in inputs]
    np.testing.assert_allclose(encoder.predict(short, verbose=0)[0], out[0, :4], atol=1e-5)
    assert_roundtrip(encoder, inputs, tmp_path)


@pytest.mark.parametrize("kwargs, message", [
    (dict(vocab_size=0), "vocab_size"),
    (dict(vocab_size=10, hidden_dim=30, num_heads=4), "divisible"),
    (dict(vocab_size=10, dropout=1.0), "dropout"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        transformer_encoder(**kwargs)


def test_unknown_preset():
    with pytest.raises(ValueError, match="Unknown transformer preset 'huge'"):
        build_encoder("huge", vocab_size=10)


def test_tinybert_presets_have_the_published_shape():
    assert PRESETS["tinybert_4x312"] == dict(num_layers=4, hidden_dim=312, num_heads=12, intermediate_dim=1200)
    encoder = build_encoder("tinybert_4x312", vocab_size=100, max_length=16)
    assert encoder_config(encoder) == {"vocab_size": 100, "num_layers": 4, "hidden_dim": 312, "num_heads": 12,
                                       "intermediate_dim": 1200, "max_length": 16}


@pytest.mark.parametrize("preset", ["tinybert_4x312", "tinybert_4x192"])
def test_student_presets_export_builtin_only_with_parity(preset, tmp_path):
    from keras_slm.export.converter import convert
    from keras_slm.models.transformer_classifier import transformer_classifier
    from tests.harness import assert_builtin_only

    model = transformer_classifier(build_encoder(preset, vocab_size=60, max_length=8, dropout=0.0), 2)
    inputs = [a[:, :6] for a in _inputs(n=8, length=6, vocab=60)]
    inputs = [np.pad(a, ((0, 0), (0, 2))) for a in inputs]  # the exported length, 8
    modes = ("none", "dynamic", "int8") if preset == "tinybert_4x312" else ("none",)
    for mode in modes:
        path = str(tmp_path / f"{preset}_{mode}.tflite")
        convert(model, path, seq_len=8, quantize=mode, representative_data=inputs)
        assert_builtin_only(path)
        assert_bert_parity(model, path, inputs, atol={"none": 1e-4, "dynamic": 0.05, "int8": 0.1}[mode])


def test_encoder_internals_read_hidden_states_and_attention():
    from keras_slm.models.transformer_encoder import encoder_internals

    encoder = build_encoder({"num_layers": 2, "hidden_dim": 16, "num_heads": 4, "intermediate_dim": 32},
                            vocab_size=50, max_length=16, dropout=0.0)
    inputs = _inputs()
    out = encoder_internals(encoder)(inputs)
    assert len(out["hidden"]) == 3 and len(out["attention"]) == 2
    np.testing.assert_allclose(out["hidden"][-1], encoder.predict(inputs, verbose=0), atol=1e-5)
    attention = np.asarray(out["attention"][1])
    assert attention.shape == (2, 4, 7, 7)
    np.testing.assert_allclose(attention.sum(-1), 1.0, atol=1e-5)
    assert float(np.abs(attention[0, :, :, 4:]).max()) == 0.0  # padded keys

