"""Language models on device: TFLite step / window files, greedy parity with Keras, quantized variant."""

import os
import shutil

import numpy as np
import pytest

from keras_slm.export.lm import PER_TOKEN, export_lm
from keras_slm.inference.lm_driver import TFLiteLMDriver
from keras_slm.models.language_model import LanguageModel
from keras_slm.training.language_model import split_text, train_lm
from tests.conftest import shared_data
from tests.harness import assert_builtin_only


@pytest.fixture(scope="module")
def shakespeare():
    with open(shared_data("tiny_shakespeare", "input.txt"), encoding="utf-8") as f:
        return split_text(f.read()[:40000], 0.1)


def prompts(heldout, n=20):
    lines = [line for line in heldout.splitlines() if len(line) > 12]
    return [line[: len(line) // 2] for line in lines[:n]]


def test_lstm_step_file_decodes_like_keras(shakespeare, tmp_path):
    train, heldout = shakespeare
    lm, _, metrics = train_lm(train, heldout, model="lstm", tokenizer="char", seq_len=64, epochs=2,
                              batch_size=32, model_options={"units": 64, "embedding_dim": 16}, verbose=0)
    assert metrics["loss"] < 3.3  # learned something (uniform over ~60 characters is ~4.1)
    path = str(tmp_path / "model.tflite")
    report = export_lm(lm, path, prompts=prompts(heldout), max_tokens=20, latency_runs=50)
    info = assert_builtin_only(path)
    assert info.num_subgraphs == 1 and "WHILE" not in info.ops
    names = sorted(i["name"].split("serving_default_")[-1].split(":")[0] for i in info.inputs)
    assert names == ["c_0", "h_0", "token"]
    assert report.parity["n"] == 20 and report.parity["greedy_identical"] == 20, report.parity
    assert report.parity["max_abs_diff"] < 1e-4
    assert report.latency["1"]["median_ms"] > 0 and report.latency[PER_TOKEN]["median_ms"] > 0

    # The file drives generation on its own, like an app: state in, state out.
    driver = TFLiteLMDriver(path)
    assert driver.mode == "step" and driver.vocab_size == lm.tokenizer.vocab_size
    directory = str(tmp_path / "lm")
    lm.save(directory)  # save replaces its folder as a whole: the file goes in after
    shutil.copy(path, directory)
    on_device = LanguageModel.load(os.path.join(directory, "model.tflite"))
    assert on_device.is_tflite
    assert on_device.generate("ROMEO:", max_tokens=30) == lm.generate("ROMEO:", max_tokens=30)

    quantized = export_lm(lm, str(tmp_path / "model_dynamic.tflite"), quantize="dynamic",
                          prompts=prompts(heldout), max_tokens=20, latency_runs=20)
    assert_builtin_only(str(tmp_path / "model_dynamic.tflite"))
    assert quantized.size_bytes < 0.5 * report.size_bytes
    assert quantized.parity["n"] == 20 and quantized.parity["max_abs_diff"] < 0.5
    with pytest.raises(ValueError, match="int8"):
        export_lm(lm, str(tmp_path / "x.tflite"), quantize="int8")


def test_transformer_window_file_decodes_like_keras(shakespeare, tmp_path):
    train, heldout = shakespeare
    lm, _, _ = train_lm(train, heldout, model="transformer", tokenizer="word", seq_len=16, epochs=2,
                        batch_size=32, max_vocab=500, verbose=0,
                        model_options={"hidden_dim": 32, "num_heads": 2, "num_layers": 1, "intermediate_dim": 64})
    path = str(tmp_path / "model.tflite")
    # 20 tokens after prompts of up to ~8 words runs past the 16-token window: sliding is checked too.
    report = export_lm(lm, path, prompts=prompts(heldout), max_tokens=20, latency_runs=20)
    info = assert_builtin_only(path)
    assert info.inputs[0]["shape"] == [1, 16]
    assert report.parity["greedy_identical"] == 20, report.parity
    driver = TFLiteLMDriver(path)
    assert driver.mode == "window" and driver.window == 16
    ids = np.zeros((1, 16), np.int32)
    ids[0, :3] = [1, 5, 6]
    np.testing.assert_allclose(driver.window_logits(ids), lm.model(ids).numpy(), atol=1e-4)
