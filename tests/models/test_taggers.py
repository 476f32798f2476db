"""Taggers trained briefly on real slices: save/load, spans, seqeval, TFLite (tags in graph) x3 modes."""

import os

import numpy as np
import pytest
from seqeval.metrics import f1_score

from keras_slm.data import read_conll
from keras_slm.models.sequence_tagger import SequenceTagger, split_text
from keras_slm.models.taggers import bilstm_crf_tagger, bilstm_tagger, char_tagger
from keras_slm.training.tagging import train_tagger
from tests.conftest import shared_data
from tests.harness import assert_builtin_only

SMALL = dict(lstm_units=32, embedding_dim=32, char_filters=16, char_dim=16)


@pytest.fixture(scope="module")
def wikiann(tmp_path_factory):
    train = read_conll(shared_data("wikiann_en", "train.txt")).subset(range(1000))
    dev = read_conll(shared_data("wikiann_en", "dev.txt")).subset(range(200))
    tagger, history, metrics = train_tagger(train, dev, model="bilstm_crf", seq_len=16, epochs=3, batch_size=32,
                                            learning_rate=5e-3, verbose=0, **SMALL)
    directory = str(tmp_path_factory.mktemp("tagger"))
    tagger.save(directory)
    return tagger, dev, directory, history, metrics


def test_builders():
    assert tuple(bilstm_crf_tagger(50, 5, char_vocab_size=20, max_word_chars=8).input.shape) == (None, None, 9)
    assert bilstm_tagger(50, 5, crf=False).layers[-1].__class__.__name__ == "TagArgmax"
    assert char_tagger(50, 5).get_layer("crf").num_tags == 5
    with pytest.raises(ValueError, match="`num_tags` must be an integer >= 2"):
        bilstm_tagger(50, 1)


@pytest.mark.parametrize("crf", [True, False])
def test_tags_do_not_depend_on_padding(crf):
    # Char features once unmasked the padding (Keras' Concatenate ORs masks): the backward
    # LSTM then ran over the trailing pads and the tags changed with the padded length.
    import keras

    keras.utils.set_random_seed(1)
    model = bilstm_tagger(50, 5, char_vocab_size=20, max_word_chars=4, crf=crf, **SMALL)
    ids = np.random.default_rng(0).integers(1, 20, size=(8, 6, 5)).astype("int32")
    padded = np.concatenate([ids, np.zeros((8, 26, 5), "int32")], axis=1)
    short = model.predict(ids, verbose=0)
    long = model.predict(padded, verbose=0)
    np.testing.assert_array_equal(long[:, :6], short)
    assert not long[:, 6:].any()


def test_learns_and_f1_equals_seqeval_on_predictions(wikiann):
    tagger, dev, _, history, metrics = wikiann
    assert metrics["f1"] > 0.25 and metrics["f1"] > 2 * history[0]["val_f1"], history  # 3 epochs: ~0.08 -> ~0.27
    pred = tagger.predict_tags(dev.tokens)
    assert metrics["f1"] == pytest.approx(f1_score(dev.tags, pred), abs=1e-12)


def test_save_load_and_text_spans(wikiann):
    tagger, dev, directory, _, _ = wikiann
    loaded = SequenceTagger.load(directory)
    assert loaded.predict_tags(dev.tokens[:50]) == tagger.predict_tags(dev.tokens[:50])
    long = dev.tokens[0] * 10  # longer than seq_len: tagged in windows
    assert len(loaded.predict_tags([long])[0]) == len(long)
    result = loaded.predict_text(["John Smith moved to London ."])[0]
    assert result["tokens"] == ["John", "Smith", "moved", "to", "London", "."]
    for e in result["entities"]:
        assert result["text"][e["start"]:e["end"]] == e["text"]
    assert split_text("我爱 北京", "char") == [("我", 0, 1), ("爱", 1, 2), ("北", 3, 4), ("京", 4, 5)]


@pytest.mark.parametrize("quantize", ["none", "dynamic", "int8"])
def test_tflite_returns_tags_builtin_only(wikiann, quantize):
    tagger, dev, directory, _, _ = wikiann
    path = os.path.join(directory, f"model_{quantize}.tflite")
    report = tagger.export(path, quantize=quantize, sample_sentences=dev.tokens[:150], latency_threads=())
    info = assert_builtin_only(path)
    assert report.android_compatible and info.outputs[0]["dtype"] == "int32"
    assert info.outputs[0]["shape"] == [1, 16]
    # Briefly trained (small margins): the benchmark measures agreement of fully trained taggers.
    assert report.parity["tag_agreement"] >= {"none": 0.999, "dynamic": 0.98, "int8": 0.85}[quantize], report.parity
    lite = SequenceTagger.load(path)
    assert lite.is_tflite and len(lite.predict_tags(dev.tokens[:5])) == 5


def test_int8_keeps_lstm_cell_state_and_emissions_in_float(wikiann):
    # Full int8 requantizes the LSTM cell state at every unrolled step (~0.2% of tags of the
    # trained benchmark taggers changed); the default int8 file keeps the cell state, the mask
    # selects and the emission layer in float, gate matmuls int8.
    from keras_slm.export import inspect_tflite

    tagger, dev, directory, _, _ = wikiann
    reports, infos = {}, {}
    for name, nodes in (("selective", "default"), ("full", None)):
        path = os.path.join(directory, f"int8_{name}.tflite")
        kwargs = {} if nodes == "default" else {"float_nodes": nodes}
        reports[name] = tagger.export(path, quantize="int8", sample_sentences=dev.tokens[:150], latency_threads=(),
                                      **kwargs)
        infos[name] = inspect_tflite(path)
        assert reports[name].android_compatible
    assert "DEQUANTIZE" in infos["selective"].ops and "QUANTIZE" in infos["selective"].ops
    assert infos["full"].ops.get("DEQUANTIZE", 0) < infos["selective"].ops["DEQUANTIZE"]
    # Briefly trained (small margins, like test_tflite_returns_tags_builtin_only): the benchmark
    # measures the trained taggers (resume_zh full int8 0.9971 -> selective >= 0.999).
    assert reports["selective"].parity["tag_agreement"] >= reports["full"].parity["tag_agreement"] - 0.002
    assert reports["selective"].parity["tag_agreement"] >= 0.85, reports["selective"].parity


def test_chinese_char_tagger_tokens_and_windows():
    # Trained end to end by tests/examples/test_ner_examples.py (examples/ner_chinese.py).
    from keras_slm.data.labels import LabelVocabulary

    words, chars = SequenceTagger.build_vocabularies([list("高勇男中国国籍")], lowercase=False, char_features=False)
    tags = LabelVocabulary(["O", "B-NAME", "I-NAME"])
    tagger = SequenceTagger(char_tagger(len(words), 3, embedding_dim=8, lstm_units=8), words, tags, seq_len=8,
                            lowercase=False, unit="char")
    out = tagger.predict_text(["高勇，男，中国国籍，无境外居留权。"])[0]
    assert out["tokens"][:3] == ["高", "勇", "，"] and len(out["tags"]) == 17  # 3 windows of 8
    assert chars is None and tagger.encode([["高", "勇", "X"]]).tolist() == [[3, 4, 1, 0, 0, 0, 0, 0]]  # 国 (twice) is id 2
