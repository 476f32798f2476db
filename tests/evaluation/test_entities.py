import random

import pytest
from seqeval.metrics import classification_report, f1_score, precision_score, recall_score

from keras_slm.data import read_conll
from keras_slm.evaluation import entity_metrics, format_entity_table
from tests.conftest import shared_data


def noisy_predictions(tags, rate, seed):
    """Prediction-like corruptions: shifted boundaries, wrong types, dropped and invalid I- starts."""
    rng = random.Random(seed)
    labels = sorted({t for s in tags for t in s})
    out = []
    for sentence in tags:
        pred = list(sentence)
        for i in range(len(pred)):
            if rng.random() < rate:
                pred[i] = rng.choice(labels)
        out.append(pred)
    return out


@pytest.mark.parametrize("name", ["wnut17", "resume_zh"])
def test_equal_to_seqeval(name):
    data = read_conll(shared_data(name, "dev.txt"))
    true = data.tags[:400]
    for rate, seed in [(0.0, 0), (0.05, 1), (0.3, 2)]:
        pred = noisy_predictions(true, rate, seed)
        m = entity_metrics(true, pred)
        assert m["f1"] == pytest.approx(f1_score(true, pred), abs=1e-12)
        assert m["precision"] == pytest.approx(precision_score(true, pred), abs=1e-12)
        assert m["recall"] == pytest.approx(recall_score(true, pred), abs=1e-12)
        report = classification_report(true, pred, output_dict=True, zero_division=0)
        for type_, row in m["per_type"].items():
            if row["support"]:
                assert row["f1"] == pytest.approx(report[type_]["f1-score"], abs=1e-12)
                assert row["support"] == report[type_]["support"]
    assert m["n"] == 400 and "overall" in format_entity_table(m)


def test_empty_and_mismatched():
    m = entity_metrics([["O", "O"]], [["O", "O"]])
    assert (m["f1"], m["precision"], m["recall"]) == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="Sentence 0: 2 true tags but 1 predicted"):
        entity_metrics([["O", "O"]], [["O"]])
