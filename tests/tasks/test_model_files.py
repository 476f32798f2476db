"""`atomic_save` and `check_replaceable`: a model directory is saved as a whole or not at all.

The artifact is a real (untrained) `TextClassifier`; the mid-save failure is a real one: a
tokenizer vocabulary holding a lone surrogate, which the UTF-8 encoder refuses after
model.keras has been written.
"""

import os

import pytest

from keras_slm.data.labels import LabelVocabulary
from keras_slm.errors import DataError, ModelDirError
from keras_slm.models.classifiers import build_classifier
from keras_slm.tasks import TextClassifier
from keras_slm.text import WordTokenizer

TEXTS = ["a fine film", "a dull film", "fine acting", "dull plot"]


def _classifier(extra_word=None):
    tokenizer = WordTokenizer.fit(TEXTS)
    if extra_word is not None:
        tokenizer = WordTokenizer(vocabulary=tokenizer.vocabulary + [extra_word])
    model = build_classifier("awe", tokenizer.vocab_size, 2)
    return TextClassifier(model, tokenizer, LabelVocabulary(["neg", "pos"]), seq_len=8, family="awe")


def _snapshot(directory):
    out = {}
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name), "rb") as f:
            out[name] = f.read()
    return out


def test_a_failure_mid_save_leaves_the_old_directory_intact(tmp_path):
    directory = str(tmp_path / "model")
    _classifier().save(directory)
    with open(os.path.join(directory, "model.tflite"), "wb") as f:
        f.write(b"the old export")
    before = _snapshot(directory)
    broken = _classifier(extra_word="caf\udce9")  # a lone surrogate (bytes decoded with surrogateescape)
    with pytest.raises(UnicodeEncodeError):  # raised by the tokenizer write, after model.keras was written
        broken.save(directory)
    assert _snapshot(directory) == before
    assert os.listdir(str(tmp_path)) == ["model"]  # no partial sibling left
    assert TextClassifier.load(directory).tokenizer.vocab_size == _classifier().tokenizer.vocab_size


def test_save_over_a_saved_directory_replaces_every_file(tmp_path):
    directory = str(tmp_path / "model")
    old = _classifier()
    old.save(directory)
    with open(os.path.join(directory, "model.tflite"), "wb") as f:
        f.write(b"the old export")
    new = _classifier(extra_word="zebra")
    new.save(directory)
    assert "model.tflite" not in os.listdir(directory)
    assert TextClassifier.load(directory).tokenizer.vocabulary == new.tokenizer.vocabulary


def test_a_file_where_the_directory_goes_is_refused_and_kept(tmp_path):
    path = tmp_path / "model"
    path.write_text("not a directory")
    with pytest.raises(DataError, match="model: exists and is not a directory"):
        _classifier().save(str(path))
    assert path.read_text() == "not a directory"


def test_a_folder_of_other_files_is_never_replaced(tmp_path, monkeypatch):
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(ModelDirError, match="project: exists and is not a keras-slm model directory"):
        _classifier().save(str(folder))
    assert os.listdir(str(folder)) == ["notes.txt"]
    _classifier().save(str(tmp_path / "model"))
    monkeypatch.chdir(str(tmp_path / "model"))  # the working directory is never a save target, even a model's
    with pytest.raises(ModelDirError, match="not a keras-slm model directory"):
        _classifier().save(".")
