"""MaskedMeanPooling: padding-independent average, serialisable, builtin-only in TFLite."""

import keras
import numpy as np

from keras_slm.export import TFLiteModel, convert
from keras_slm.layers.masked_mean_pooling import MaskedMeanPooling
from tests.harness import assert_builtin_only, assert_roundtrip


def _model():
    x = keras.Input((None,), dtype="int32", name="input_word_ids")
    mask = keras.Input((None,), dtype="int32", name="input_mask")
    vectors = keras.layers.Embedding(20, 4, name="embed")(x)
    return keras.Model([x, mask], MaskedMeanPooling(name="pool")([vectors, mask]))


def test_average_ignores_padding():
    x = np.arange(12, dtype="float32").reshape(1, 3, 4)
    got = MaskedMeanPooling()([x, np.array([[1, 1, 0]])])
    np.testing.assert_allclose(got, x[:, :2].mean(axis=1))
    assert np.all(np.isfinite(MaskedMeanPooling()([x, np.zeros((1, 3))])))  # all padding: zeros, no NaN


def test_roundtrip_and_tflite(tmp_path):
    model = _model()
    ids = np.array([[3, 4, 5, 0, 0, 0], [7, 0, 0, 0, 0, 0]], np.int32)
    inputs = [ids, (ids > 0).astype(np.int32)]
    assert_roundtrip(model, inputs, tmp_path)
    path = str(tmp_path / "pool.tflite")
    convert(model, path, seq_len=6, latency_threads=())
    assert_builtin_only(path)
    got = TFLiteModel(path).predict(*inputs)
    np.testing.assert_allclose(got, model.predict(inputs, verbose=0), atol=1e-6)
