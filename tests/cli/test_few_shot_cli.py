"""`keras-slm sample` and `keras-slm train --few-shot`: an ordinary classifier directory, one-line errors."""

import json
import os

import numpy as np

from keras_slm.data import read_classification, sample_path
from keras_slm.export import inspect_tflite
from keras_slm.export.android import mediapipe_scores
from keras_slm.tasks.text_classifier import TextClassifier
from keras_slm.cli import main


def cli(*args, check=True):
    """Runs `keras-slm ARGS` in this process (no TensorFlow start-up per call); returns the exit status."""
    status = main(list(args))
    if check:
        assert status == 0, f"keras-slm {' '.join(args)} exited {status}"
    return status


def test_sample_then_train_few_shot(tmp_path, capsys):
    few = str(tmp_path / "few.tsv")
    cli("sample", sample_path("sentiment_en.tsv"), "--per-class", "8", "--seed", "1", "--out", few)
    assert "16 rows (8 per class x 2 classes, seed 1)" in capsys.readouterr().out
    again = str(tmp_path / "again.tsv")
    cli("sample", sample_path("sentiment_en.tsv"), "--per-class", "8", "--seed", "1", "--out", again)
    assert open(few).read() == open(again).read()

    out = str(tmp_path / "model")
    cli("train", "--data", few, "--few-shot", "--model", "tiny_2x128", "--pair-iterations", "2",
        "--seq-len", "24", "--out", out)
    assert "contrastive tuning: 64 pairs" in capsys.readouterr().out
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    info = metrics["validation"]["few_shot"]
    assert info["pairs"] == 2 * 2 * 16 and info["learning_rate"] == 5e-4 and metrics["training"]["epochs"] == 1
    assert metrics["validation"]["accuracy"] == info["train_accuracy"] >= 0.75  # the head fits its 16 rows
    export = metrics["exports"]["none"]
    assert export["android_compatible"] and export["parity"]["max_abs_diff"] <= 1e-4
    info = inspect_tflite(os.path.join(out, "model.tflite"))
    assert not info.flex_ops and not info.custom_ops

    # An ordinary classifier directory: loads, predicts, evaluates (Keras and TFLite agree).
    clf = TextClassifier.load(out)
    assert clf.model.get_layer("embedding") is not None  # unit-length vector under the head, as it was fitted
    texts = read_classification(few).texts
    lite = TextClassifier.load(os.path.join(out, "model.tflite"))
    np.testing.assert_allclose(lite.predict_scores(texts), clf.predict_scores(texts), atol=1e-4)
    cli("evaluate", out, "--data", few, "--json")
    assert json.loads(capsys.readouterr().out)["accuracy"] == metrics["validation"]["accuracy"]
    cli("predict", out, "a lovely day at the park")
    assert capsys.readouterr().out.split("\t")[0] in ("positive", "negative")

    # `export --metadata`: BERT tokenizer metadata; MediaPipe's TextClassifier gives Keras' scores.
    meta = str(tmp_path / "meta.tflite")
    cli("export", out, "--metadata", "--out", meta, "--latency-runs", "3")
    np.testing.assert_allclose(mediapipe_scores(meta, texts[:4]), clf.predict_scores(texts[:4]), atol=1e-4)


def test_few_shot_errors_are_one_line(tmp_path, capsys):
    one = tmp_path / "one.tsv"
    one.write_text("text\tlabel\ngood film\tpos\nfine film\tpos\n")
    thin = tmp_path / "thin.tsv"
    thin.write_text("text\tlabel\ngood film\tpos\nfine film\tpos\nbad film\tneg\n")
    cases = [
        (["train", "--data", str(one), "--few-shot", "--model", "tiny_2x128"], "needs at least 2 classes, found only ['pos']"),
        (["train", "--data", str(thin), "--few-shot", "--model", "tiny_2x128"], "at least 2 examples per class; too few: 'neg' (1)"),
        (["train", "--data", str(thin), "--few-shot"], "at least 2 examples per class; too few: 'neg' (1)"),  # default encoder
        (["sample", str(thin), "--per-class", "2", "--out", str(tmp_path / "s.tsv")],
         "class 'neg' has 1 distinct texts, fewer than the 2 per class asked for"),
        (["train", "--data", str(thin), "--few-shot", "--model", "awe"], "--few-shot trains a transformer encoder"),
    ]
    for args, message in cases:
        status = cli(*args, *(["--out", str(tmp_path / "m")] if args[0] == "train" else []), check=False)
        err = capsys.readouterr().err
        assert status == 2 and message in err and len(err.strip().splitlines()) == 1, err


def test_few_shot_on_a_hugging_face_mpnet_folder(tmp_path, capsys, monkeypatch):
    """`--init` takes an MPNet checkpoint folder (all-mpnet-base-v2's layout; here small and random): the
    classifier exports builtin-only and MediaPipe's BERT tokenizer reads its renamed vocabulary."""
    from tests.tasks.mpnet_checkpoint import write_random_mpnet

    checkpoint = str(tmp_path / "mpnet")
    write_random_mpnet(checkpoint, hidden=16, layers=1, heads=2, intermediate=32, max_positions=40)
    few = str(tmp_path / "few.tsv")
    with open(few, "w", encoding="utf-8") as f:
        f.write("text\tlabel\n" + "".join(f"{t}\t{label}\n" for t, label in [
            ("the film was great fun", "pos"), ("i loved the acting", "pos"), ("a very good story", "pos"),
            ("the movie was awful", "neg"), ("i hated it", "neg"), ("dull and bad", "neg")]))
    out = str(tmp_path / "model")
    cli("train", "--data", few, "--few-shot", "--init", checkpoint, "--pair-iterations", "1", "--seq-len", "16",
        "--out", out)
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    assert metrics["exports"]["none"]["parity"]["max_abs_diff"] <= 1e-4
    info = inspect_tflite(os.path.join(out, "model.tflite"))
    assert not info.flex_ops and not info.custom_ops
    clf = TextClassifier.load(out)
    assert any(layer.name == "mpnet_layer_0" for layer in clf.model._flatten_layers())
    texts = read_classification(few).texts
    meta = str(tmp_path / "meta.tflite")
    cli("export", out, "--metadata", "--out", meta, "--latency-runs", "3")
    np.testing.assert_allclose(mediapipe_scores(meta, texts), clf.predict_scores(texts), atol=1e-4)

    # Without --model, --few-shot takes MPNet where its weights are installed (here: the random folder as the
    # unpacked cache), with MPNet's recipe.
    import shutil

    monkeypatch.setenv("KERAS_SLM_CACHE", str(tmp_path / "cache"))
    shutil.copytree(checkpoint, str(tmp_path / "cache" / "all-mpnet-base-v2"))
    capsys.readouterr()
    cli("train", "--data", few, "--few-shot", "--pair-iterations", "1", "--seq-len", "16", "--out", str(tmp_path / "m2"))
    assert "few-shot encoder: mpnet" in capsys.readouterr().err
    metrics = json.load(open(os.path.join(tmp_path, "m2", "metrics.json")))
    assert metrics["validation"]["few_shot"]["learning_rate"] == 2e-5
