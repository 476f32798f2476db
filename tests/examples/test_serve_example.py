"""Smoke test: examples/serve_model.py runs end to end (registry, pull, HTTP server, queries)."""

import os
import subprocess
import sys

from tests.registry.tiny_model import model_dir  # noqa: F401 (fixture)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_serve_example_runs(model_dir, tmp_path):  # noqa: F811
    proc = subprocess.run(
        [sys.executable, os.path.join(REPO, "examples", "serve_model.py"), "--model_dir", model_dir,
         "--out", str(tmp_path), "--requests", "20"],
        capture_output=True, text=True, timeout=300, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=REPO),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "published sentiment@1.0.0 and sentiment@1.1.0" in out
    assert "lineage: sentiment@1.1.0 <- sentiment@1.0.0" in out
    assert "malformed JSON -> 400 malformed_json" in out and "1000 texts     -> 413 batch_too_large" in out
    assert 'keras_slm_requests_total{method="POST",path="/v1/predict",status="200"} 21.0' in out
