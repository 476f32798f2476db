"""`keras-slm serve` on NER taggers and language models, over real loopback HTTP: the answers equal
the in-process Python predictions on the same TFLite file."""

import httpx
import pytest

from tests.conftest import shared_data


@pytest.fixture(scope="module")
def ner_dir(tmp_path_factory):
    """A tiny BiLSTM-CRF tagger (48 WikiANN sentences, 2 epochs) with its model.tflite."""
    from keras_slm.data import read_conll
    from keras_slm.training.tagging import train_tagger

    data = read_conll(shared_data("wikiann_en", "train.txt")).subset(range(48))
    tagger, _, _ = train_tagger(data.subset(range(8, 48)), data.subset(range(8)), model="bilstm_crf", seq_len=12,
                                epochs=2, batch_size=8, verbose=0, embedding_dim=16, char_dim=8, char_filters=8,
                                lstm_units=16)
    out = str(tmp_path_factory.mktemp("ner"))
    tagger.save(out)
    tagger.export(f"{out}/model.tflite", latency_runs=5)
    return out, [" ".join(tokens) for tokens in data.tokens[:6]]


@pytest.fixture(scope="module")
def lm_dir(tmp_path_factory):
    """A tiny word LSTM LM (the bundled message sample, 1 epoch) with its model.tflite."""
    from keras_slm.data import sample_path
    from keras_slm.export.lm import export_lm
    from keras_slm.training.language_model import train_lm

    text = open(sample_path("lm_messages.txt"), encoding="utf-8").read()
    lm, _, _ = train_lm(text, val_text=text, model="lstm", tokenizer="word", seq_len=16, epochs=1, batch_size=16,
                        verbose=0, model_options={"units": 16, "embedding_dim": 8})
    out = str(tmp_path_factory.mktemp("lm"))
    lm.save(out)
    export_lm(lm, f"{out}/model.tflite", latency_runs=5)
    return out


@pytest.fixture(scope="module")
def ner_server(ner_dir, tmp_path_factory):
    from tests.serving.conftest import Server

    srv = Server(ner_dir[0], "--interpreters", "2", log_path=tmp_path_factory.mktemp("ner_log") / "server.log")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def lm_server(lm_dir, tmp_path_factory):
    from tests.serving.conftest import Server

    srv = Server(lm_dir, "--interpreters", "2", "--max-tokens", "12",
                 log_path=tmp_path_factory.mktemp("lm_log") / "server.log")
    yield srv
    srv.stop()


def test_ner_entities_equal_the_in_process_tagger(ner_server, ner_dir):
    from keras_slm.models.sequence_tagger import SequenceTagger

    directory, sentences = ner_dir
    # training sentences (entities likely even after 2 epochs), one longer than a 12-token window, and edge cases
    texts = sentences + [" ".join(sentences[:3]), "", "no entities here ."]
    r = httpx.post(f"{ner_server.url}/v1/predict", json={"texts": texts}, timeout=60)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["model"]["task"] == "ner" and body["model"]["file"] == "model.tflite"
    expected = SequenceTagger.load(f"{directory}/model.tflite").predict_text(texts)
    assert body["predictions"] == [
        {"entities": [{"text": e["text"], "label": e["type"], "start": e["start"], "end": e["end"]}
                      for e in result["entities"]]}
        for result in expected
    ]
    assert sum(len(p["entities"]) for p in body["predictions"]) > 0  # the comparison is not vacuous
    for text, prediction in zip(texts, body["predictions"]):
        assert all(text[e["start"]:e["end"]] == e["text"] for e in prediction["entities"])
    # generation fields are for language models only
    r = httpx.post(f"{ner_server.url}/v1/predict", json={"texts": ["a"], "max_tokens": 3})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
    assert "max_tokens" not in httpx.get(f"{ner_server.url}/healthz").json()["limits"]


def test_lm_generated_text_equals_the_in_process_model(lm_server, lm_dir):
    from keras_slm.models.language_model import LanguageModel

    lm = LanguageModel.load(f"{lm_dir}/model.tflite")
    prompts = ["see you", "are we still on for"]
    cases = [
        ({}, {"max_tokens": 12}),  # defaults: greedy, 50 tokens, capped by this server's --max-tokens 12
        ({"max_tokens": 8}, {"max_tokens": 8}),
        ({"max_tokens": 10, "strategy": "top_k", "top_k": 5, "seed": 3},
         {"max_tokens": 10, "strategy": "top_k", "top_k": 5, "seed": 3}),
        ({"max_tokens": 6, "strategy": "top_p", "top_p": 0.8, "temperature": 0.7, "seed": 1},
         {"max_tokens": 6, "strategy": "top_p", "top_p": 0.8, "temperature": 0.7, "seed": 1}),
    ]
    for fields, kwargs in cases:
        r = httpx.post(f"{lm_server.url}/v1/predict", json={"texts": prompts, **fields}, timeout=60)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["model"]["task"] == "language_model"
        assert body["predictions"] == [{"generated_text": lm.generate(p, **kwargs)} for p in prompts], fields
        assert all(p["generated_text"].strip() for p in body["predictions"])
    health = httpx.get(f"{lm_server.url}/healthz").json()
    assert health["limits"]["max_tokens"] == 12

    bad = [({"max_tokens": 13}, 413, "too_many_tokens"), ({"max_tokens": 0}, 422, "invalid_request"),
           ({"strategy": "beam"}, 422, "invalid_request"), ({"temperature": 0}, 422, "invalid_request"),
           ({"top_p": 1.5}, 422, "invalid_request")]
    for fields, status, code in bad:
        r = httpx.post(f"{lm_server.url}/v1/predict", json={"texts": ["hi"], **fields})
        assert r.status_code == status and r.json()["error"]["code"] == code, (fields, r.text)
    assert lm_server.alive()
