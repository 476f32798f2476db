"""LM builders, the LSTM step model, sampling, suggestions and evaluation (Keras side)."""

import math

import keras
import numpy as np
import pytest

from keras_slm.inference.generation import WindowDecoder, generate_ids, make_sampler
from keras_slm.models.language_model import LanguageModel
from keras_slm.models.language_models import build_lm, lstm_lm, lstm_step_model, transformer_lm
from keras_slm.text import lm_stream
from keras_slm.training.language_model import lm_windows, split_text, train_lm
from tests.harness import assert_roundtrip

TEXT = "to be or not to be that is the question\nwhether tis nobler in the mind to suffer\n" * 3


@pytest.fixture(scope="module")
def word_lm():
    """A word LSTM LM that has learned the bundled message sample."""
    from keras_slm.data import sample_path

    text = open(sample_path("lm_messages.txt"), encoding="utf-8").read()
    lm, _, metrics = train_lm(text, val_text=text, model="lstm", tokenizer="word", seq_len=16, epochs=40, decay=None,
                              batch_size=16, learning_rate=1e-2, patience=40, verbose=0,
                              model_options={"units": 64, "embedding_dim": 32})
    return lm, metrics


def test_builders_shapes_and_roundtrip(tmp_path):
    ids = np.random.RandomState(0).randint(1, 50, size=(2, 12)).astype("int32")
    lstm = lstm_lm(vocab_size=50, units=16, embedding_dim=8, num_layers=2, dropout=0.1)
    assert lstm(ids).shape == (2, 12, 50)
    assert_roundtrip(lstm, ids, tmp_path)
    tiny = transformer_lm(vocab_size=50, sequence_length=12, hidden_dim=16, num_heads=2, intermediate_dim=32)
    assert tiny(ids).shape == (2, 12, 50)
    assert_roundtrip(tiny, ids, tmp_path)
    with pytest.raises(ValueError, match="divisible"):
        transformer_lm(vocab_size=50, hidden_dim=10, num_heads=4)
    with pytest.raises(ValueError, match="model"):
        build_lm("gru", 50)


def test_transformer_is_causal():
    model = transformer_lm(vocab_size=30, sequence_length=8, hidden_dim=16, num_heads=2, intermediate_dim=32)
    a = np.array([[1, 5, 6, 7, 8, 9, 10, 11]], "int32")
    b = a.copy()
    b[0, 5:] = [3, 3, 3]  # changing later tokens must not change earlier logits
    np.testing.assert_allclose(model(a).numpy()[0, :5], model(b).numpy()[0, :5], atol=1e-5)


def test_step_model_matches_full_model():
    model = lstm_lm(vocab_size=40, units=16, embedding_dim=8, num_layers=2)
    step = lstm_step_model(model)
    ids = np.random.RandomState(1).randint(1, 40, size=(1, 10)).astype("int32")
    full = model(ids).numpy()[0]
    state = step.zero_state()
    for t in range(10):
        logits, *state = step([ids[:, t], *state])
        np.testing.assert_allclose(np.asarray(logits)[0], full[t], atol=1e-5)
    assert step.state_names == ["h_0", "c_0", "h_1", "c_1"]
    with pytest.raises(ValueError, match="Embedding -> LSTM"):
        lstm_step_model(transformer_lm(vocab_size=40, sequence_length=8, hidden_dim=16, num_heads=2))


def test_window_decoder_matches_full_model():
    model = transformer_lm(vocab_size=30, sequence_length=8, hidden_dim=16, num_heads=2, intermediate_dim=32)
    decoder = WindowDecoder(lambda ids: model(ids).numpy(), 8)
    ids = [1, 4, 5, 6]
    np.testing.assert_allclose(decoder.reset(ids), model(np.array([ids], "int32")).numpy()[0, -1], atol=1e-5)
    for _ in range(6):  # past the window: the last 8 ids
        decoder.step(7)
    np.testing.assert_allclose(decoder._logits(), model(np.array([decoder.ids[-8:]], "int32")).numpy()[0, -1], atol=1e-5)


def test_sampling_is_seeded_and_respects_blocked_ids():
    keras.utils.set_random_seed(0)
    tok = lm_stream.fit_lm_tokenizer("char", TEXT)
    lm = LanguageModel(lstm_lm(tok.vocab_size, units=16, embedding_dim=8), tok, "lstm", 16)
    for strategy in ("temperature", "top_k", "top_p"):
        a = lm.generate("to be", max_tokens=30, strategy=strategy, seed=7, temperature=1.5)
        b = lm.generate("to be", max_tokens=30, strategy=strategy, seed=7, temperature=1.5)
        assert a == b and len(a) == 30, strategy
    assert lm.generate("to be", max_tokens=30, strategy="temperature", seed=1) != lm.generate(
        "to be", max_tokens=30, strategy="temperature", seed=2)
    ids = lm.generate_ids(lm.encode("to"), max_tokens=200, strategy="temperature", temperature=5.0, seed=0)
    assert not set(ids) & set(lm_stream.blocked_ids(tok))
    # top_k=1 is greedy
    assert lm.generate("to be", 20, strategy="top_k", top_k=1, seed=3) == lm.generate("to be", 20)
    with pytest.raises(ValueError, match="strategy"):
        make_sampler("beam")
    with pytest.raises(ValueError, match="top_p"):
        make_sampler("top_p", top_p=1.5)


def test_generate_ids_stops_on_stop_id():
    logits = np.array([0.0, 0.0, 0.0, 5.0, 1.0], np.float32)

    class Fixed:
        def reset(self, ids):
            return logits

        step = reset

    assert generate_ids(Fixed(), [1], 10, stop_ids=(3,)) == [3]
    assert generate_ids(Fixed(), [1], 4, blocked_ids=[3]) == [4, 4, 4, 4]


def test_word_suggestions_and_evaluation(word_lm, tmp_path):
    lm, metrics = word_lm
    assert metrics["loss"] < 2.5 and metrics["perplexity"] == pytest.approx(math.exp(metrics["loss"]))
    words = [s["word"] for s in lm.suggest("see you ", k=3)]
    assert words[0] == "tomorrow" and len(words) == 3
    assert lm.suggest("let me kn", k=2)[0]["word"] == "know"  # completing a word being typed
    probs = [s["probability"] for s in lm.suggest("i will call you ", k=5)]
    assert probs == sorted(probs, reverse=True) and sum(probs) <= 1 + 1e-6
    assert lm.generate("see you", max_tokens=1) == " tomorrow"
    lm.save(str(tmp_path))
    loaded = LanguageModel.load(str(tmp_path))
    assert loaded.suggest("see you ", k=3) == lm.suggest("see you ", k=3)


def test_char_suggestions_complete_words():
    keras.utils.set_random_seed(0)
    tok = lm_stream.fit_lm_tokenizer("char", TEXT)
    lm = LanguageModel(lstm_lm(tok.vocab_size, units=16, embedding_dim=8), tok, "lstm", 16)
    out = lm.suggest("to be or no", k=3)
    assert len(out) == 3 and all(s["word"].startswith("no") and " " not in s["word"] for s in out)


def test_evaluate_uniform_model_gives_log_vocab():
    tok = lm_stream.fit_lm_tokenizer("char", TEXT)
    model = lstm_lm(tok.vocab_size, units=8, embedding_dim=4)
    dense = model.get_layer("logits")
    dense.set_weights([np.zeros_like(w) for w in dense.get_weights()])  # uniform predictions
    result = LanguageModel(model, tok, "lstm", 16).evaluate_text(TEXT)
    assert result["loss"] == pytest.approx(math.log(tok.vocab_size), rel=1e-5)
    assert result["tokens"] == len(TEXT)  # every character after <START> is scored once


def test_windows_and_split():
    x, y = lm_windows(np.arange(11), 5)
    assert x.tolist() == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]] and y[1].tolist() == [6, 7, 8, 9, 10]
    head, tail = split_text("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n", 0.2)
    assert tail == "i\nj\n" and head + tail == "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"


def test_training_continues_from_init():
    text = TEXT * 4
    lm, history, first = train_lm(text, model="lstm", tokenizer="char", seq_len=16, epochs=2, batch_size=8,
                                  model_options={"units": 16, "embedding_dim": 8}, verbose=0)
    again, _, second = train_lm(text, init=lm, epochs=2, batch_size=8, verbose=0)
    assert again.tokenizer is lm.tokenizer and again.model is lm.model and again.family == "lstm"
    assert second["loss"] < first["loss"] and len(history["loss"]) == 2
