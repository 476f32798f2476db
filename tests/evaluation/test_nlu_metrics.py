"""nlu_metrics: slot scores equal seqeval's, sentence accuracy needs the intent and every tag right."""

import random

from seqeval.metrics import f1_score, precision_score, recall_score

from keras_slm.evaluation.nlu import nlu_metrics


def test_equals_seqeval_and_counts_whole_sentences():
    rng = random.Random(0)
    tags = ["O", "B-city", "I-city", "B-date", "I-date"]
    true = [[rng.choice(tags) for _ in range(rng.randint(1, 9))] for _ in range(200)]
    pred = [[t if rng.random() < 0.8 else rng.choice(tags) for t in row] for row in true]
    true_intents = [rng.choice("ABC") for _ in true]
    pred_intents = [i if rng.random() < 0.9 else "D" for i in true_intents]
    m = nlu_metrics(true_intents, pred_intents, true, pred)
    assert abs(m["slot_f1"] - f1_score(true, pred)) < 1e-12
    assert abs(m["slot_precision"] - precision_score(true, pred)) < 1e-12
    assert abs(m["slot_recall"] - recall_score(true, pred)) < 1e-12
    assert m["intent_accuracy"] == sum(a == b for a, b in zip(true_intents, pred_intents)) / 200
    whole = sum(a == b and t == p for a, b, t, p in zip(true_intents, pred_intents, true, pred)) / 200
    assert m["sentence_accuracy"] == whole and 0 < whole < m["intent_accuracy"] and m["n"] == 200
