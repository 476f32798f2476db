"""`keras-slm train` defaults that follow the data (issue 19.13): the sequence length comes from the
training texts when --seq-len is not given, is printed, and is recorded in config.json and metrics.json."""

import json
import os

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
