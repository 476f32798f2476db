"""`keras-slm train --task ner`, `evaluate` and `predict` on a tagger directory (real subprocesses)."""

import json
import os
import re

import pytest

from keras_slm.data import read_conll, write_conll
from tests.cli.test_cli import cli
from tests.conftest import shared_data


def conll_slice(name, split, n, path):
    data = read_conll(shared_data(name, f"{split}.txt")).subset(range(n))
    write_conll(path, data.tokens, data.tags)
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("ner_cli")
    train = conll_slice("wikiann_en", "train", 800, str(root / "train.txt"))
    dev = conll_slice("wikiann_en", "dev", 100, str(root / "dev.txt"))
    out = str(root / "model")
    proc = cli("train", "--task", "ner", "--data", train, "--val", dev, "--model", "bilstm_crf", "--out", out,
               "--epochs", "2", "--seq-len", "16", "--lr", "0.005")
    return out, dev, proc.stdout, proc.stderr


def test_train_evaluate_predict(trained):
    out, dev, stdout, stderr = trained
    # Issue 19.12: no tag-id "max |diff|", no Keras end-of-data or shuffle warnings, a progress bar per epoch.
    assert "max |diff|" not in stdout and "ran out of data" not in stdout + stderr
    assert "`shuffle=True`" not in stdout + stderr and "epoch 1/2" in stdout
    assert re.search(r"\b(\d+)/\1\b", stdout)  # a progress bar that reaches the epoch's last batch
    for name in ("model.keras", "model.tflite", "tagger.json", "labels.txt", "config.json", "metrics.json"):
        assert os.path.exists(os.path.join(out, name)), name
    assert "validation entity F1" in stdout and "tag agreement 1.00000 on" in stdout
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    assert metrics["exports"]["none"]["android_compatible"]
    result = json.loads(cli("evaluate", os.path.join(out, "model.tflite"), "--data", dev, "--json").stdout)
    assert set(result) >= {"f1", "precision", "recall", "n"} and result["n"] == 100
    assert result["f1"] == pytest.approx(metrics["validation"]["f1"], abs=0.02)
    text = cli("predict", out, "Barack Obama visited Paris .").stdout
    assert text.startswith("Barack Obama visited Paris .\t")


def test_bad_file_is_one_line_error(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("Paris\tB-LOC\nis\tO\nnice\tX-ADJ\n", encoding="utf-8")
    proc = cli("train", "--task", "ner", "--data", str(bad), "--out", str(tmp_path / "m"), check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith("bad.txt:3: 'X-ADJ' is not a tag (expected O or B-/I-/E-/S-/M-TYPE); line: 'nice\\tX-ADJ'")


def test_transformer_crf_train_evaluate_predict(tmp_path):
    train = conll_slice("wikiann_en", "train", 300, str(tmp_path / "train.txt"))
    dev = conll_slice("wikiann_en", "dev", 60, str(tmp_path / "dev.txt"))
    out = str(tmp_path / "model")
    stdout = cli("train", "--task", "ner", "--data", train, "--val", dev, "--model", "transformer_crf",
                 "--encoder", "tiny_2x128", "--out", out, "--epochs", "1", "--seq-len", "24", "--lr", "0.001").stdout
    assert "tag agreement 1.00000 on" in stdout
    for name in ("model.keras", "model.tflite", "tokenizer.json", "vocab.txt", "tagger.json", "labels.txt"):
        assert os.path.exists(os.path.join(out, name)), name
    keras_result = json.loads(cli("evaluate", out, "--data", dev, "--json").stdout)
    lite_result = json.loads(cli("evaluate", os.path.join(out, "model.tflite"), "--data", dev, "--json").stdout)
    assert keras_result["n"] == lite_result["n"] == 60 and lite_result["f1"] == pytest.approx(keras_result["f1"])
    assert cli("predict", out, "Barack Obama visited Paris .").stdout.startswith("Barack Obama visited Paris .\t")


def test_glove_word_vectors_and_sizes(tmp_path):
    from keras_slm.models.sequence_tagger import SequenceTagger

    train = conll_slice("wikiann_en", "train", 300, str(tmp_path / "train.txt"))
    dev = conll_slice("wikiann_en", "dev", 60, str(tmp_path / "dev.txt"))
    out = str(tmp_path / "model")
    stdout = cli("train", "--task", "ner", "--data", train, "--val", dev, "--word-vectors", "glove", "--out", out,
                 "--epochs", "1", "--seq-len", "16", "--lstm-units", "24", "--char-filters", "20").stdout
    assert "tag agreement 1.00000 on" in stdout
    training = json.load(open(os.path.join(out, "metrics.json")))["training"]
    assert (training["word_vectors"], training["lstm_units"], training["char_filters"]) == ("glove", 24, 20)
    assert SequenceTagger.load(out).model.get_layer("word_embedding").output_dim == 50
    proc = cli("train", "--task", "ner", "--data", train, "--model", "transformer_crf", "--word-vectors", "glove",
               "--out", str(tmp_path / "m2"), check=False)
    assert proc.returncode == 2 and proc.stderr.strip().splitlines()[-1].endswith(
        "--word-vectors needs a word-level BiLSTM tagger (bilstm_crf, bilstm), got transformer_crf")
