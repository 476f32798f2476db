"""MobileBertBlock: shapes, padding, attention maps, norms, serialisation."""

import keras
import numpy as np
import pytest

from keras_slm.layers.mobile_bert_block import MobileBertBlock
from keras_slm.layers.no_norm import NoNorm
from tests.harness import assert_roundtrip


def _x(n=2, length=5, width=8):
    return np.random.default_rng(0).normal(size=(n, length, width)).astype("float32")


@pytest.mark.parametrize("norm", ["layer", "nonorm"])
def test_shapes_attention_and_padding(norm):
    block = MobileBertBlock(intra_dim=12, num_heads=3, intermediate_dim=16, num_feedforward=3, norm=norm)
    x = _x()
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], "int32")
    out, scores = block(x, padding_mask=mask, return_attention_scores=True)
    assert out.shape == (2, 5, 8) and scores.shape == (2, 3, 5, 5)
    np.testing.assert_allclose(np.asarray(scores).sum(-1), 1.0, atol=1e-5)
    assert float(np.abs(np.asarray(scores)[0, :, :, 3:]).max()) == 0.0  # padded keys get no attention
    # Real tokens do not see the padding: changing it changes nothing for them.
    changed = x.copy()
    changed[0, 3:] = 9.0
    np.testing.assert_allclose(np.asarray(block(changed, padding_mask=mask))[0, :3], np.asarray(out)[0, :3], atol=1e-5)
    norms = [layer for layer in block._flatten_layers() if isinstance(layer, NoNorm)]
    assert (len(norms) == 3 + 3) == (norm == "nonorm")  # input, attention, 3 FFNs, output


def test_roundtrip_in_a_model(tmp_path):
    inputs = keras.Input((None, 8))
    mask = keras.Input((None,), dtype="int32")
    out = MobileBertBlock(intra_dim=8, num_heads=2, intermediate_dim=16, norm="nonorm", name="block")(inputs, padding_mask=mask)
    model = keras.Model([inputs, mask], out)
    assert_roundtrip(model, [_x(), np.ones((2, 5), "int32")], tmp_path, atol=1e-5)


@pytest.mark.parametrize("kwargs, message", [
    (dict(intra_dim=10, num_heads=3, intermediate_dim=8), "divisible"),
    (dict(intra_dim=8, num_heads=2, intermediate_dim=8, norm="batch"), "norm"),
    (dict(intra_dim=8, num_heads=2, intermediate_dim=8, num_feedforward=0), "num_feedforward"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MobileBertBlock(**kwargs)
