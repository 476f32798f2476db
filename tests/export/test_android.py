"""`keras-slm export DIR --target android --out FOLDER`: a folder an app can drop into its assets."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from keras_slm.data import read_classification
from keras_slm.export import TFLiteModel, export_android, inspect_tflite, read_associated_file, read_metadata
from keras_slm.export.android import mediapipe_scores
from keras_slm.training import train_classifier
from tests.conftest import shared_data, write_slice


def cli(*args):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run([sys.executable, "-m", "keras_slm", *args], capture_output=True, text=True, env=env, timeout=600)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    src = shared_data("sst2", "train.tsv")
    root = tmp_path_factory.mktemp("android")
    keras.utils.set_random_seed(0)
    clf, _, _ = train_classifier(read_classification(write_slice(src, str(root / "train.tsv"), 1500)),
                                 model="lstm", epochs=1, seq_len=24, verbose=0)
    clf.save(str(root / "model"))
    with open(src, encoding="utf-8") as f:
        texts = [line.split("\t")[0] for line in f.readlines()[60001:60200]]
    (root / "model" / "calibration.txt").write_text("".join(t + "\n" for t in texts), encoding="utf-8")
    return clf, str(root / "model"), texts


def test_cli_android_folder_is_complete_and_loads_in_mediapipe(model_dir, tmp_path):
    clf, directory, texts = model_dir
    folder = str(tmp_path / "assets")
    proc = cli("export", directory, "--target", "android", "--out", folder, "--golden", "60", "--latency-runs", "5", "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert sorted(os.listdir(folder)) == sorted(["model.tflite", "vocab.txt", "labels.txt", "model.json", "golden.json", "MODEL_CARD.md"])

    model = os.path.join(folder, "model.tflite")
    info = inspect_tflite(model)
    assert info.num_subgraphs == 1 and "WHILE" not in info.ops and info.android_compatible  # LSTM unrolled
    meta = json.loads(read_metadata(model))
    assert meta["name"] == "model" and meta["license"] == "Apache-2.0"
    assert read_associated_file(model, "labels.txt").decode().split() == clf.labels.labels

    golden = json.load(open(os.path.join(folder, "golden.json"), encoding="utf-8"))
    assert len(golden["cases"]) == 60
    texts60 = [c["text"] for c in golden["cases"]]
    # The file with metadata still runs in the plain LiteRT interpreter and gives the golden scores.
    ids = np.asarray([c["ids"] for c in golden["cases"]], dtype=np.int32)
    np.testing.assert_array_equal(TFLiteModel(model).predict(ids), np.asarray([c["scores"] for c in golden["cases"]], np.float32))
    # MediaPipe Tasks on raw text agrees with Keras (the acceptance bar), as the report says.
    expected = clf.model.predict(clf.encode(texts60), verbose=0)
    assert np.max(np.abs(mediapipe_scores(model, texts60) - expected)) <= 1e-5
    assert result["mediapipe"]["n"] == 60 and result["mediapipe"]["max_abs_diff"] <= 1e-5
    assert result["mediapipe"]["argmax_agreement"] == 1.0

    runtime = json.load(open(os.path.join(folder, "model.json"), encoding="utf-8"))
    assert runtime["seq_len"] == 24 and runtime["tokenizer"]["kind"] == "word" and runtime["labels"] == clf.labels.labels
    assert runtime["inputs"][0]["shape"] == [1, 24] and runtime["inputs"][0]["dtype"] == "int32"
    vocab = open(os.path.join(folder, "vocab.txt"), encoding="utf-8").read().splitlines()
    assert vocab[:3] == ["<PAD> 0", "<START> 1", "<UNKNOWN> 2"] and len(vocab) == clf.tokenizer.vocab_size
    card = open(os.path.join(folder, "MODEL_CARD.md"), encoding="utf-8").read()
    assert "MediaPipe TextClassifier vs Keras on 60 sentences" in card and "lowercase" in card
    # Sizes are of the file on disk, metadata included (issue 19.10: they were the size before metadata).
    size = os.path.getsize(model)
    assert result["export"]["size_bytes"] == size > result["export"]["size_bytes_without_metadata"]
    assert f"{size:,} bytes" in card


def test_python_api_quantized_folder(model_dir, tmp_path):
    _, directory, texts = model_dir
    result = export_android(directory, str(tmp_path / "dynamic"), quantize="dynamic", samples=texts, golden=20,
                            latency_runs=0, verify_mediapipe=True)
    model = os.path.join(result.folder, "model.tflite")
    assert inspect_tflite(model).num_subgraphs == 1 and read_metadata(model) is not None
    assert result.mediapipe["argmax_agreement"] >= 0.9  # int8 weights: coarser scores, labels mostly agree
    assert result.mediapipe["max_abs_diff_vs_litert"] <= 1e-5  # MediaPipe runs the very same file
    golden = json.load(open(os.path.join(result.folder, "golden.json"), encoding="utf-8"))
    assert golden["atol"] == 2e-2 and len(golden["cases"]) == 20


def test_cli_android_without_out_folder_is_a_one_line_error(model_dir, capsys):
    from keras_slm.cli import main

    _, directory, _ = model_dir
    assert main(["export", directory, "--target", "android"]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith("--target android needs --out FOLDER (a folder to copy into app/src/main/assets)")


def test_our_commands_read_the_files_we_write(model_dir, tmp_path, capsys):
    """Issue 19.6: an Android folder and a .tflite exported with --metadata outside its model directory
    (no config.json beside either) work with predict, evaluate and serve's predictor."""
    from keras_slm.cli import main
    from keras_slm.cli._common import unpacked
    from keras_slm.serving.predictor import make_predictor

    clf, directory, texts = model_dir
    folder = str(tmp_path / "assets")
    export_android(directory, folder, samples=texts, golden=5, latency_runs=0, verify_mediapipe=False)
    packed = str(tmp_path / "elsewhere" / "packed.tflite")
    assert main(["export", directory, "--metadata", "--out", packed, "--latency-runs", "1"]) == 0
    data = tmp_path / "eval.tsv"
    predicted = [r["label"] for r in clf.predict(texts[:40])]
    data.write_text("text\tlabel\n" + "".join(f"{t}\t{y}\n" for t, y in zip(texts[:40], predicted)), encoding="utf-8")
    expected = clf.model.predict(clf.encode(texts[:5]), verbose=0)
    for target in (folder, os.path.join(folder, "model.tflite"), packed):
        capsys.readouterr()
        assert main(["predict", target, *texts[:5], "--json"]) == 0, target
        got = [[r["scores"][label] for label in clf.labels.labels] for r in json.loads(capsys.readouterr().out)]
        np.testing.assert_allclose(got, expected, atol=1e-5)
        assert main(["evaluate", target, "--data", str(data), "--json"]) == 0, target
        assert json.loads(capsys.readouterr().out)["accuracy"] >= 0.95
    predictor = make_predictor(unpacked(folder, directory=True))
    assert [p["label"] for p in predictor.predict(texts[:5])] == predicted[:5]
