"""The few-shot recipe refuses data it cannot pair (training itself: tests/cli/test_few_shot_cli.py)."""

import pytest

from keras_slm.data.classification import ClassificationData
from keras_slm.errors import DataError
from keras_slm.tasks.few_shot import train_few_shot_classifier


def test_train_refuses_too_few_examples():
    with pytest.raises(DataError, match="at least 2 examples per class"):
        train_few_shot_classifier(ClassificationData(["a b", "c d", "e f"], ["x", "x", "y"]), model="tiny_2x128")
