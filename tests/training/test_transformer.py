"""Transformer classifier training: from scratch and from an MLM-pretrained encoder; TextClassifier I/O."""

import numpy as np
import pytest

from keras_slm.data import read_classification, sample_path
from keras_slm.models import TextClassifier
from keras_slm.training import holdout_split
from keras_slm.training.mlm import pretrain_mlm, save_pretrained_encoder
from keras_slm.training.transformer import bert_dataset, train_transformer_classifier

PRESET = {"num_layers": 1, "hidden_dim": 32, "num_heads": 2, "intermediate_dim": 64}


@pytest.fixture(scope="module")
def data():
    return holdout_split(read_classification(sample_path("sentiment_en.tsv")), 0.2, seed=0)


def test_bert_dataset_derives_mask_and_segments():
    ids = np.array([[2, 7, 3, 0, 0], [2, 5, 6, 8, 3]], np.int32)
    (word, mask, types), labels = next(iter(bert_dataset(ids, np.array([0, 1]), batch_size=2)))
    np.testing.assert_array_equal(mask, ids > 0)
    assert not np.any(types) and word.shape == (2, 5)


def test_scratch_training_learns_and_round_trips(data, tmp_path):
    train, val = data
    clf, history, metrics = train_transformer_classifier(train, val, model=PRESET, seq_len=24, epochs=10,
                                                         batch_size=16, learning_rate=1e-3, dropout=0.0,
                                                         patience=10, vocab_size=500, verbose=0)
    assert metrics["accuracy"] >= 0.7, metrics
    assert clf.family == "transformer" and clf.tokenizer.kind == "wordpiece"
    clf.save(tmp_path)
    loaded = TextClassifier.load(str(tmp_path))
    texts = val.texts[:8]
    np.testing.assert_allclose(loaded.predict_scores(texts), clf.predict_scores(texts), atol=1e-6)
    clf.export(str(tmp_path / "model.tflite"), sample_texts=texts, latency_threads=())
    lite = TextClassifier.load(str(tmp_path / "model.tflite"))
    np.testing.assert_allclose(lite.predict_scores(texts), clf.predict_scores(texts), atol=1e-5)
    assert lite.evaluate(val)["accuracy"] == pytest.approx(metrics["accuracy"], abs=0.02)


def test_fine_tunes_a_pretrained_encoder(data, tmp_path):
    train, val = data
    encoder, tok, _ = pretrain_mlm(train.texts, preset=PRESET, vocab_size=300, seq_len=24, max_steps=4,
                                   batch_size=16, verbose=0)
    save_pretrained_encoder(str(tmp_path), encoder, tok, 24, preset=PRESET)
    clf, _, metrics = train_transformer_classifier(train, val, init=str(tmp_path), seq_len=24, epochs=1, verbose=0)
    assert clf.tokenizer.vocabulary == tok.vocabulary
    assert metrics["learning_rate"] == 2e-4 and clf.family.startswith("pretrained_")
    assert clf.model.count_params() == encoder.count_params() + 32 * 2 + 2  # encoder + Dense head
