"""LanguageModel (LSTM, word tokens): the task invariants of `TaskTestCase`; its file decodes like Keras."""

import keras
import numpy as np
import pytest

from keras_slm.export.lm import export_lm
from keras_slm.models.language_models import build_lm
from keras_slm.tasks import LanguageModel
from keras_slm.text import lm_stream
from tests.harness import TaskTestCase

TEXT = "to be or not to be that is the question\nwhether tis nobler in the mind to suffer\n" * 3


class TestLanguageModelTask(TaskTestCase):
    task_class = LanguageModel
    inputs_value = ["to be", "whether tis", "the mind"]

    @pytest.fixture(scope="class")
    def task(self):
        keras.utils.set_random_seed(0)
        tokenizer = lm_stream.fit_lm_tokenizer("word", TEXT)
        model = build_lm("lstm", tokenizer.vocab_size, units=16, embedding_dim=8)
        return LanguageModel(model, tokenizer, "lstm", seq_len=8)

    def predictions(self, task, inputs):
        return [task.generate(prompt, max_tokens=4) for prompt in inputs]

    def model_inputs(self, task, inputs):
        return np.asarray([task.encode(TEXT)[:8]], dtype=np.int32)

    def export(self, task, path, inputs):
        return export_lm(task, path, prompts=inputs, max_tokens=4, latency_runs=1, latency_threads=())
