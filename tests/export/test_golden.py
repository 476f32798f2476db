"""Golden vectors: golden.json records what the Python side gives, so an app can replay it."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from keras_slm.data import read_classification
from keras_slm.errors import DataError
from keras_slm.export import TFLiteModel, read_golden, write_golden
from keras_slm.export.golden import pick_texts
from keras_slm.training import train_classifier
from tests.conftest import shared_data, write_slice


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    src = shared_data("sst2", "train.tsv")
    root = tmp_path_factory.mktemp("golden")
    keras.utils.set_random_seed(0)
    clf, _, _ = train_classifier(read_classification(write_slice(src, str(root / "train.tsv"), 1500)),
                                 model="awe", epochs=1, seq_len=24, verbose=0)
    clf.save(str(root / "model"))
    with open(src, encoding="utf-8") as f:
        texts = [line.split("\t")[0] for line in f.readlines()[60001:60200]]
    (root / "samples.txt").write_text("".join(t + "\n" for t in texts), encoding="utf-8")
    return clf, str(root / "model"), str(root / "samples.txt"), texts


def test_golden_records_ids_and_the_files_outputs(model_dir, tmp_path):
    clf, _, _, texts = model_dir
    tflite = str(tmp_path / "model.tflite")
    clf.export(tflite, sample_texts=texts, latency_threads=())
    doc = write_golden(str(tmp_path / "golden.json"), clf, texts + texts[:5] + [" ", ""], tflite=tflite, n=60)
    assert doc == read_golden(str(tmp_path / "golden.json"))
    cases = doc["cases"]
    assert len(cases) == 60 and len({c["text"] for c in cases}) == 60  # distinct, blanks dropped
    ids = np.asarray([c["ids"] for c in cases], dtype=np.int32)
    np.testing.assert_array_equal(ids, clf.encode([c["text"] for c in cases]))
    assert (ids[:, 0] == 1).all() and ids.shape == (60, 24)
    scores = np.asarray([c["scores"] for c in cases], dtype=np.float32)
    np.testing.assert_array_equal(scores, TFLiteModel(tflite).predict(ids))
    assert [c["label"] for c in cases] == [clf.labels.labels[i] for i in scores.argmax(1)]
    assert cases[0]["tokens"] == clf.tokenizer.tokenize(cases[0]["text"])
    assert doc["model_file"] == "model.tflite" and doc["seq_len"] == 24 and doc["atol"] == 1e-4
    assert doc["tokenizer"] == {"kind": "word", "lowercase": True, "vocab_file": "vocab.txt"}
    assert doc["max_abs_diff_vs_keras"] < 1e-5


def test_cli_export_golden_writes_beside_the_output(model_dir, tmp_path):
    _, directory, samples, texts = model_dir
    out = str(tmp_path / "out" / "model_dynamic.tflite")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run([sys.executable, "-m", "keras_slm", "export", directory, "--quantize", "dynamic",
                           "--out", out, "--samples", samples, "--golden", "50", "--metadata", "--latency-runs", "5",
                           "--json"], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)  # stdout stays pure JSON
    assert report["num_subgraphs"] == 1
    doc = read_golden(str(tmp_path / "out" / "golden.json"))
    assert len(doc["cases"]) == 50 and doc["cases"][0]["text"] == pick_texts(texts, 1)[0]
    assert doc["atol"] == 2e-2  # quantized kernels may round differently on ARM
    ids = np.asarray([c["ids"] for c in doc["cases"]], dtype=np.int32)
    np.testing.assert_allclose(TFLiteModel(out).predict(ids), [c["scores"] for c in doc["cases"]], atol=1e-6)


def test_read_golden_rejects_other_files(tmp_path):
    path = tmp_path / "golden.json"
    path.write_text('{"cases": []}')
    with pytest.raises(DataError, match="not a golden file"):
        read_golden(str(path))
    path.write_text('{"format": ')
    with pytest.raises(DataError, match=r"golden.json:1: not valid JSON"):
        read_golden(str(path))
