"""`keras-slm tune`: KerasTuner over train's options, best model directory and results table (issue 19)."""

import csv
import json
import os

from keras_slm.cli import main
from keras_slm.models import TextClassifier
from tests.conftest import shared_data, write_slice


def test_tune_two_trials_writes_best_model_dir_and_table(tmp_path, capsys):
    data = write_slice(shared_data("sst2", "train.tsv"), str(tmp_path / "train.tsv"), 300)
    out = str(tmp_path / "best")
    rc = main(["tune", "--data", data, "--out", out, "--max-trials", "2", "--epochs", "1", "--models", "awe",
               "--lrs", "1e-3,1e-2", "--seq-lens", "16"])
    assert rc == 0
    stdout = capsys.readouterr().out
    rows = list(csv.DictReader(open(os.path.join(out, "tuning.tsv")), delimiter="\t"))
    assert len(rows) == 2 and {float(r["lr"]) for r in rows} == {1e-3, 1e-2}
    best = max(rows, key=lambda r: float(r["accuracy"]))
    assert sum(r["best"] == "True" for r in rows) == 1 and float(best["accuracy"]) == max(float(r["accuracy"]) for r in rows)
    summary = json.load(open(os.path.join(out, "tuning.json")))
    assert summary["objective"] == "accuracy" and len(summary["trials"]) == 2
    # --out is the best trial's `keras-slm train` directory: its metrics and a loadable model.
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    chosen = next(r for r in rows if r["best"] == "True")
    assert metrics["validation"]["accuracy"] == float(chosen["accuracy"])
    assert metrics["training"]["learning_rate"] == float(chosen["lr"]) and metrics["training"]["seq_len"] == 16
    assert os.path.exists(os.path.join(out, "model.tflite"))
    assert TextClassifier.load(out).predict(["a fine film"])[0]["label"] in ("negative", "positive")
    assert "best: trial" in stdout
    assert main(["tune", "--data", data, "--out", out, "--max-trials", "1"]) == 2  # --out exists: one-line error
