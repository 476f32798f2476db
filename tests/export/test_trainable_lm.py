"""Trainable LM files (keyboard) through `keras-slm export --trainable` and `inspect`, run in LiteRT:
SGD on the output layer (transformer) and Adam on a LoRA update of it (char LSTM)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_slm.cli import main
from keras_slm.export.ondevice_driver import OnDeviceModel
from keras_slm.tasks.language_model import LanguageModel
from keras_slm.models.language_models import build_lm, transformer_lm
from keras_slm.text import lm_stream

WINDOW = 16


@pytest.fixture(scope="module")
def keyboard(tmp_path_factory):
    root = tmp_path_factory.mktemp("keyboard")
    text = "to be or not to be, that is the question. " * 20
    tokenizer = lm_stream.fit_lm_tokenizer("char", text)
    model = transformer_lm(tokenizer.vocab_size, sequence_length=WINDOW, hidden_dim=16, num_layers=1, num_heads=2,
                           intermediate_dim=32)
    LanguageModel(model, tokenizer, "transformer", WINDOW).save(root / "lm")
    out = root / "keyboard.tflite"
    assert main(["export", str(root / "lm"), "--trainable", "--train-part", "output", "--quantize", "dynamic",
                 "--learning-rate", "1.0", "--out", str(out)]) == 0
    ids = np.asarray(lm_stream.encode_stream(tokenizer, text), np.int32)
    return out, model, ids


def test_inspect_lists_every_signature_and_no_flex(keyboard, capsys):
    capsys.readouterr()
    assert main(["inspect", str(keyboard[0])]) == 0
    text = capsys.readouterr().out
    for line in ("infer(input_ids) -> logits", "train(input_ids, targets, weights) -> loss",
                 "save() -> bias, kernel", "restore(bias, kernel) -> vocab_size", "reset() -> vocab_size"):
        assert line in text
    assert "builtin ops only" in text and "Flex" not in text


def test_train_lowers_the_loss_and_matches_keras_before_training(keyboard):
    path, model, ids = keyboard
    lm = OnDeviceModel(path)
    n = (len(ids) - 1) // WINDOW
    x = ids[: n * WINDOW].reshape(n, WINDOW)
    y = ids[1 : n * WINDOW + 1].reshape(n, WINDOW)
    w = np.ones_like(x, np.float32)
    np.testing.assert_allclose(lm.infer({"input_ids": x[:2]})["logits"], np.asarray(model(x[:2])), atol=1e-2)
    before = lm.lm_loss(x, y, w)
    bias0 = lm.save()["bias"]
    lm.fit_lm(x, y, w, epochs=3, batch_size=8)
    assert lm.lm_loss(x, y, w) < 0.8 * before
    state = lm.save()
    fresh = OnDeviceModel(path)
    fresh.restore(state)
    assert np.array_equal(fresh.infer({"input_ids": x[:1]})["logits"], lm.infer({"input_ids": x[:1]})["logits"])
    fresh.reset()
    assert np.array_equal(fresh.save()["bias"], bias0)


@pytest.fixture(scope="module")
def lora_keyboard(tmp_path_factory):
    """A tiny char LSTM LM exported with a rank-2 LoRA output update trained by Adam (float body)."""
    root = tmp_path_factory.mktemp("lora_keyboard")
    text = "now is the winter of our discontent made glorious summer by this sun of york. " * 8
    tokenizer = lm_stream.fit_lm_tokenizer("char", text)
    model = build_lm("lstm", tokenizer.vocab_size, units=16, embedding_dim=8)
    LanguageModel(model, tokenizer, "lstm", WINDOW).save(root / "lm")
    out = root / "keyboard.tflite"
    assert main(["export", str(root / "lm"), "--trainable", "--train-part", "lora", "--rank", "2", "--optimizer",
                 "adam", "--quantize", "none", "--learning-rate", "0.02", "--out", str(out)]) == 0
    ids = np.asarray(lm_stream.encode_stream(tokenizer, text), np.int32)
    n = (len(ids) - 1) // WINDOW
    windows = ids[: n * WINDOW].reshape(n, WINDOW), ids[1 : n * WINDOW + 1].reshape(n, WINDOW)
    return out, model, (*windows, np.ones_like(windows[0], np.float32))


def test_lora_adam_file_is_builtin_only_and_keeps_its_moments_in_the_state(lora_keyboard, capsys):
    capsys.readouterr()
    assert main(["inspect", str(lora_keyboard[0])]) == 0
    text = capsys.readouterr().out
    assert "train(input_ids, targets, weights) -> loss" in text
    assert "save() -> beta_powers, bias, bias_m, bias_v, lora_a, lora_a_m, lora_a_v, lora_b, lora_b_m, lora_b_v" in text
    assert "builtin ops only" in text and "Flex" not in text


def test_lora_adam_steps_match_keras_adam_on_the_same_update(lora_keyboard):
    path, model, (x, y, w) = lora_keyboard
    lm = OnDeviceModel(path)
    start = lm.save()
    np.testing.assert_array_equal(start["lora_b"], 0.0)  # the update starts at zero: the file = the LM
    np.testing.assert_allclose(lm.infer({"input_ids": x[:1]})["logits"], np.asarray(model(x[:1])), atol=1e-4)
    kernel, bias = model.get_layer("logits").get_weights()
    hidden = keras.Model(model.inputs, model.get_layer("logits").input)
    a, b, c = (tf.Variable(start[n]) for n in ("lora_a", "lora_b", "bias"))
    adam = keras.optimizers.Adam(0.02)
    for i in range(3):  # B moves first, then A too (its gradient is 0 while B is 0)
        lm.train({"input_ids": x[i : i + 1]}, targets=y[i : i + 1], weights=w[i : i + 1])
        h = hidden(x[i : i + 1])
        with tf.GradientTape() as tape:
            logits = tf.einsum("bwd,dv->bwv", h, kernel + a @ b) + c
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y[i : i + 1], logits))
        adam.apply(tape.gradient(loss, [a, b, c]), [a, b, c])
    state = lm.save()
    assert np.abs(state["lora_a"] - start["lora_a"]).max() > 1e-4  # both factors have moved
    for name, variable in (("lora_a", a), ("lora_b", b), ("bias", c)):
        np.testing.assert_allclose(state[name], variable.numpy(), atol=2e-5)


def test_lora_adam_lowers_the_loss_and_restores_bit_identically(lora_keyboard):
    path, _, (x, y, w) = lora_keyboard
    lm = OnDeviceModel(path)
    before = lm.lm_loss(x, y, w)
    lm.fit_lm(x, y, w, epochs=4)
    assert lm.lm_loss(x, y, w) < 0.9 * before  # 3.22 -> 2.71 nats (untrained LSTM, rank 2)
    fresh = OnDeviceModel(path)
    fresh.restore(lm.save())
    assert np.array_equal(fresh.infer({"input_ids": x[:1]})["logits"], lm.infer({"input_ids": x[:1]})["logits"])
    # the optimiser's moments are restored too: the next epoch takes the same steps in both
    assert fresh.fit_lm(x, y, w, epochs=1, seed=7) == lm.fit_lm(x, y, w, epochs=1, seed=7)
    fresh.reset()
    np.testing.assert_array_equal(fresh.save()["lora_b"], 0.0)
    assert fresh.lm_loss(x, y, w) == pytest.approx(before, abs=1e-6)
