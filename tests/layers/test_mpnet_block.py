"""MPNetBlock: the bias reaches the scores, padding is invisible to real tokens, LoRA names, serialisation."""

import keras
import numpy as np
import pytest

from keras_slm.layers.mpnet_block import MPNetBlock
from tests.harness import assert_roundtrip


def _x(n=2, length=5, width=8):
    return np.random.default_rng(0).normal(size=(n, length, width)).astype("float32")


def test_padding_and_bias():
    keras.utils.set_random_seed(0)
    block = MPNetBlock(num_heads=2, intermediate_dim=16, dropout=0.0)
    x, mask = _x(), np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], "int32")
    zero = np.zeros((1, 2, 5, 5), "float32")
    out = np.asarray(block(x, mask, zero))
    assert out.shape == (2, 5, 8)
    changed = x.copy()
    changed[0, 3:] = 9.0  # padding may hold anything
    np.testing.assert_allclose(np.asarray(block(changed, mask, zero))[0, :3], out[0, :3], atol=1e-5)
    # The bias is added to the scores before the softmax: a constant per query changes nothing,
    # a bias towards key 0 changes the output.
    per_query = np.random.default_rng(2).normal(size=(1, 2, 5, 1)).astype("float32") * np.ones((1, 1, 1, 5), "float32")
    np.testing.assert_allclose(np.asarray(block(x, mask, per_query)), out, atol=1e-5)
    towards_first = zero.copy()
    towards_first[..., 0] = 5.0
    assert np.abs(np.asarray(block(x, mask, towards_first)) - out).max() > 1e-3  # 5e-3 with these seeds
    assert {layer.name for layer in block._flatten_layers()} >= {"query", "value", "attention_output"}


def test_roundtrip_in_a_model(tmp_path):
    x, mask, bias = keras.Input((None, 8)), keras.Input((None,), dtype="int32"), keras.Input((2, None, None))
    model = keras.Model([x, mask, bias], MPNetBlock(num_heads=2, intermediate_dim=16, name="block")(x, mask, bias))
    inputs = [_x(), np.ones((2, 5), "int32"), np.random.default_rng(1).normal(size=(2, 2, 5, 5)).astype("float32")]
    assert_roundtrip(model, inputs, tmp_path, atol=1e-5)


def test_width_not_divisible_by_heads_is_named():
    with pytest.raises(ValueError, match="divisible"):
        MPNetBlock(num_heads=3, intermediate_dim=8)(_x(), np.ones((2, 5), "int32"), np.zeros((1, 3, 5, 5), "float32"))
