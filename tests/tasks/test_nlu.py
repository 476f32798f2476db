"""`NluModel`: a tiny joint BiLSTM-CRF trained on SNIPS rows, saved, exported (float, dynamic) and served.

Correctness only (parity, round trip, spans, serving), not accuracy: benchmarks/nlu.py measures that.
"""

import numpy as np
import pytest

from keras_slm.data.nlu import read_nlu
from tests.conftest import shared_data, write_slice

SIZES = dict(embedding_dim=16, char_dim=8, char_filters=8, lstm_units=16)


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


def test_save_load_and_export_parity(trained):
    from keras_slm.tasks.nlu import NluModel

    nlu, val, out, _, _ = trained
    loaded = NluModel.load(out)
    assert loaded.intents.labels == nlu.intents.labels and loaded.tags.labels == nlu.tags.labels
    probs, ids = nlu.predict_ids(val.tokens)
    probs2, ids2 = loaded.predict_ids(val.tokens)
    np.testing.assert_allclose(probs2, probs, atol=1e-6)
    assert ids2 == ids and all(len(i) == len(t) for i, t in zip(ids, val.tokens))  # long rows: "O" past seq_len
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
    lite = NluModel.load(f"{out}/model.tflite")
    assert lite.is_tflite and lite.evaluate(val) == nlu.evaluate(val)


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
