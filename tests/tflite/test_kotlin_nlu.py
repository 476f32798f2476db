"""NLU golden vectors replayed by the Kotlin reference post-processing (tflite/kotlin) on the JVM.

Two tiny joint BiLSTM-CRF models (word and character units) with random weights, so the
Viterbi paths hold many slots, stray I- tags included; their TFLite files give the intent
scores and tag ids, `NluModel.write_golden` the expected intent and slot spans.
"""

import json

import numpy as np

from keras_slm.data.labels import LabelVocabulary
from keras_slm.models.joint_nlu import joint_bilstm_crf
from keras_slm.tasks.sequence_tagger import SequenceTagger
from keras_slm.tasks.nlu import NluModel
from tests.conftest import shared_data
from tests.tflite.test_kotlin_tokenizers import _run_check

TRICKY = ["play  the\tsong\u00a0now", "emoji 😀 and café", "x", "", "   ", "book a table for 2 at 7 pm tonight"]
ZH = ["播放周杰伦的歌", "明天 北京 天气怎么样", "放一首 😀 歌", "订两张电影票"]


def _model(unit, texts, folder):
    tokens = [t.split() if unit == "word" else [c for c in t if not c.isspace()] for t in texts]
    words, chars = SequenceTagger.build_vocabularies(tokens, lowercase=unit == "word", char_features=unit == "word")
    tags = LabelVocabulary(["O", "B-artist", "I-artist", "B-city", "I-city", "B-time"])
    intents = LabelVocabulary(["GetWeather", "PlayMusic", "Other"])
    net = joint_bilstm_crf(len(words), 3, len(tags), char_vocab_size=len(chars) if chars else None,
                           max_word_chars=8, embedding_dim=8, char_dim=4, char_filters=4, lstm_units=8)
    emissions = net.get_layer("emissions")
    emissions.set_weights([w * 20 for w in emissions.get_weights()])  # confident, varied tags
    encoder = SequenceTagger(None, words, tags, 12, chars, 8, lowercase=unit == "word", unit=unit)
    nlu = NluModel(net, encoder, intents, tags, seq_len=12, unit=unit)
    nlu.save(str(folder))
    nlu.export(str(folder / "model.tflite"), latency_threads=())
    return nlu


def test_kotlin_reproduces_intents_and_slot_spans(tmp_path):
    with open(shared_data("snips", "test.tsv"), encoding="utf-8") as f:
        snips = [line.split("\t")[0] for line in f.readlines()[1:121]]
    for unit, texts in (("word", snips + TRICKY), ("char", ZH + TRICKY)):
        folder = tmp_path / unit
        nlu = _model(unit, texts, folder)
        nlu.write_golden(str(folder / "golden.json"), texts, tflite=str(folder / "model.tflite"), n=None)
    docs = {unit: json.loads((tmp_path / unit / "golden.json").read_text(encoding="utf-8")) for unit in ("word", "char")}
    word = docs["word"]
    assert word["task"] == "nlu" and word["intents"] == ["GetWeather", "PlayMusic", "Other"]
    slots = [s for c in word["cases"] for s in c["slots"]]
    assert len(slots) > 50 and any(c["tags"] and c["tags"][0].startswith("I-") for c in word["cases"])
    assert np.array(word["cases"][0]["ids"][0]).shape == (12, 9)  # [seq_len, 1 + max_word_chars]
    long_case = next(c for c in word["cases"] if len(c["tokens"]) > 12)
    assert long_case["tag_ids"][12:] == [0] * (len(long_case["tokens"]) - 12)  # past seq_len: "O"
    proc, result = _run_check(tmp_path)
    assert result["failed"] == 0, proc.stdout[-4000:]
    assert sorted(f["cases"] for f in result["files"]) == sorted(len(d["cases"]) for d in docs.values())

    # The check can fail: a moved slot is reported.
    case = next(c for c in word["cases"] if c["slots"])
    case["slots"][0]["end"] += 1
    (tmp_path / "word" / "golden.json").write_text(json.dumps(word, ensure_ascii=False), encoding="utf-8")
    proc, result = _run_check(tmp_path / "word" / "golden.json")
    assert proc.returncode == 1 and result["failed"] == 1 and "FAIL" in proc.stdout
