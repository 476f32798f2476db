"""Trainable LM files (keyboard) through `keras-slm export --trainable` and `inspect`, run in LiteRT."""

import numpy as np
import pytest

from keras_slm.cli import main
from keras_slm.export.ondevice_driver import OnDeviceModel
from keras_slm.tasks.language_model import LanguageModel
from keras_slm.models.language_models import transformer_lm
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
