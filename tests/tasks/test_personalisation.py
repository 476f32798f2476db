"""Corrections files from a trained `TextClassifier`: the file starts as the shipped classifier."""

import numpy as np
import pytest

from keras_slm.data.labels import LabelVocabulary
from keras_slm.export.ondevice_driver import OnDeviceModel
from keras_slm.tasks.text_classifier import TextClassifier
from keras_slm.models.classifiers import awe_classifier
from keras_slm.tasks.personalisation import export_corrections
from keras_slm.text.word_tokenizer import WordTokenizer

TEXTS = ["great film", "awful plot", "loved it", "boring and slow", "a joy", "dull"]


@pytest.mark.parametrize("binary_head", [False, True])
def test_corrections_file_reproduces_the_classifier_then_learns(binary_head, tmp_path):
    tokenizer = WordTokenizer.fit(TEXTS)
    model = awe_classifier(tokenizer.vocab_size, 2, embedding_dim=8, hidden_dim=8, binary_head=binary_head)
    classifier = TextClassifier(model, tokenizer, LabelVocabulary(["negative", "positive"]), seq_len=8)
    path = tmp_path / "corrections.tflite"
    export_corrections(classifier, path, learning_rate=1.0, quantize="none")
    assert (tmp_path / "labels.txt").read_text().split() == ["negative", "positive"]
    lite = OnDeviceModel(path)
    ids = classifier.encode(TEXTS)
    np.testing.assert_allclose(lite.predict({"input_ids": ids}), classifier.predict_scores(TEXTS), atol=1e-5)
    labels = np.array([1, 0, 1, 0, 1, 0], np.int32)
    before = lite.fit({"input_ids": ids}, labels, epochs=1, batch_size=6)[0]
    lite.fit({"input_ids": ids}, labels, epochs=20, batch_size=6)
    assert lite.train({"input_ids": ids}, labels) < before
