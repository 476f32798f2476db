"""Shared checks for layer / model / export tests (after keras-hub's TestCase helpers)."""

import os

import keras
import numpy as np

from keras_slm.export import TFLiteModel, inspect_tflite


def assert_roundtrip(model, inputs, tmp_path, atol=1e-6):
    """`get_config`/`from_config` and `model.save`/`load_model` give the same outputs."""
    expected = model.predict(inputs, verbose=0)
    rebuilt = model.__class__.from_config(model.get_config())
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_allclose(rebuilt.predict(inputs, verbose=0), expected, atol=atol)
    path = os.path.join(str(tmp_path), f"{model.name}.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(inputs, verbose=0), expected, atol=atol)
    return loaded


def assert_builtin_only(path):
    """The .tflite file runs on Android's plain LiteRT runtime: no Flex, no custom ops."""
    info = inspect_tflite(path)
    assert not info.flex_ops, f"Flex ops in {path}: {info.flex_ops}"
    assert not info.custom_ops, f"custom ops in {path}: {info.custom_ops}"
    return info


def assert_tflite_parity(model, path, inputs, atol):
    """The LiteRT interpreter gives Keras' outputs within `atol`, same argmax."""
    expected = np.asarray(model.predict(inputs, verbose=0))
    got = TFLiteModel(path).predict(inputs).reshape(expected.shape)
    np.testing.assert_allclose(got, expected, atol=atol)
    np.testing.assert_array_equal(got.argmax(-1), expected.argmax(-1))
