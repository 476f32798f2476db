"""Seeded K-per-class samples and the few-shot data checks: same seed same rows, one-line errors."""

import pytest

from keras_slm.data import read_classification, sample_path
from keras_slm.data.classification import ClassificationData
from keras_slm.data.few_shot import check_few_shot, sample_per_class, write_tsv
from keras_slm.errors import DataError


@pytest.fixture(scope="module")
def data():
    return read_classification(sample_path("sentiment_en.tsv"))


def test_sample_is_seeded_balanced_and_from_the_file(data, tmp_path):
    a, b = sample_per_class(data, 8, seed=0), sample_per_class(data, 8, seed=0)
    assert a.texts == b.texts and a.lines == b.lines
    assert sorted(a.labels) == ["negative"] * 8 + ["positive"] * 8
    assert sample_per_class(data, 8, seed=1).texts != a.texts
    assert len(set(a.texts)) == 16
    for text, label, line in zip(a.texts, a.labels, a.lines):  # lines point into the source file
        assert (data.texts[data.lines.index(line)], data.labels[data.lines.index(line)]) == (text, label)
    path = str(tmp_path / "k.tsv")
    write_tsv(a, path)
    again = read_classification(path)
    assert again.texts == a.texts and again.labels == a.labels


def test_min_words_and_duplicates():
    data = ClassificationData(["a b c", "a b c", "d e f", "g", "h i j", "k l m"], ["x", "x", "x", "x", "y", "y"])
    sample = sample_per_class(data, 2, seed=3, min_words=3)
    assert sorted(sample.texts[:2]) == ["a b c", "d e f"]  # the duplicate and the 1-word text are never drawn
    with pytest.raises(DataError, match=r"class 'x' has 2 distinct texts of >= 3 words, fewer than the 3"):
        sample_per_class(data, 3, min_words=3)


def test_errors_are_one_line(data):
    with pytest.raises(DataError, match=r"sentiment_en.tsv: class 'negative' has \d+ distinct texts, fewer than the 5000"):
        sample_per_class(data, 5000)
    one_class = ClassificationData(["a", "b"], ["x", "x"], path="one.tsv")
    with pytest.raises(DataError, match=r"^one.tsv: a few-shot sample needs at least 2 classes, found only \['x'\]$"):
        sample_per_class(one_class, 1)
    with pytest.raises(DataError, match=r"^one.tsv: few-shot training needs at least 2 classes"):
        check_few_shot(one_class)
    thin = ClassificationData(["a", "b", "c"], ["x", "x", "y"], path="thin.tsv")
    with pytest.raises(DataError, match=r"^thin.tsv: few-shot training needs at least 2 examples per class; too few: 'y' \(1\)$"):
        check_few_shot(thin)
    with pytest.raises(ValueError, match="per_class"):
        sample_per_class(data, 0)
