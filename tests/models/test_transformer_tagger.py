"""Transformer tagger: first-subword alignment, CRF training step, builtin-only TFLite with tags."""

import os

import keras
import numpy as np

from keras_slm.data import read_conll
from keras_slm.export import TFLiteModel, convert
from keras_slm.models.transformer_encoder import transformer_encoder
from keras_slm.models.transformer_tagger import align_first_subword, transformer_tagger, word_tags
from keras_slm.text import WordPieceTokenizer
from keras_slm.training.tagging import TaggerTrainer
from tests.conftest import shared_data
from tests.harness import assert_builtin_only


def test_trains_and_exports_tags(tmp_path):
    data = read_conll(shared_data("wikiann_en", "train.txt")).subset(range(300))
    tokenizer = WordPieceTokenizer.fit([" ".join(s) for s in data.tokens], vocab_size=600)
    labels = data.tag_set()
    tag_ids = {t: i for i, t in enumerate(labels)}
    x, y, starts = align_first_subword(data.tokens, data.tags, tokenizer, tag_ids, seq_len=24)
    first = [y[i, s].tolist() for i, s in enumerate(starts)]
    assert first[:20] == [[tag_ids[t] for t in data.tags[i][: len(starts[i])]] for i in range(20)]

    encoder = transformer_encoder(tokenizer.vocab_size, num_layers=1, hidden_dim=32, num_heads=2,
                                  intermediate_dim=64, max_length=24)
    model = transformer_tagger(encoder, num_tags=len(labels))
    trainer = TaggerTrainer(model)
    trainer.compile(optimizer=keras.optimizers.Adam(3e-3))
    inputs = [x["input_word_ids"], x["input_mask"], x["input_type_ids"]]
    history = trainer.fit(inputs, y, epochs=4, batch_size=32, verbose=0).history["loss"]
    assert history[-1] < history[0]

    predicted = np.asarray(model.predict(inputs, verbose=0))
    assert not predicted[x["input_mask"] == 0].any()
    tags = word_tags(predicted, starts, labels, [len(s) for s in data.tokens])
    assert [len(t) for t in tags] == [len(s) for s in data.tokens]

    path = os.path.join(str(tmp_path), "tagger.tflite")
    report = convert(model, path, seq_len=24, latency_threads=())
    assert_builtin_only(path)
    assert report.outputs[0]["dtype"] == "int32"
    lite = TFLiteModel(path).predict(*[a[:40] for a in inputs])
    np.testing.assert_array_equal(lite, predicted[:40])

    # int8 (the default for attention models: dense layers and embeddings int8, AI Edge
    # Quantizer) keeps the in-graph Viterbi on int32 and returns tags of the float file.
    path8 = os.path.join(str(tmp_path), "tagger_int8.tflite")
    report8 = convert(model, path8, seq_len=24, quantize="int8", representative_data=[a[:100] for a in inputs],
                      latency_threads=())
    assert_builtin_only(path8)
    assert report8.int8_ops and report8.outputs[0]["dtype"] == "int32"
    lite8 = TFLiteModel(path8).predict(*[a[:40] for a in inputs])
    real = inputs[1][:40] == 1
    assert not lite8[~real].any() and (lite8[real] == predicted[:40][real]).mean() > 0.9


def test_wordpiece_tagger_windows_and_save_load(tmp_path):
    from keras_slm.data.labels import LabelVocabulary
    from keras_slm.models.sequence_tagger import SequenceTagger
    from keras_slm.models.wordpiece_tagger import WordPieceTagger

    data = read_conll(shared_data("wikiann_en", "train.txt")).subset(range(100))
    tokenizer = WordPieceTokenizer.fit([" ".join(s) for s in data.tokens], vocab_size=300)
    encoder = transformer_encoder(tokenizer.vocab_size, num_layers=1, hidden_dim=16, num_heads=2,
                                  intermediate_dim=32, max_length=12)
    tags = LabelVocabulary(data.tag_set())
    tagger = WordPieceTagger(transformer_tagger(encoder, num_tags=len(tags)), tokenizer, tags, seq_len=12)
    long = [w for s in data.tokens[:6] for w in s]  # many windows of whole words
    windows, owners = tagger._windows([long, ["Paris"]])
    assert [w for window in windows[:-1] for w in window] == long and owners[-1] == 1
    assert all(sum(len(tokenizer.tokenize(w)) for w in window) <= 10 for window in windows)
    predicted = tagger.predict_tags([long, ["Paris"]])
    assert [len(p) for p in predicted] == [len(long), 1]
    tagger.save(str(tmp_path))
    loaded = SequenceTagger.load(str(tmp_path))
    assert isinstance(loaded, WordPieceTagger) and loaded.predict_tags([long, ["Paris"]]) == predicted
