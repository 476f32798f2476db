"""`keras-slm train` defaults that follow the data (issue 19.13): the sequence length comes from the
training texts when --seq-len is not given, is printed, and is recorded in config.json and metrics.json."""

import json
import os

import pytest

from keras_slm.cli import main
from keras_slm.text import CharTokenizer
from keras_slm.text.sequence_length import choose_seq_len
from tests.conftest import shared_data, write_slice


def test_seq_len_is_chosen_from_the_training_texts(tmp_path, capsys):
    data = write_slice(shared_data("zh_sentiment", "train.tsv"), str(tmp_path / "zh.tsv"), 400)
    out = str(tmp_path / "model")
    assert main(["train", "--data", data, "--tokenizer", "char", "--model", "awe", "--epochs", "1",
                 "--out", out]) == 0
    stdout = capsys.readouterr().out
    config = json.load(open(os.path.join(out, "config.json")))
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    seq_len = config["seq_len"]
    assert f"seq_len {seq_len}: the 95th percentile of" in stdout
    assert metrics["training"]["seq_len"] == seq_len and "percentile" in metrics["training"]["seq_len_source"]
    # The rule on the rows it trained on (the 360 left after the 10% validation split):
    texts = [line.split("\t")[0] for line in open(data, encoding="utf-8").read().splitlines()[1:]]
    lengths = sorted(len(CharTokenizer().tokenize(t)) for t in texts)
    assert choose_seq_len(lengths)[0] - 8 <= seq_len <= choose_seq_len(lengths)[0] + 8


def test_seed_fixes_the_run_and_help_lists_it(tmp_path, capsys):
    """`train --seed N` seeds weights, shuffling and the validation split: the same seed trains the same model."""
    from keras_slm.cli import build_parser

    data = write_slice(shared_data("zh_sentiment", "train.tsv"), str(tmp_path / "zh.tsv"), 300)

    def run(seed, name):
        out = str(tmp_path / name)
        assert main(["train", "--data", data, "--tokenizer", "char", "--model", "awe", "--epochs", "2",
                     "--seed", str(seed), "--out", out]) == 0
        metrics = json.load(open(os.path.join(out, "metrics.json")))
        return (metrics["training"]["seed"], metrics["validation"],
                open(os.path.join(out, "calibration.txt"), encoding="utf-8").read())

    first, again, other = run(3, "a"), run(3, "b"), run(4, "c")
    assert first[0] == 3 and first == again
    assert other[0] == 4 and other[2] != first[2]  # another seed: another split and sample
    capsys.readouterr()
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--help"])
    assert "--seed SEED seed of the initial weights, the shuffling, the validation split" in " ".join(
        capsys.readouterr().out.split())
