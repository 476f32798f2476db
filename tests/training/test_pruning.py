"""`prune_classifier`: a trained classifier fine-tuned to a target sparsity, exported with zeros that compress."""

import numpy as np
import pytest

from keras_slm.callbacks import gzip_size, sparsity
from keras_slm.data import read_classification, sample_path
from keras_slm.training import holdout_split, train_classifier, train_transformer_classifier
from keras_slm.training.pruning import prune_classifier


@pytest.fixture(scope="module")
def splits():
    train, val = holdout_split(read_classification(sample_path("sentiment_en.tsv")), 0.2, seed=0)
    return train, val


def _train(kind, train, val):
    if kind == "rnn":
        return train_classifier(train, val, model="lstm", seq_len=24, epochs=1, verbose=0)[0]
    return train_transformer_classifier(train, val, model="tiny_2x128", seq_len=16, vocab_size=1000, epochs=1,
                                        verbose=0)[0]


@pytest.mark.parametrize("kind", ["rnn", "transformer"])
def test_prune_classifier_reaches_target_and_exports(kind, splits, tmp_path):
    train, val = splits
    epochs = 2 if kind == "rnn" else 1  # the transformer: fewer rows and steps (slow on 2 cores)
    if kind == "transformer":
        train, val = train.subset(range(120)), val.subset(range(20))
    clf = _train(kind, train, val)
    dense = clf.export(str(tmp_path / "dense.tflite"), latency_threads=())
    result = prune_classifier(clf, train, val, final_sparsity=0.7, epochs=epochs, verbose=0)
    assert result["sparsity"] == pytest.approx(0.7, abs=0.01) and result["pruned_weights"] >= 3
    assert sparsity(clf.model)["overall"] == pytest.approx(0.7, abs=0.02)  # stripped: zeros stay in the model
    assert 0 <= result["accuracy"] <= 1 and len(result["history"]["loss"]) == epochs
    report = clf.export(str(tmp_path / "pruned.tflite"), sample_texts=val.texts[:20], latency_threads=())
    assert report.parity["max_abs_diff"] < 1e-4
    assert gzip_size(report.path) < 0.75 * gzip_size(dense.path)


def test_zero_sparsity_fine_tunes_without_pruning(splits):
    train, val = splits
    clf = _train("rnn", train, val)
    before = [np.copy(w) for w in clf.model.get_weights()]
    result = prune_classifier(clf, train, None, final_sparsity=0.0, epochs=1, verbose=0)
    assert result["sparsity"] < 0.05 and "accuracy" not in result
    assert any(not np.array_equal(a, b) for a, b in zip(before, clf.model.get_weights()))


def test_prune_classifier_rejects_bad_arguments(splits):
    train, val = splits
    clf = _train("rnn", train, val)
    with pytest.raises(ValueError, match="`epochs`"):
        prune_classifier(clf, train, epochs=0)
    with pytest.raises(ValueError, match="final_sparsity"):
        prune_classifier(clf, train, final_sparsity=1.0, verbose=0)
