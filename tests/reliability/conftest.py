"""One tiny trained classifier per session, and parts of another model to swap into copies of it."""

import os
import zipfile

import pytest

from tests.reliability.cases import base_tsv, write


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    """A classifier directory written by `keras-slm train` (AWE, 40 rows, 1 epoch: a few seconds)."""
    from keras_slm.cli import main

    root = tmp_path_factory.mktemp("reliability")
    data = write(os.path.join(root, "train.tsv"), base_tsv())
    out = os.path.join(root, "model")
    assert main(["train", "--data", data, "--out", out, "--model", "awe", "--epochs", "1", "--seq-len", "16"]) == 0
    return out


@pytest.fixture(scope="session")
def kinds(model_dir, tmp_path_factory):
    """The trained classifier, and tiny untrained directories of the other kinds (tests/tiny_kinds.py, not exported)."""
    from tests.tiny_kinds import build

    root = tmp_path_factory.mktemp("kinds")
    dirs = {kind: build(kind, str(root / kind / "model"), export=False) for kind in ("ner", "nlu", "lm_lstm", "translation")}
    return {"classifier": model_dir, **dirs}


@pytest.fixture(scope="session")
def other(tmp_path_factory):
    """Files of another model: different vocabulary and 3 labels; a Lambda model; a zip that is no model."""
    import keras

    from keras_slm.data.labels import LabelVocabulary
    from keras_slm.models.classifiers import build_classifier
    from keras_slm.text.word_tokenizer import WordTokenizer

    root = str(tmp_path_factory.mktemp("other"))
    WordTokenizer.fit(["alpha beta gamma delta", "epsilon zeta"]).save(root)
    LabelVocabulary(["a", "b", "c"]).save(root)
    build_classifier("awe", vocab_size=11, num_classes=3).save(os.path.join(root, "model.keras"))
    inputs = keras.Input((16,))
    lam = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Lambda(lambda x: x * 2.0)(inputs)))
    lam.save(os.path.join(root, "lambda.keras"))
    with zipfile.ZipFile(os.path.join(root, "garbage.keras"), "w") as z:
        z.writestr("config.json", "{not json")
        z.writestr("metadata.json", "{}")
    return root
