"""`keras-slm train --task nlu`, `evaluate --json` and `predict` from the TFLite file (real subprocesses)."""

import json
import os

import pytest

from tests.cli.test_cli import cli
from tests.conftest import shared_data, write_slice


def test_train_evaluate_predict_from_tflite(tmp_path):
    train = write_slice(shared_data("snips", "train.tsv"), str(tmp_path / "train.tsv"), 200)
    dev = write_slice(shared_data("snips", "dev.tsv"), str(tmp_path / "dev.tsv"), 40, start=300)
    out = str(tmp_path / "model")
    stdout = cli("train", "--task", "nlu", "--data", train, "--val", dev, "--out", out, "--epochs", "1",
                 "--seq-len", "16", "--lstm-units", "16", "--char-filters", "8", "--lr", "0.01").stdout
    assert "intent agreement 1.00000, tag agreement 1.00000" in stdout
    for name in ("model.keras", "model.tflite", "tagger.json", "labels.txt", "intents.txt", "metrics.json"):
        assert os.path.exists(os.path.join(out, name)), name
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    assert metrics["exports"]["none"]["path"] == os.path.join(out, "model.tflite")  # not the staging folder
    result = json.loads(cli("evaluate", os.path.join(out, "model.tflite"), "--data", dev, "--json").stdout)
    assert {"intent_accuracy", "slot_f1", "sentence_accuracy", "n"} <= set(result) and result["n"] == 40
    for key in ("intent_accuracy", "slot_f1", "sentence_accuracy"):
        assert result[key] == pytest.approx(metrics["validation"][key], abs=1e-9)
    predicted = json.loads(cli("predict", os.path.join(out, "model.tflite"), "play the new album by adele on spotify",
                               "--json").stdout)[0]
    assert predicted["intent"] in metrics["training"]["intents"] and 0 < predicted["score"] <= 1
    for slot in predicted["slots"]:
        assert set(slot) == {"slot", "text", "start", "end"}
        assert "play the new album by adele on spotify"[slot["start"]:slot["end"]] == slot["text"]


def test_bad_rows_are_one_line_errors_or_skipped(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("text\tintent\tslots\nplay jazz\tPlayMusic\tO B-genre\nplay rock now\tPlayMusic\tO B-genre\n",
                   encoding="utf-8")
    proc = cli("train", "--task", "nlu", "--data", str(bad), "--out", str(tmp_path / "m"), check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].endswith(
        "bad.tsv:3: 2 slot tag(s) for 3 whitespace tokens of the text (Chinese without spaces? --tokenizer char)")
