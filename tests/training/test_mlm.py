"""Masked-LM pretraining: the loss falls, the directory round-trips, bad input is named."""

import numpy as np
import pytest

from keras_slm.data import read_classification, sample_path
from keras_slm.errors import DataError, ModelDirError
from keras_slm.training.mlm import load_pretrained_encoder, masked_lm_model, pretrain_mlm, read_text_lines, run_pretraining

PRESET = {"num_layers": 1, "hidden_dim": 32, "num_heads": 2, "intermediate_dim": 64}


@pytest.fixture(scope="module")
def texts():
    return read_classification(sample_path("sentiment_en.tsv")).texts


def test_loss_falls_and_encoder_is_tied_to_head(texts):
    encoder, tok, history = pretrain_mlm(texts, preset=PRESET, vocab_size=300, seq_len=24, epochs=6,
                                         batch_size=16, learning_rate=3e-3, verbose=0)
    assert history["loss"][-1] < history["loss"][0] - 0.25, history["loss"]
    assert encoder.output.shape[-1] == 32 and tok.vocab_size <= 300
    model = masked_lm_model(encoder, mask_length=4)
    embedding = encoder.get_layer("token_and_position_embedding").token_embedding
    # The head reuses the token embedding: only its own transform/bias are new weights.
    assert model.get_layer("mlm_head").token_embedding is embedding


def test_run_pretraining_saves_a_loadable_directory(texts, tmp_path):
    text_file = tmp_path / "text.txt"
    text_file.write_text("\n".join(texts[:80]) + "\n\n", encoding="utf-8")
    metrics = run_pretraining(str(text_file), str(tmp_path / "out"), preset=PRESET, vocab_size=200,
                              seq_len=16, max_steps=3, batch_size=8, verbose=0)
    assert metrics["lines"] == 80 and metrics["epochs_run"] == 1 and np.isfinite(metrics["final_loss"])
    encoder, tok, config = load_pretrained_encoder(str(tmp_path / "out"))
    assert config["task"] == "masked_lm" and config["seq_len"] == 16 and config["encoder"]["hidden_dim"] == 32
    ids = tok.encode(["a good film"], 16)
    assert encoder.predict([ids[n] for n in tok.input_names], verbose=0).shape == (1, 16, 32)


def test_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine\n\xff\xfe broken\n")
    with pytest.raises(DataError, match=r"bad.txt:2: not UTF-8"):
        read_text_lines(str(bad))
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    with pytest.raises(DataError, match="no text lines"):
        read_text_lines(str(empty))
    with pytest.raises(ModelDirError, match="not a `keras-slm pretrain` output"):
        load_pretrained_encoder(str(tmp_path))
