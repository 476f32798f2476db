"""kill -9 during `train --out DIR` and `export --out FILE`, and bad input in a real process.

Each kill happens at a point found by watching the file system (not after a fixed delay), so
the test is deterministic on a slow machine: when the staging directory appears, when the
new model.keras is in it, when metrics.json (the last file) is in it, when the converter's
temporary directory appears. After each kill, DIR must be the old directory file for file,
or the new one complete; never a mix. The next write sweeps what the killed process left.
"""

import glob
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from keras_slm import files
from tests.reliability.cases import _rows, write

REQUIRED = {"model.keras", "tokenizer.json", "vocab.txt", "labels.txt", "config.json", "model.tflite",
            "metrics.json", "calibration.txt"}


def _hashes(directory):
    return {name: hashlib.sha256(open(os.path.join(directory, name), "rb").read()).hexdigest()
            for name in sorted(os.listdir(directory))}


def _env(tmp):
    return dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", TMPDIR=str(tmp), KERAS_SLM_DEBUG="1")


def _run_until(argv, condition, env, timeout=600):
    """Starts `keras-slm argv`; SIGKILLs it as soon as `condition()` holds. True if it was killed."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "keras_slm", *argv], stdout=subprocess.DEVNULL,
                                stderr=err, env=env)
        deadline = time.time() + timeout
        while proc.poll() is None and time.time() < deadline:
            if condition():
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return True
            time.sleep(0.01)
        proc.kill()
        proc.wait()
        err.seek(0)
        raise AssertionError(f"exited {proc.returncode} before the kill point:\n{err.read().decode()[-3000:]}")


def _partial(out, name=None):
    found = glob.glob(os.path.join(os.path.dirname(out), f".{os.path.basename(out)}.partial-p*"))
    if name is None:
        return bool(found)
    return any(os.path.exists(os.path.join(d, name)) for d in found)


@pytest.mark.parametrize("point", ["staging_created", "model_saved", "metrics_written"])
def test_kill_during_train_leaves_old_or_new_directory(point, model_dir, tmp_path):
    import shutil

    out = str(tmp_path / "model")
    shutil.copytree(model_dir, out)
    old = _hashes(out)
    data = write(str(tmp_path / "three.tsv"), "text\tlabel\n" + "".join(
        f"{t}\t{'abc'[i % 3]}\n" for i, (t, _) in enumerate(_rows())))
    condition = {"staging_created": lambda: _partial(out),
                 "model_saved": lambda: _partial(out, "model.keras"),
                 "metrics_written": lambda: _partial(out, "metrics.json") or not os.path.exists(
                     os.path.join(out, "calibration.txt")) or _hashes(out) != old}[point]
    _run_until(["train", "--data", data, "--out", out, "--model", "awe", "--epochs", "1", "--seq-len", "16"],
               condition, _env(tmp_path))
    now = _hashes(out)
    if now != old:  # then it must be the whole new directory
        assert REQUIRED <= set(now), sorted(now)
        assert open(os.path.join(out, "labels.txt")).read().split() == ["a", "b", "c"]
        assert all(now[name] != old.get(name) for name in ("model.keras", "labels.txt", "metrics.json"))
    # The killed process's staging directory is swept by the next write to the same path.
    with files.atomic_dir(out) as staging:
        for name in os.listdir(out):
            shutil.copy(os.path.join(out, name), staging)
    assert not glob.glob(os.path.join(str(tmp_path), ".model.partial-*"))
    assert _hashes(out) == now


def test_kill_during_export_leaves_old_file(model_dir, tmp_path):
    target = str(tmp_path / "served.tflite")
    old = b"an older file"
    write(target, old)
    converting = lambda: bool(glob.glob(os.path.join(str(tmp_path), "keras_slm_export_p*", "saved_model")))
    _run_until(["export", model_dir, "--out", target, "--latency-runs", "1"], converting, _env(tmp_path))
    assert open(target, "rb").read() == old
    assert glob.glob(os.path.join(str(tmp_path), "keras_slm_export_p*"))  # what a kill -9 leaves ...
    saved = tempfile.tempdir
    tempfile.tempdir = str(tmp_path)
    try:
        with files.temp_dir("keras_slm_export_"):
            pass
    finally:
        tempfile.tempdir = saved
    assert not glob.glob(os.path.join(str(tmp_path), "keras_slm_export_p*"))  # ... is swept by the next export


def test_real_process_bad_input_exits_2_without_traceback(tmp_path):
    """The in-process fuzz cases, once as a real process: no traceback, no signal, status 2."""
    tmp = str(tmp_path)
    bad = write(os.path.join(tmp, "bad.conll"), b"John B-PER\nSm\xffith I-PER\n\n")
    argv = ["train", "--task", "ner", "--data", bad, "--out", f"{tmp}/out"]
    proc = subprocess.run([sys.executable, "-m", "keras_slm", *argv], capture_output=True, text=True,
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"), timeout=300)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[-1].startswith("keras-slm train: error: ") and "bad.conll:2:" in lines[-1], lines[-1]
    assert not os.path.exists(os.path.join(tmp, "out"))
