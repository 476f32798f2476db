"""Smoke test: examples/personalise_on_device.py runs its app loop end to end (tiny encoder)."""

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_personalise_example_runs(tmp_path):
    proc = subprocess.run(
        [sys.executable, os.path.join(REPO, "examples", "personalise_on_device.py"), "--encoder", "tiny",
         "--seq_len", "16", "--epochs", "3", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=600, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Android (builtin ops only)  yes" in proc.stdout and "signature train" in proc.stdout
    assert "scores identical: True" in proc.stdout and "after reset: 0 active classes" in proc.stdout
    assert os.path.exists(tmp_path / "user_categories.tflite") and os.path.exists(tmp_path / "vocab.txt")
