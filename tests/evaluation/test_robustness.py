"""`keras-slm train --augment noise --adversarial fgm` then `evaluate --robustness` on the .tflite file, and
the evaluator on a tagger (token lists: tags stay aligned under every perturbation)."""

import json
import os

import numpy as np

from keras_slm.data import read_conll, sample_path
from keras_slm.data.labels import LabelVocabulary
from keras_slm.evaluation.robustness import evaluate_robustness, format_robustness_table, tagger_target
from keras_slm.tasks.text_classifier import TextClassifier
from keras_slm.tasks.sequence_tagger import SequenceTagger
from keras_slm.models.taggers import bilstm_tagger
from tests.cli.test_cli import cli
from tests.conftest import shared_data

EN_NAMES = ["typo_5", "typo_10", "lowercase", "uppercase", "no_punct", "whitespace", "word_dropout"]


def test_train_robust_then_evaluate_robustness_from_tflite(tmp_path):
    out = str(tmp_path / "model")
    cli("train", "--data", sample_path("sentiment_en.tsv"), "--model", "awe", "--out", out, "--epochs", "2",
        "--seq-len", "24", "--augment", "noise:2", "--adversarial", "fgm", "--adversarial-epsilon", "0.3")
    training = json.load(open(os.path.join(out, "metrics.json")))["training"]
    assert (training["noise_copies"], training["adversarial"], training["adversarial_epsilon"]) == (2, "fgm", 0.3)
    tflite, plot = os.path.join(out, "model.tflite"), str(tmp_path / "bars.png")
    data = sample_path("sentiment_en.tsv")
    report = json.loads(cli("evaluate", tflite, "--data", data, "--robustness", "--json", "--seed", "3",
                            "--plot", plot).stdout)
    assert [r["name"] for r in report["perturbations"]] == EN_NAMES
    assert report["n"] == 400 and report["language"] == "en" and 0.5 < report["clean"] <= 1
    for r in report["perturbations"]:
        assert abs(r["drop"] - (report["clean"] - r["score"])) < 1e-9
    typo10 = report["perturbations"][1]
    assert typo10["changed"] > 0.9
    with open(plot, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    # The same seed gives the same numbers in another process (here, in-process on the same file).
    from keras_slm.cli._common import read_data
    from keras_slm.evaluation.robustness import classifier_target

    class Args:
        text_column, label_column, skip_bad_rows = "text", "label", False

    rows = read_data(data, Args)
    again = evaluate_robustness(classifier_target(TextClassifier.load(tflite)), rows.texts, rows.labels, seed=3)
    assert [r["score"] for r in again["perturbations"]] == [r["score"] for r in report["perturbations"]]
    table = format_robustness_table(again)
    assert "typo_10" in table and "drop (pts)" in table
    bad = cli("evaluate", tflite, "--data", data, "--plot", plot, check=False)
    assert bad.returncode == 2 and "--robustness" in bad.stderr


def test_tagger_robustness_keeps_tags_aligned():
    data = read_conll(shared_data("wikiann_en", "dev.txt")).subset(range(30))
    words, chars = SequenceTagger.build_vocabularies(data.tokens, char_features=False)
    tags = LabelVocabulary(data.tag_set())
    model = bilstm_tagger(vocab_size=len(words), num_tags=len(tags), lstm_units=8, embedding_dim=8)
    tagger = SequenceTagger(model, words, tags, seq_len=32, chars=None)
    # A tagger that copies the gold tags would score 1.0 everywhere: this one is untrained, so
    # the point is that every perturbed sentence keeps its token count (entity_metrics checks it).
    report = evaluate_robustness(tagger_target(tagger), data.tokens, data.tags, seed=0)
    assert report["metric"] == "entity_f1"
    assert [r["name"] for r in report["perturbations"]] == ["typo_5", "typo_10", "lowercase", "uppercase",
                                                             "no_punct"]
    assert all(0 <= r["score"] <= 1 and np.isfinite(r["drop"]) for r in report["perturbations"])
    assert report["perturbations"][1]["changed"] > 0.5
