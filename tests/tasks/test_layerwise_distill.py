"""layerwise_distill_classifier: TinyBERT's recipe on tiny teachers (a transformer classifier, a bare HF checkpoint)."""

import keras
import numpy as np
import pytest

from keras_slm.data.classification import ClassificationData
from keras_slm.data.labels import LabelVocabulary
from keras_slm.errors import KerasSlmError
from keras_slm.models.transformer_classifier import transformer_classifier
from keras_slm.tasks import TextClassifier, load_bert_checkpoint
from keras_slm.tasks.layerwise_distill import classifier_encoder, layerwise_distill_classifier, load_teacher
from tests.tasks.bert_checkpoint import write_random_bert

STUDENT = dict(num_layers=2, hidden_dim=12, num_heads=3, intermediate_dim=16)


def _data(n=48, seed=0):
    rng = np.random.default_rng(seed)
    words = {"pos": ["good", "great", "fun", "loved"], "neg": ["bad", "awful", "dull", "hated"]}
    labels = ["pos" if i % 2 else "neg" for i in range(n)]
    texts = [f"the {rng.choice(['film', 'movie', 'story'])} was very {rng.choice(words[y])} ." for y in labels]
    return ClassificationData(texts, labels)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("bert"))
    write_random_bert(path, hidden=24, layers=3, heads=3, intermediate=32)
    return path


@pytest.fixture(scope="module")
def teacher_dir(checkpoint, tmp_path_factory):
    keras.utils.set_random_seed(0)
    encoder, tokenizer = load_bert_checkpoint(checkpoint, max_length=16)
    data = _data()
    teacher = TextClassifier(transformer_classifier(encoder, 2), tokenizer, LabelVocabulary.fit(data.labels, data), 12,
                             family="bert")
    path = str(tmp_path_factory.mktemp("teacher"))
    teacher.save(path)
    return path


def test_classifier_teacher_gives_an_ordinary_transformer_classifier(teacher_dir, tmp_path):
    data = _data()
    student, history, metrics = layerwise_distill_classifier(
        teacher_dir, data, _data(12, seed=1), student=STUDENT, seq_len=12, layer_epochs=1, epochs=1, augment=1,
        verbose=0)
    record = metrics["layerwise"]
    assert record["teacher_head"] and record["layer_map"] == [1, 3]
    assert set(record["task"]) >= {"embedding_loss", "hidden_loss", "attention_loss"}
    assert metrics["augmented_rows"] > 0 and record["augmented_rows"] == metrics["augmented_rows"]
    teacher = TextClassifier.load(teacher_dir)
    assert student.tokenizer.vocabulary == teacher.tokenizer.vocabulary  # the teacher's ids
    assert student.labels.labels == teacher.labels.labels
    student.save(str(tmp_path))
    loaded = TextClassifier.load(str(tmp_path))
    np.testing.assert_allclose(loaded.predict_scores(data.texts[:4]), student.predict_scores(data.texts[:4]), atol=1e-5)
    assert len(history["val_accuracy"]) == 1


def test_bare_checkpoint_teacher_with_general_distillation(checkpoint):
    data = _data()
    student, _, metrics = layerwise_distill_classifier(
        checkpoint, data, _data(12, seed=1), student=dict(STUDENT, block="mobilebert", intra_dim=12),
        seq_len=12, general_texts=data.texts, general_epochs=1, layer_epochs=1, epochs=1, verbose=0)
    record = metrics["layerwise"]
    assert not record["teacher_head"] and record["general_rows"] == len(data)
    assert classifier_encoder(student.model).name == "mobilebert_encoder"
    assert student.predict_scores(["the film was good ."]).shape == (1, 2)


def test_teacher_without_a_transformer_is_refused(tmp_path):
    from keras_slm.tasks import train_classifier

    awe, _, _ = train_classifier(_data(), model="awe", epochs=1, verbose=0)
    awe.save(str(tmp_path))
    with pytest.raises(KerasSlmError, match="needs a transformer teacher"):
        load_teacher(str(tmp_path))


class _StepCounter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.steps = 0

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1


def test_unlabelled_texts_join_the_layer_and_prediction_stages(teacher_dir):
    data, unlabelled = _data(), _data(40, seed=2).texts
    counter = _StepCounter()
    _, _, metrics = layerwise_distill_classifier(
        teacher_dir, data, _data(12, seed=1), student=STUDENT, seq_len=12, layer_epochs=1, epochs=1,
        unlabelled=unlabelled, batch_size=16, callbacks=[counter], verbose=0)
    assert metrics["unlabelled_rows"] == 40 and metrics["augmented_rows"] == 0
    assert metrics["layerwise"]["unlabelled_rows"] == 40 and metrics["layerwise"]["augmented_rows"] == 0
    assert counter.steps == -(-(48 + 40) // 16)  # the prediction stage read the 48 labelled + 40 unlabelled texts
