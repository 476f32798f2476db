"""`keras-slm train --task lm`, `evaluate` and `generate` on a language-model directory (real subprocesses)."""

import json
import os

import pytest

from tests.cli.test_cli import cli
from tests.conftest import shared_data


@pytest.fixture(scope="module")
def lm_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("lm_cli")
    text = root / "train.txt"
    with open(shared_data("tiny_shakespeare", "input.txt"), encoding="utf-8") as f:
        text.write_text(f.read()[:20000], encoding="utf-8")
    out = str(root / "lm")
    proc = cli("train", "--task", "lm", "--text", str(text), "--out", out, "--tokenizer", "char", "--units", "48",
               "--epochs", "2", "--seq-len", "48", "--quantize", "dynamic", "--prompts", "5")
    return out, str(text), proc.stdout


def test_train_writes_lm_dir(lm_dir):
    out, _, stdout = lm_dir
    for name in ("model.keras", "model.tflite", "model_dynamic.tflite", "tokenizer.json", "vocab.txt",
                 "config.json", "metrics.json"):
        assert os.path.exists(os.path.join(out, name)), name
    assert json.load(open(os.path.join(out, "config.json")))["task"] == "language_model"
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    assert metrics["exports"]["none"]["android_compatible"] and metrics["exports"]["none"]["parity"]["n"] == 5
    assert "validation loss" in stdout and "perplexity" in stdout
    # --units 48 reached the model (issue 19.1: it was dropped, giving 256 units): embedding 64 + LSTM 48 + dense.
    vocab = metrics["training"]["vocab_size"]
    assert metrics["validation"]["params"] == vocab * 64 + 4 * 48 * (64 + 48 + 1) + (48 + 1) * vocab


def test_evaluate_prints_loss_and_perplexity(lm_dir):
    out, text, _ = lm_dir
    result = json.loads(cli("evaluate", out, "--data", text, "--json").stdout)
    assert 0 < result["loss"] < 4.5 and result["perplexity"] == pytest.approx(2.718281828 ** result["loss"], rel=1e-6)
    assert result["tokens"] == 20000


def test_generate_keras_and_tflite_agree(lm_dir):
    out, _, _ = lm_dir
    greedy = [cli("generate", target, "--prompt", "ROMEO:", "--max-tokens", "25").stdout
              for target in (out, os.path.join(out, "model.tflite"))]
    assert greedy[0] == greedy[1] and greedy[0].startswith("ROMEO:")
    suggestions = json.loads(cli("generate", out, "--prompt", "the ki", "--suggest", "3", "--json").stdout)
    assert len(suggestions["suggestions"]) == 3
    assert all(s["word"].startswith("ki") for s in suggestions["suggestions"])


def test_lm_errors_are_one_line(tmp_path):
    proc = cli("train", "--task", "lm", "--out", str(tmp_path / "x"), check=False)
    assert proc.returncode == 2 and "--text" in proc.stderr and "Traceback" not in proc.stderr
