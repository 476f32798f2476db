import pytest

from keras_slm.data import LabelVocabulary, read_classification
from keras_slm.errors import DataError


def test_stable_sorted_ids_and_roundtrip(tmp_path):
    vocab = LabelVocabulary.fit(["sports", "business", "sports", "world"])
    assert vocab.labels == ["business", "sports", "world"]
    assert vocab.encode(["world", "business"]).tolist() == [2, 0]
    assert vocab.decode([1]) == ["sports"]
    vocab.save(str(tmp_path))
    assert LabelVocabulary.load(str(tmp_path)).labels == vocab.labels


def test_unseen_label_names_file_and_line(tmp_path):
    path = tmp_path / "eval.tsv"
    path.write_text("text\tlabel\nfine\tpos\nodd\tneutral\n", encoding="utf-8")
    data = read_classification(str(path))
    vocab = LabelVocabulary(["neg", "pos"])
    with pytest.raises(DataError, match=r"eval\.tsv:3: label 'neutral' was not seen in training"):
        vocab.encode(data.labels, data)


def test_needs_two_labels():
    with pytest.raises(ValueError, match="at least 2 labels"):
        LabelVocabulary.fit(["only"])
