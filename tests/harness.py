"""Shared checks for layer / model / export / task tests (after keras-hub's TestCase helpers).

Layers and models: `assert_roundtrip`. Exported files: `assert_builtin_only`, `assert_tflite_parity`.
Tasks (saved artifacts): subclass `TaskTestCase` (ARCHITECTURE.md, "Where a new task plugs in").
"""

import os
import re

import keras
import numpy as np
import pytest

from keras_slm.errors import KerasSlmError
from keras_slm.export import TFLiteModel, inspect_tflite


def assert_roundtrip(model, inputs, tmp_path, atol=1e-6):
    """`get_config`/`from_config` and `model.save`/`load_model` give the same outputs."""
    def assert_close(got, expected):  # one output, or each of several (e.g. intent scores and slot tags)
        pairs = zip(got, expected) if isinstance(expected, (list, tuple)) else [(got, expected)]
        for g, e in pairs:
            np.testing.assert_allclose(g, e, atol=atol)

    expected = model.predict(inputs, verbose=0)
    rebuilt = model.__class__.from_config(model.get_config())
    rebuilt.set_weights(model.get_weights())
    assert_close(rebuilt.predict(inputs, verbose=0), expected)
    path = os.path.join(str(tmp_path), f"{model.name}.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert_close(loaded.predict(inputs, verbose=0), expected)
    return loaded


def assert_builtin_only(path):
    """The .tflite file runs on Android's plain LiteRT runtime: no Flex, no custom ops."""
    info = inspect_tflite(path)
    assert not info.flex_ops, f"Flex ops in {path}: {info.flex_ops}"
    assert not info.custom_ops, f"custom ops in {path}: {info.custom_ops}"
    return info


def assert_tflite_parity(model, path, inputs, atol):
    """The LiteRT interpreter gives Keras' outputs within `atol`, same argmax."""
    expected = np.asarray(model.predict(inputs, verbose=0))
    got = TFLiteModel(path).predict(inputs).reshape(expected.shape)
    np.testing.assert_allclose(got, expected, atol=atol)
    np.testing.assert_array_equal(got.argmax(-1), expected.argmax(-1))


def assert_bert_parity(model, path, inputs, atol):
    """The .tflite file's scores are within `atol` of Keras' on the three BERT inputs (ids, mask, type ids).

    Scores, not argmax: an untrained 2-class head scores near 0.5 / 0.5, where a float difference of
    1e-5 can flip an argmax; the bound on the scores is the parity.
    """
    from keras_slm.export.converter import parity

    result = parity(model, path, inputs)  # the three BERT inputs, fed in order
    assert result["max_abs_diff"] <= atol, result


def assert_same_predictions(got, expected, atol):
    """Numbers within `atol`; anything else (labels, tags, text) equal."""
    try:
        got_array, expected_array = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    except (TypeError, ValueError):
        assert got == expected
        return
    np.testing.assert_allclose(got_array, expected_array, atol=atol)


class TaskTestCase:
    """The invariants every task (saved artifact) keeps; a task's test subclasses this.

    A subclass names the class (`task_class`), provides a small artifact as the `task` fixture
    (untrained is fine: these are invariants, not accuracy) and the `inputs` its predictions
    take, and overrides a hook where its API differs. It then gets, for free:

    - save -> load -> identical predictions; a save over a saved directory replaces it as a whole;
    - its Keras model's `get_config`/`from_config` and `model.save`/`load_model` round trip;
    - a builtin-only .tflite export that loads as the same task and predicts like Keras;
    - a `KerasSlmError` naming the path for a missing path and for an empty directory.

    Example:
    >>> class TestMyTask(TaskTestCase):  # doctest: +SKIP
    ...     task_class = MyTask
    ...     @pytest.fixture(scope="class")
    ...     def task(self):
    ...         return MyTask.from_parts(tiny_model(), tokenizer, labels)
    """

    task_class = None
    inputs_value = ()
    save_atol = 1e-6  # the same weights: predictions are identical up to float noise
    export_atol = 1e-4  # float .tflite vs Keras

    @pytest.fixture
    def inputs(self):
        return list(self.inputs_value)

    # -- hooks -------------------------------------------------------------------
    def predictions(self, task, inputs):
        """What the task answers for `inputs`, comparable with `assert_same_predictions`."""
        return task.predict(inputs)

    def model_inputs(self, task, inputs):
        """The Keras model's inputs for `inputs`."""
        return task.encode(inputs)

    def export(self, task, path, inputs):
        """Writes `task` as a float .tflite file at `path` (next to its saved directory)."""
        return task.export(path, sample_texts=inputs, latency_threads=())

    # -- the invariants ------------------------------------------------------------
    def test_save_load_predicts_identically(self, task, inputs, tmp_path):
        task.save(str(tmp_path))
        loaded = self.task_class.load(str(tmp_path))
        assert not loaded.is_tflite
        assert_same_predictions(self.predictions(loaded, inputs), self.predictions(task, inputs), self.save_atol)

    def test_save_replaces_the_whole_directory(self, task, inputs, tmp_path):
        # save writes a sibling and swaps it in: files of an earlier save that this one does
        # not write (an old export, a stale file) are gone, and no partial sibling is left
        directory = str(tmp_path / "model")
        task.save(directory)
        fresh = sorted(os.listdir(directory))
        for name in ("model_int8.tflite", "stale.txt"):
            with open(os.path.join(directory, name), "w") as f:
                f.write("from an earlier training")
        task.save(directory)
        assert sorted(os.listdir(directory)) == fresh
        assert sorted(os.listdir(str(tmp_path))) == ["model"]
        loaded = self.task_class.load(directory)
        assert_same_predictions(self.predictions(loaded, inputs), self.predictions(task, inputs), self.save_atol)

    def test_keras_model_config_and_file_roundtrip(self, task, inputs, tmp_path):
        assert_roundtrip(task.model, self.model_inputs(task, inputs), tmp_path, atol=self.save_atol)

    def test_builtin_only_export_loads_and_agrees(self, task, inputs, tmp_path):
        task.save(str(tmp_path))
        path = os.path.join(str(tmp_path), "model.tflite")
        self.export(task, path, inputs)
        assert_builtin_only(path)
        lite = self.task_class.load(path)
        assert lite.is_tflite
        assert_same_predictions(self.predictions(lite, inputs), self.predictions(task, inputs), self.export_atol)

    def test_missing_path_and_empty_directory_name_the_path(self, tmp_path):
        missing = str(tmp_path / "missing")
        with pytest.raises(KerasSlmError, match=re.escape(missing)):
            self.task_class.load(missing)
        with pytest.raises(KerasSlmError, match=re.escape(str(tmp_path))):
            self.task_class.load(str(tmp_path))
