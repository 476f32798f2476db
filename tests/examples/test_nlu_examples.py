"""Smoke test: examples/nlu_snips.py runs end to end on a small slice of SNIPS."""

import os
import subprocess
import sys

from tests.conftest import shared_data

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_nlu_snips_runs(tmp_path):
    folder = os.path.dirname(shared_data("snips", "train.tsv"))
    proc = subprocess.run(
        [sys.executable, os.path.join(REPO, "examples", "nlu_snips.py"), "--data", folder, "--out", str(tmp_path),
         "--epochs", "1", "--train_limit", "60", "--test_limit", "20", "--seq_len", "10", "--quantize", "none"],
        capture_output=True, text=True, timeout=600, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "test (TFLite, none): intent accuracy" in proc.stdout and "Android (builtin ops only)  yes" in proc.stdout
    assert "intent agreement 1.00000, tag agreement 1.00000" in proc.stdout
