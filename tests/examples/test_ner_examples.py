"""Smoke tests: the NER examples run end to end on small slices of ../shared/data."""

import os
import subprocess
import sys

import pytest

from tests.conftest import shared_data

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.parametrize("script, data, flags", [
    ("ner_bilstm_crf.py", "wikiann_en", ["--train_limit", "400", "--test_limit", "80", "--seq_len", "16"]),
    ("ner_chinese.py", "resume_zh", ["--train_limit", "150", "--seq_len", "32"]),
])
def test_example_runs(script, data, flags, tmp_path):
    folder = os.path.dirname(shared_data(data, "train.txt"))
    proc = subprocess.run(
        [sys.executable, os.path.join(REPO, "examples", script), "--data", folder, "--out", str(tmp_path),
         "--epochs", "1", *flags],
        capture_output=True, text=True, timeout=600, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "test entity F1 (TFLite, dynamic)" in proc.stdout and "overall" in proc.stdout
    assert "Android (builtin ops only)  yes" in proc.stdout
    assert os.path.exists(tmp_path / "model_dynamic.tflite")
