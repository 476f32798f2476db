"""Translator end to end on 50 real tatoeba pairs: overfit, TFLite step loop, beam, save/load, CLI."""

import json
import os

import numpy as np
import pytest

from keras_slm.cli import main
from keras_slm.data.translation import read_parallel
from keras_slm.errors import ModelDirError
from keras_slm.inference.seq2seq_driver import tflite_seq2seq_driver
from keras_slm.models import seq2seq_decoding as decoding
from keras_slm.tasks.translation import Translator
from keras_slm.tasks.translation_training import train_translator
from tests.conftest import shared_data
from tests.harness import TaskTestCase, assert_builtin_only


def _short_pairs(n=50):
    """The first `n` training pairs whose English has at most four words, one per source and per
    target (tatoeba lists several translations of one sentence), header and attribution kept."""
    with open(shared_data("tatoeba_zh_en", "train.tsv"), encoding="utf-8") as f:
        header, *rows = f.readlines()
    seen, out = set(), []
    for row in rows:
        zh, en = row.split("\t")[:2]
        zh = "".join(c for c in zh if c.isalnum())  # the source tokenizer drops punctuation
        if len(en.split()) <= 4 and zh not in seen and en not in seen:
            seen.update((zh, en))
            out.append(row)
    return header, out[:n]


@pytest.fixture(scope="module")
def overfit(tmp_path_factory):
    """(translator directory, data file): a tiny LSTM-attention model trained to memorise 50 pairs."""
    root = tmp_path_factory.mktemp("translation")
    header, rows = _short_pairs()
    path = str(root / "pairs.tsv")
    with open(path, "w", encoding="utf-8") as f:
        f.write(header)
        f.writelines(rows)
    data = read_parallel(path)
    translator, history, _ = train_translator(
        data, None, model="lstm_attention", source_vocab_size=500, target_vocab_size=300, epochs=100,
        batch_size=50, learning_rate=2e-2, label_smoothing=0.0, patience=100, verbose=0,
        model_options={"embedding_dim": 32, "units": 32, "attention_dim": 64, "dropout": 0.0},
    )
    directory = str(root / "model")
    translator.save(directory)
    report = translator.export(os.path.join(directory, "model.tflite"), parity_texts=data.sources, latency_texts=0)
    return directory, path, data, translator, report


def test_overfit_pairs_come_back_exactly_through_the_tflite_step_loop(overfit):
    directory, _, data, translator, report = overfit
    assert_builtin_only(os.path.join(directory, "model.tflite"))
    lite = Translator.load(os.path.join(directory, "model.tflite"))
    assert lite.is_tflite and lite.model.family == "lstm"
    assert lite.translate(data.sources) == data.targets
    assert report["parity"] == {"n": 50, "greedy_identical": 50, "mismatches": []}


def test_beam_width_one_is_greedy_and_wider_beams_mostly_keep_memorised_pairs(overfit):
    _, _, data, translator, _ = overfit
    lite = Translator.load(os.path.join(overfit[0], "model.tflite"))
    for text in data.sources[:10]:
        greedy = translator.translate_ids(text)
        assert translator.translate_ids(text, beam_width=1) == greedy
        assert lite.translate_ids(text, beam_width=1) == greedy
    # Wider beams may prefer another high-probability sentence; on memorised pairs they mostly agree.
    beams = translator.translate(data.sources[:10], beam_width=3)
    assert sum(b == t for b, t in zip(beams, data.targets[:10])) >= 8


def test_batched_greedy_matches_the_step_loop(overfit):
    _, _, data, translator, _ = overfit
    assert translator.translate_batch(data.sources) == translator.translate(data.sources)


def test_loaded_directory_keeps_lengths_and_tokenizers(overfit):
    directory, _, data, translator, _ = overfit
    loaded = Translator.load(directory)
    assert (loaded.family, loaded.source_len, loaded.target_len) == ("lstm_attention", translator.source_len,
                                                                     translator.target_len)
    np.testing.assert_array_equal(loaded.encode_sources(data.sources), translator.encode_sources(data.sources))
    with pytest.raises(ModelDirError, match="not a keras-slm translation model"):
        Translator.load(os.path.dirname(directory))


def test_cli_evaluate_and_translate_the_tflite_file(overfit, capsys):
    directory, path, data, _, _ = overfit
    assert main(["evaluate", os.path.join(directory, "model.tflite"), "--data", path, "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert (metrics["bleu"], metrics["chrf"], metrics["n"]) == (100.0, 100.0, 50)
    assert main(["translate", directory, data.sources[0], data.sources[1]]) == 0
    assert capsys.readouterr().out.splitlines() == data.targets[:2]


def test_decode_signature_carries_the_lstm_state(overfit):
    driver = tflite_seq2seq_driver(os.path.join(overfit[0], "model.tflite"))
    inputs = driver.interpreter.get_signature_runner("decode").get_input_details()
    outputs = driver.interpreter.get_signature_runner("decode").get_output_details()
    assert sorted(inputs) == ["c", "h", "memory", "source_ids", "token"]
    assert sorted(outputs) == ["c_out", "h_out", "logits"]
    context, state = driver.start([5, 6], bos_id=2)
    logits, step_state = driver.step(context, state)
    assert logits.shape == (300,) or logits.ndim == 1
    assert not np.allclose(step_state[0], state[0])  # the step moved the state


def test_tiny_transformer_step_file_matches_keras():
    from keras_slm.export.seq2seq import convert_steps
    from keras_slm.models.seq2seq_transformer import TransformerSeq2SeqSteps, transformer_seq2seq

    steps = TransformerSeq2SeqSteps(transformer_seq2seq(40, 30, 6, 7, num_layers=1, hidden_dim=16, num_heads=2,
                                                        intermediate_dim=32))
    data = convert_steps(steps)
    keras_driver, lite_driver = decoding.Seq2SeqDriver.from_steps(steps), tflite_seq2seq_driver(data)
    assert lite_driver.family == "transformer"
    rng = np.random.default_rng(0)
    for _ in range(3):
        source = list(rng.integers(4, 40, rng.integers(1, 7)))
        greedy = decoding.greedy_decode(keras_driver, source, 10)
        assert decoding.greedy_decode(lite_driver, source, 10) == greedy
        assert decoding.beam_decode(keras_driver, source, width=1, max_tokens=10) == greedy
        assert len(decoding.beam_decode(lite_driver, source, width=3, max_tokens=10)) <= 6  # window 7: CLS + 6


def test_serving_predictor_answers_translations(overfit):
    from keras_slm.serving.predictor import make_predictor

    directory, _, data, _, _ = overfit
    predictor = make_predictor(directory, pool_size=1)
    assert predictor.task == "translation"
    assert predictor.predict(data.sources[:5]) == [{"translation": t} for t in data.targets[:5]]


class TestTranslatorInvariants(TaskTestCase):
    """The shared task invariants on the memorised model (save/load, Keras round trip, export)."""

    task_class = Translator
    export_atol = 0  # translations are token sequences: the file must give the same ones

    @pytest.fixture(scope="class")
    def task(self, overfit):
        return overfit[3]

    @pytest.fixture
    def inputs(self, overfit):
        return overfit[2].sources[:6]

    def predictions(self, task, inputs):
        return task.translate(inputs)

    def model_inputs(self, task, inputs):
        return [task.encode_sources(inputs), task.encode_targets(["x"] * len(inputs))[0]]

    def export(self, task, path, inputs):
        return task.export(path, latency_texts=0)
