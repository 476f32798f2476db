from keras_slm.evaluation import classification_metrics, format_classification_table


def test_metrics_by_hand():
    # 3 classes; per-class counts worked out by hand.
    y_true = [0, 0, 1, 1, 2, 2]
    y_pred = [0, 1, 1, 1, 2, 0]
    m = classification_metrics(y_true, y_pred, ["a", "b", "c"])
    assert m["accuracy"] == 4 / 6 and m["n"] == 6
    assert m["per_class"]["a"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert m["per_class"]["b"]["precision"] == 2 / 3 and m["per_class"]["b"]["recall"] == 1.0
    assert abs(m["macro_f1"] - (0.5 + 0.8 + 2 / 3) / 3) < 1e-12
    table = format_classification_table(m)
    assert "macro-F1" in table and table.count("\n") == 4
