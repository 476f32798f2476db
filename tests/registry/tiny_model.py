"""A tiny trained classifier (AWE on the bundled English sample), built once per test process.

Shared by tests/registry and tests/serving: the first fixture that asks trains it (a few
seconds) with `keras-slm train`, as a user would; later ones get the same folder.
"""

import os

import pytest

_CACHE = {}


def training_file(root):
    """The bundled English sample (falls back to a 400-row SST-2 slice if the sample is absent)."""
    from keras_slm.data import sample_path

    try:
        return sample_path("sentiment_en.tsv")
    except FileNotFoundError:
        from tests.conftest import shared_data, write_slice

        return write_slice(shared_data("sst2", "train.tsv"), os.path.join(root, "sst2_400.tsv"), 400)


def tiny_model_dir(tmp_path_factory):
    """Model directory: model.keras, model.tflite, model_dynamic.tflite, tokenizer, labels, metrics.

    Beside it, ../trained.tar.gz: the bundle `keras-slm train --bundle` wrote.
    """
    if "dir" not in _CACHE:
        from keras_slm.cli import main

        root = str(tmp_path_factory.mktemp("tiny_awe"))
        out = os.path.join(root, "model")
        data = training_file(root)
        # --bundle: `keras-slm train` writes a bundle archive too (tests/registry/test_bundle.py checks it).
        rc = main(["train", "--data", data, "--model", "awe", "--epochs", "3", "--seq-len", "32",
                   "--out", out, "--quantize", "dynamic", "--bundle", os.path.join(root, "trained.tar.gz"),
                   "--bundle-name", "tiny-awe", "--bundle-language", "en"])
        assert rc == 0
        _CACHE["dir"] = out
    return _CACHE["dir"]


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    """A trained AWE model directory (imported by the registry and serving conftests)."""
    return tiny_model_dir(tmp_path_factory)


@pytest.fixture(scope="session")
def bundle_dir(model_dir, tmp_path_factory):
    """A bundle folder built from `model_dir` (treat as read-only; copy before tampering)."""
    from keras_slm.registry import build_bundle

    out = str(tmp_path_factory.mktemp("bundle") / "tiny-awe")
    return build_bundle(model_dir, out, name="tiny-awe", language="en", licence="Apache-2.0")
