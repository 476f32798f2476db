import numpy as np
import pytest

from keras_slm.data import ClassificationData, read_classification, sample_path
from keras_slm.errors import DataError, ModelDirError
from keras_slm.models import TextClassifier
from keras_slm.training import train_classifier
from tests.harness import TaskTestCase


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    data = read_classification(sample_path("sentiment_en.tsv"))
    classifier, history, metrics = train_classifier(
        data, model="awe", epochs=3, batch_size=16, seq_len=24, verbose=0
    )
    out = str(tmp_path_factory.mktemp("clf"))
    classifier.save(out)
    return classifier, out, data


def test_save_load_predicts_the_same(trained):
    classifier, out, data = trained
    loaded = TextClassifier.load(out)
    texts = data.texts[:20]
    np.testing.assert_allclose(loaded.predict_scores(texts), classifier.predict_scores(texts), atol=1e-6)
    result = loaded.predict(["I loved it"])[0]
    assert result["label"] in ("positive", "negative")
    assert abs(sum(result["scores"].values()) - 1) < 1e-5


def test_tflite_export_loads_and_agrees(trained, tmp_path):
    classifier, out, data = trained
    report = classifier.export(f"{out}/model.tflite", sample_texts=data.texts[:50], latency_runs=20)
    assert report.android_compatible and report.parity["max_abs_diff"] <= 1e-4
    lite = TextClassifier.load(f"{out}/model.tflite")
    assert lite.is_tflite
    np.testing.assert_allclose(lite.predict_scores(data.texts[:30]), classifier.predict_scores(data.texts[:30]), atol=1e-4)


def test_evaluate_unseen_label_error_or_skip(trained):
    classifier, _, _ = trained
    data = ClassificationData(["good", "bad", "meh"], ["positive", "negative", "neutral"], path="eval.tsv", lines=[2, 3, 4])
    with pytest.raises(DataError, match=r"eval\.tsv:4: label 'neutral'"):
        classifier.evaluate(data)
    metrics = classifier.evaluate(data, skip_bad_rows=True)
    assert metrics["n"] == 2 and metrics["skipped"] == 1


def test_load_errors(tmp_path):
    with pytest.raises(ModelDirError, match="no config.json"):
        TextClassifier.load(str(tmp_path))
    with pytest.raises(ModelDirError, match="no such model"):
        TextClassifier.load(str(tmp_path / "missing.keras"))


class TestTextClassifierTask(TaskTestCase):
    task_class = TextClassifier
    inputs_value = ["I loved it", "a dull, lifeless film", "not bad at all", "worst ever"]

    @pytest.fixture
    def task(self, trained):
        return trained[0]

    def predictions(self, task, inputs):
        return task.predict_scores(inputs)
