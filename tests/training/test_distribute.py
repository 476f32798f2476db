"""Distribution: MirroredStrategy over 2 logical CPUs and MultiWorkerMirroredStrategy with 2 local workers.

Both run in child processes: logical devices and TF_CONFIG must be set before TensorFlow starts.
"""

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

from keras_slm.training import distribute

WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "distribute_worker.py")


def _result(output):
    lines = [line for line in output.splitlines() if line.startswith("@@RESULT@@")]
    assert lines, output[-3000:]
    return json.loads(lines[-1][len("@@RESULT@@"):])


def _free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def test_make_strategy_validates():
    with pytest.raises(ValueError, match="must be one of"):
        distribute.make_strategy("tpu")
    assert distribute.make_strategy("default").num_replicas_in_sync == 1


def test_is_chief(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    assert distribute.is_chief()
    cluster = {"worker": ["a:1", "b:2"]}
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": cluster, "task": {"type": "worker", "index": 1}}))
    assert not distribute.is_chief()
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": cluster, "task": {"type": "worker", "index": 0}}))
    assert distribute.is_chief()


def test_mirrored_two_cpu_replicas_match_one_device(tmp_path):
    out = str(tmp_path / "model")
    proc = subprocess.run([sys.executable, WORKER, "mirrored", out], capture_output=True, text=True, timeout=400)
    r = _result(proc.stdout + proc.stderr)
    assert r["replicas"] == 2
    assert r["cli_rc"] == 0 and "strategy mirrored: 2 replica(s)" in proc.stdout
    with open(os.path.join(out, "metrics.json")) as f:
        assert json.load(f)["exports"]["none"]["parity"]["max_abs_diff"] < 1e-4
    np.testing.assert_allclose(r["mirrored"]["loss"], r["single"]["loss"], atol=1e-5)
    assert r["max_weight_diff"] < 1e-5


@pytest.fixture(scope="module")
def two_workers():
    ports = ",".join(map(str, _free_ports(2)))
    procs = [
        subprocess.Popen([sys.executable, WORKER, "multiworker", str(i), ports],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for i in range(2)
    ]
    outputs = []
    for p in procs:
        try:
            outputs.append(p.communicate(timeout=240)[0])
        except subprocess.TimeoutExpired:
            for q in procs:
                q.kill()
            pytest.fail("the 2-worker run took over 240 s")
    return [_result(out) for out in outputs]


def test_multiworker_two_processes_train_and_agree(two_workers):
    a, b = two_workers
    assert a["replicas"] == b["replicas"] == 2
    assert a["chief"] and not b["chief"]
    assert len(a["history"]["loss"]) == 2
    np.testing.assert_allclose(a["history"]["loss"], b["history"]["loss"], rtol=1e-6)
    assert a["weight_sum"] == pytest.approx(b["weight_sum"], rel=1e-6)
    assert np.isfinite(a["history"]["loss"]).all()


def test_keras_still_needs_the_multiworker_fixes(two_workers):
    """Fails once Keras fixes keras-team/keras#20585: then delete the patches in keras_slm/training/distribute.py."""
    for worker in two_workers:
        assert worker["unpatched_error"] is not None, (
            "Keras' own multi-worker fit now works: remove apply_keras_fixes() from keras_slm/training/distribute.py"
        )
