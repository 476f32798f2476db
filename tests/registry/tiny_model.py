"""A tiny trained classifier (AWE on the bundled English sample), built once per test process.

Shared by tests/registry and tests/serving: the first fixture that asks trains it (a few
seconds) with `keras-slm train`, as a user would; later ones get the same folder.
"""

import os

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
    """Model directory: model.keras, model.tflite, model_dynamic.tflite, tokenizer, labels, metrics."""
    if "dir" not in _CACHE:
        from keras_slm.cli import main

        root = str(tmp_path_factory.mktemp("tiny_awe"))
        out = os.path.join(root, "model")
        data = training_file(root)
        rc = main(["train", "--data", data, "--model", "awe", "--epochs", "3", "--seq-len", "32",
                   "--out", out, "--quantize", "dynamic"])
        assert rc == 0
        _CACHE["dir"] = out
    return _CACHE["dir"]
