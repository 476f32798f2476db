"""Smoke tests: the language-model examples run end to end as a user would run them."""

import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_example(script, *args):
    proc = subprocess.run(
        [sys.executable, os.path.join(REPO, "examples", script), *args],
        capture_output=True, text=True, timeout=600, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_next_word_lstm(tmp_path):
    out = run_example("next_word_lstm.py", "--out", str(tmp_path), "--epochs", "30")
    assert "suggestions (TFLite):" in out
    assert len(re.findall(r"Android \(builtin ops only\) +yes", out)) == 2  # float and dynamic files
    assert "'see you '" in out and "greedy continuations identical to Keras" in out
    assert os.path.exists(tmp_path / "model.tflite") and os.path.exists(tmp_path / "model_dynamic.tflite")


def test_generate_text(tmp_path):
    out = run_example("generate_text.py", "--out", str(tmp_path), "--epochs", "1", "--max_chars", "20000",
                      "--max_tokens", "40", "--seq_len", "32")
    for strategy in ("greedy", "temperature", "top_k", "top_p"):
        assert f"--- {strategy} (seed 1) ---" in out
    assert "--- greedy from model.tflite ---" in out and "ms per token" in out
