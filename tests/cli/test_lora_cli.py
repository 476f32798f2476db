"""`keras-slm train --lora-rank`: few trainable parameters, merged before export, TFLite matches Keras."""

import json
import os

import warnings

import numpy as np

from keras_slm.export import TFLiteModel
from keras_slm.models.text_classifier import TextClassifier
from tests.cli.test_cli import cli
from tests.conftest import write_slice


def test_train_lora_transformer_merges_and_exports(sst2_slices, tmp_path):
    train, test = sst2_slices
    small = write_slice(train, str(tmp_path / "train.tsv"), 400)
    out = str(tmp_path / "model")
    proc = cli("train", "--data", small, "--model", "tiny_2x128", "--lora-rank", "4", "--out", out,
               "--epochs", "1", "--seq-len", "24", "--max-vocab", "2000")
    assert "LoRA rank 4: trainable" in proc.stdout
    lora = json.load(open(os.path.join(out, "metrics.json")))["training"]["lora"]
    assert lora["rank"] == 4 and lora["merged_layers"] == 4  # query + value in each of 2 blocks
    assert 0 < lora["trainable"] < 0.05 * lora["total"] and lora["fraction"] < 0.05
    assert lora["merge_max_abs_diff"] <= 1e-5  # merged model == LoRA model
    export = json.load(open(os.path.join(out, "metrics.json")))["exports"]["none"]
    assert export["android_compatible"] and export["parity"]["max_abs_diff"] <= 1e-4

    # The saved model is plain (no LoRA branches) and its TFLite file gives the same scores.
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Skipping variable loading")  # stale LoRA-sized optimizer state
        clf = TextClassifier.load(out)
    assert not any(getattr(layer, "lora_enabled", False) for layer in clf.model._flatten_layers())
    texts = [line.split("\t")[0] for line in open(test, encoding="utf-8").read().splitlines()[1:41]]
    lite = TFLiteModel(os.path.join(out, "model.tflite")).predict(*clf.encode(texts))
    assert np.abs(np.asarray(lite) - clf.predict_scores(texts)).max() <= 1e-4


def test_lora_rank_needs_transformer(sst2_slices, tmp_path):
    proc = cli("train", "--data", sst2_slices[0], "--model", "awe", "--lora-rank", "4", "--out", str(tmp_path / "m"),
               check=False)
    assert proc.returncode != 0 and "--lora-rank needs" in proc.stderr
    assert "Traceback" not in proc.stderr
