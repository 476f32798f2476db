"""The `keras-slm` command end to end, as a user runs it (real subprocesses)."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import write_slice


def cli(*args, stdin=None, check=True):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run(
        [sys.executable, "-m", "keras_slm", *args], input=stdin, capture_output=True, text=True, env=env, timeout=600
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"keras-slm {' '.join(args)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    return proc


@pytest.fixture(scope="module")
def trained(sst2_slices, tmp_path_factory):
    train, test = sst2_slices
    out = str(tmp_path_factory.mktemp("cli") / "model")
    small = write_slice(train, os.path.join(os.path.dirname(out), "train_small.tsv"), 1500)
    proc = cli("train", "--data", small, "--model", "awe", "--out", out, "--epochs", "3",
               "--seq-len", "32", "--quantize", "dynamic")
    return out, test, proc.stdout


def test_train_writes_everything(trained):
    out, _, stdout = trained
    for name in ("model.keras", "model.tflite", "model_dynamic.tflite", "tokenizer.json", "vocab.txt",
                 "labels.txt", "config.json", "metrics.json", "calibration.txt"):
        assert os.path.exists(os.path.join(out, name)), name
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    assert metrics["training"]["train_rows"] == 1350 and metrics["training"]["val_rows"] == 150
    assert metrics["exports"]["none"]["android_compatible"]
    assert metrics["exports"]["none"]["parity"]["max_abs_diff"] <= 1e-4
    assert "validation accuracy" in stdout
    assert open(os.path.join(out, "labels.txt")).read().split() == ["negative", "positive"]


def test_evaluate_dir_keras_and_tflite_agree(trained):
    out, test, _ = trained
    results = {}
    for target in (out, os.path.join(out, "model.keras"), os.path.join(out, "model.tflite")):
        results[target] = json.loads(cli("evaluate", target, "--data", test, "--json").stdout)
    accuracies = [r["accuracy"] for r in results.values()]
    assert all(r["n"] == 500 for r in results.values())
    assert max(accuracies) - min(accuracies) < 1e-9
    assert set(results[out]["per_class"]) == {"negative", "positive"}
    table = cli("evaluate", out, "--data", test).stdout
    assert "macro-F1" in table and "negative" in table


def test_predict_args_and_stdin(trained):
    out, _, _ = trained
    lines = cli("predict", os.path.join(out, "model.tflite"), "a gorgeous , witty film", "dull and lifeless").stdout.splitlines()
    assert len(lines) == 2 and all(line.split("\t")[0] in ("negative", "positive") for line in lines)
    results = json.loads(cli("predict", out, "--json", stdin="one\n\ntwo\n").stdout)
    assert [r["text"] for r in results] == ["one", "two"]
    assert abs(sum(results[0]["scores"].values()) - 1) < 1e-5


def test_export_inspect_bench(trained, tmp_path):
    out, test, _ = trained
    target = str(tmp_path / "f16.tflite")
    report = json.loads(cli("export", out, "--quantize", "float16", "--out", target, "--eval", test,
                            "--latency-runs", "200", "--json").stdout)
    assert report["quantize"] == "float16" and report["metric"]["n"] == 500
    assert report["parity"]["max_abs_diff"] <= 1e-3 and set(report["latency"]) == {"1", "2"}
    info = cli("inspect", target)
    assert "Android-compatible" in info.stdout and "input_ids" in info.stdout
    bench = json.loads(cli("bench", target, "--threads", "1", "--runs", "50", "--json").stdout)
    assert bench["latency"]["1"]["runs"] == 50


def test_inspect_flags_keras_default_export_of_lstm(tmp_path):
    from keras_slm.models import lstm_classifier

    path = str(tmp_path / "keras_default.tflite")
    lstm_classifier(vocab_size=50, num_classes=2).export(path, format="litert", verbose=False)
    proc = cli("inspect", path, check=False)
    assert proc.returncode == 1
    assert "NOT Android-compatible" in proc.stdout and "Flex" in proc.stdout


def test_int8_export_one_step(trained, tmp_path):
    out, _, _ = trained
    report = json.loads(cli("export", out, "--quantize", "int8", "--out", str(tmp_path / "q.tflite"),
                            "--latency-runs", "200", "--json").stdout)
    assert report["android_compatible"] and report["parity"]["argmax_agreement"] >= 0.98


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"text\tlabel\ngood\tpositive\n\tnegative\n", ":3: empty text"),
        (b"sentence\tlabel\ngood\tpositive\n", ":1: missing column(s) ['text']"),
        (b"text\tlabel\ngood\tpositive\nbad \xfe\tnegative\n", ":3: invalid UTF-8"),
        (b"", ": the file is empty"),
    ],
)
def test_bad_training_file_one_line_error(tmp_path, content, expected):
    path = tmp_path / "bad.tsv"
    path.write_bytes(content)
    proc = cli("train", "--data", str(path), "--out", str(tmp_path / "m"), check=False)
    assert proc.returncode == 2
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1, proc.stderr
    assert (str(path) + expected) in err[0], err[0]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "m").exists()


def test_unseen_label_at_evaluation_and_skip(trained, tmp_path):
    out, _, _ = trained
    path = tmp_path / "eval.tsv"
    path.write_text("text\tlabel\ngood film\tpositive\nodd film\tneutral\n\tnegative\n", encoding="utf-8")
    proc = cli("evaluate", out, "--data", str(path), check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{path}:4: empty text" in proc.stderr
    proc = cli("evaluate", out, "--data", str(path), "--skip-bad-rows", "--json")
    result = json.loads(proc.stdout)
    assert result["n"] == 1 and result["skipped"] == 2
    assert "skipped 1 bad row" in proc.stderr
    path.write_text("text\tlabel\ngood film\tpositive\nodd film\tneutral\n", encoding="utf-8")
    proc = cli("evaluate", out, "--data", str(path), check=False)
    assert proc.returncode == 2 and f"{path}:3: label 'neutral' was not seen in training" in proc.stderr


def test_missing_model_and_file_errors(tmp_path):
    proc = cli("evaluate", str(tmp_path / "nope"), "--data", "x.tsv", check=False)
    assert proc.returncode == 2 and "no such" in proc.stderr and "Traceback" not in proc.stderr
    proc = cli("inspect", str(tmp_path / "nope.tflite"), check=False)
    assert proc.returncode == 2 and "no such file" in proc.stderr
