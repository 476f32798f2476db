"""Smoke test: examples/translate_zh_en.py runs end to end as a user would run it."""

import os

from tests.conftest import shared_data
from tests.examples.test_lm_examples import run_example


def test_translate_zh_en(tmp_path):
    data = os.path.dirname(shared_data("tatoeba_zh_en", "train.tsv"))
    out = run_example("translate_zh_en.py", "--data", data, "--out", str(tmp_path), "--max_pairs", "200",
                      "--eval_pairs", "8", "--epochs", "1", "--hidden_dim", "16", "--beam", "2")
    assert out.count("builtin ops only True") == 2  # float and dynamic files
    assert "greedy identical to Keras 8/8" in out
    assert "Keras test BLEU" in out and "beam 2:" in out
    assert os.path.exists(tmp_path / "model.tflite") and os.path.exists(tmp_path / "model_dynamic.tflite")
