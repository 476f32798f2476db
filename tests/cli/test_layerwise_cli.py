"""`keras-slm distill --layerwise` end to end: a Hugging Face BERT folder as teacher, a directory evaluate reads."""

import json
import os

from keras_slm.cli import main
from keras_slm.data import sample_path
from tests.conftest import write_slice
from tests.tasks.bert_checkpoint import write_random_bert


def test_distill_layerwise_from_a_bert_folder_then_evaluate(tmp_path, capsys):
    teacher = str(tmp_path / "bert")
    write_random_bert(teacher, hidden=24, layers=3, heads=3, intermediate=32)
    data = write_slice(sample_path("sentiment_en.tsv"), str(tmp_path / "train.tsv"), 80)
    out = str(tmp_path / "student")
    assert main(["distill", "--layerwise", "--teacher", teacher, "--student", "tiny_2x128", "--data", data,
                 "--general-data", data, "--layer-epochs", "1", "--epochs", "1", "--seq-len", "16",
                 "--out", out]) == 0
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    assert metrics["training"]["distilled"] == "layerwise" and metrics["layerwise"]["layer_map"] == [1, 3]
    assert metrics["exports"]["none"]["android_compatible"]
    capsys.readouterr()
    assert main(["evaluate", out, "--data", data, "--json"]) == 0
    assert 0 <= json.loads(capsys.readouterr().out)["accuracy"] <= 1
    assert main(["distill", "--layerwise", "--teacher", teacher, "--student", "bilstm", "--data", data,
                 "--out", out]) == 2
    assert main(["distill", "--layerwise", "--teacher", str(tmp_path / "missing"), "--data", data, "--out", out]) == 2
