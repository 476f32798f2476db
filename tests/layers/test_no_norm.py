"""NoNorm: an element-wise affine (MobileBERT's layer-norm replacement)."""

import keras
import numpy as np

from keras_slm.layers.no_norm import NoNorm
from tests.harness import assert_roundtrip


def test_affine_per_feature_and_roundtrip(tmp_path):
    layer = NoNorm()
    x = np.random.default_rng(0).normal(size=(2, 3, 4)).astype("float32")
    np.testing.assert_allclose(layer(x), x)  # identity at initialisation
    layer.gamma.assign([1.0, 2.0, 3.0, 4.0])
    layer.beta.assign([0.5, 0.0, -1.0, 0.0])
    np.testing.assert_allclose(layer(x), x * [1, 2, 3, 4] + [0.5, 0, -1, 0], rtol=1e-6)
    inputs = keras.Input((3, 4))
    model = keras.Model(inputs, NoNorm(name="norm")(inputs))
    model.get_layer("norm").set_weights([np.arange(4, dtype="float32"), np.ones(4, "float32")])
    assert_roundtrip(model, x, tmp_path)
