"""`NluModel`: the task invariants of `TaskTestCase` (untrained), then a tiny joint BiLSTM-CRF trained
on SNIPS rows, exported (float, dynamic) and served.

Correctness only (parity, round trip, spans, serving), not accuracy: BENCHMARKS.md measures that.
"""

import keras
import numpy as np
import pytest

from keras_slm.data.labels import LabelVocabulary
from keras_slm.data.nlu import read_nlu
from keras_slm.models.joint_nlu import joint_bilstm_crf
from keras_slm.tasks.nlu import NluModel
from keras_slm.tasks.sequence_tagger import SequenceTagger
from tests.conftest import shared_data, write_slice
from tests.harness import TaskTestCase

SIZES = dict(embedding_dim=16, char_dim=8, char_filters=8, lstm_units=16)
UTTERANCES = [["play", "jazz", "by", "miles", "davis"], ["weather", "in", "paris"], ["book", "a", "table"]]


class TestNluTask(TaskTestCase):
    task_class = NluModel
    inputs_value = UTTERANCES + [["an", "unseen", "word"] * 4]  # longer than seq_len: "O" past it

    @pytest.fixture(scope="class")
    def task(self):
        keras.utils.set_random_seed(0)
        words, chars = SequenceTagger.build_vocabularies(UTTERANCES, 1, lowercase=True, char_features=True)
        tags = LabelVocabulary(["O", "B-artist", "I-artist", "B-city", "B-genre"])
        network = joint_bilstm_crf(len(words), 3, len(tags), char_vocab_size=len(chars), max_word_chars=8,
                                   embedding_dim=8, lstm_units=8, char_dim=4, char_filters=4)
        encoder = SequenceTagger(None, words, tags, 8, chars, 8)
        return NluModel(network, encoder, LabelVocabulary(["BookRestaurant", "GetWeather", "PlayMusic"]), tags, 8)

    def predictions(self, task, inputs):  # intent probabilities, then every token's tag id
        probs, ids = task.predict_ids(inputs)
        return np.concatenate([probs.ravel()] + [np.asarray(row, np.float64) for row in ids])

    def model_inputs(self, task, inputs):
        return task.encode(inputs)[0][0]

    def export(self, task, path, inputs):
        return task.export(path, sample_tokens=inputs, latency_threads=())


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from keras_slm.tasks.nlu_training import train_nlu

    root = tmp_path_factory.mktemp("nlu")
    data = read_nlu(write_slice(shared_data("snips", "train.tsv"), str(root / "t.tsv"), 160))
    train, val = data.subset(range(40, 160)), data.subset(range(40))
    nlu, history, metrics = train_nlu(train, val, seq_len=12, epochs=2, batch_size=16, learning_rate=0.01,
                                      verbose=0, **SIZES)
    out = str(root / "model")
    nlu.save(out)
    return nlu, val, out, history, metrics


def test_training_records_both_metrics(trained):
    _, val, _, history, metrics = trained
    assert [h["epoch"] for h in history] == [1, 2] and metrics["n"] == len(val) == 40
    assert {"intent_accuracy", "slot_f1", "sentence_accuracy", "best_epoch"} <= set(metrics)


def test_quantized_exports_report_parity_and_metrics(trained):
    from keras_slm.tasks.nlu import NluModel

    nlu, val, out, _, _ = trained
    for mode in ("none", "dynamic"):
        path = f"{out}/model.tflite" if mode == "none" else f"{out}/model_{mode}.tflite"
        report = nlu.export(path, quantize=mode, sample_tokens=val.tokens, eval_data=val, latency_runs=5)
        assert report.android_compatible and len(report.outputs) == 2
        assert {o["dtype"] for o in report.outputs} == {"float32", "int32"}
        if mode == "none":
            assert report.parity["intent_agreement"] == 1.0 and report.parity["tag_agreement"] == 1.0
            assert report.parity["max_abs_diff"] < 1e-4 and report.metric["drop"] == 0.0
        else:
            assert report.parity["tag_agreement"] > 0.9
        assert set(report.metric["intent_accuracy"]) == {"keras", "tflite", "drop"}
    lite = NluModel.load(f"{out}/model.tflite")
    assert lite.is_tflite and lite.evaluate(val) == nlu.evaluate(val)
    _, ids = nlu.predict_ids(val.tokens)
    assert all(len(i) == len(t) for i, t in zip(ids, val.tokens))  # rows longer than seq_len: "O" past it


def test_predict_text_spans_and_serving(trained):
    from keras_slm.serving.predictor import NluPredictor
    from keras_slm.tasks.nlu import NluModel

    nlu, val, out, _, _ = trained
    # Spans come from the tags: a tagger that predicts the gold tags must give the gold slot values.
    text = "add  sabrina salerno to the grime instrumentals playlist"
    lite = NluModel.load(f"{out}/model.tflite")
    result = lite.predict_text([text, ""])
    assert result[1]["slots"] == [] and result[1]["intent"] in nlu.intents.labels
    r = result[0]
    assert r["tokens"] == text.split() and len(r["tags"]) == 8 and 0 < r["score"] <= 1
    for slot in r["slots"]:
        assert text[slot["start"] : slot["end"]] == slot["text"] and slot["slot"] in {t[2:] for t in nlu.tags.labels}
    served = NluPredictor(out, pool_size=1).predict([text, val.texts[0]])
    expected = lite.predict_text([text, val.texts[0]])
    assert served == [{"intent": e["intent"], "score": e["score"], "slots": e["slots"]} for e in expected]
