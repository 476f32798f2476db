"""RelativePositionBias: MPNet's buckets (checked against a loop over the reference formula), shape, serialisation."""

import keras
import numpy as np
import pytest

from keras_slm.layers.relative_position_bias import RelativePositionBias
from tests.harness import assert_roundtrip
from tests.tasks.mpnet_checkpoint import bucket


def test_buckets_match_the_reference_formula_in_both_directions():
    layer = RelativePositionBias(num_heads=2)
    got = np.asarray(layer.buckets(300))
    expected = np.array([[bucket(k - q) for k in range(300)] for q in range(300)])
    np.testing.assert_array_equal(got, expected)
    # Exact near the diagonal, one side per half, far keys share the last bucket of their side.
    assert got[10, 10] == 0 and got[10, 9] == 1 and got[9, 10] == 17
    assert got[299, 0] == 15 and got[0, 299] == 31 and set(np.unique(got)) == set(range(32)) - {16}  # 16 would be "distance 0, key ahead"


def test_bias_is_the_bucket_table_per_head():
    layer = RelativePositionBias(num_heads=3, num_buckets=8, max_distance=16)
    bias = np.asarray(layer(np.zeros((2, 6, 4), "float32")))
    assert bias.shape == (1, 3, 6, 6)
    table = np.asarray(layer.embeddings)
    buckets = np.asarray(layer.buckets(6))
    np.testing.assert_allclose(bias[0], table[buckets].transpose(2, 0, 1))


def test_roundtrip_in_a_model(tmp_path):
    inputs = keras.Input((None, 4))
    model = keras.Model(inputs, RelativePositionBias(num_heads=2, name="bias")(inputs))
    assert_roundtrip(model, np.zeros((1, 5, 4), "float32"), tmp_path)


def test_bad_bucket_count_is_named():
    with pytest.raises(ValueError, match="num_buckets"):
        RelativePositionBias(num_heads=2, num_buckets=5)
