"""SequenceTagger (RNN + CRF over words and characters): the task invariants of `TaskTestCase`."""

import keras
import pytest

from keras_slm.data.labels import LabelVocabulary
from keras_slm.models.taggers import bilstm_crf_tagger
from keras_slm.tasks import SequenceTagger
from tests.harness import TaskTestCase

SENTENCES = [["John", "Smith", "lives", "in", "London", "."], ["Paris", "is", "big"], ["Acme", "Corp", "hired", "Ann"]]


class TestSequenceTaggerTask(TaskTestCase):
    task_class = SequenceTagger
    inputs_value = SENTENCES + [["an", "unseen", "word", "Zyx"] * 3]  # longer than seq_len: windows

    @pytest.fixture(scope="class")
    def task(self):
        keras.utils.set_random_seed(0)
        words, chars = SequenceTagger.build_vocabularies(SENTENCES, 1, lowercase=True, char_features=True)
        tags = LabelVocabulary(["O", "B-PER", "I-PER", "B-LOC", "B-ORG", "I-ORG"])
        network = bilstm_crf_tagger(len(words), len(tags), char_vocab_size=len(chars), max_word_chars=8,
                                    embedding_dim=8, lstm_units=8, char_dim=4, char_filters=4)
        return SequenceTagger(network, words, tags, seq_len=8, chars=chars, max_word_chars=8)

    def predictions(self, task, inputs):
        return task.predict_tags(inputs)

    def export(self, task, path, inputs):
        return task.export(path, sample_sentences=inputs, latency_threads=())


def test_reserved_ids_agree_with_the_tagger_models():
    # sequence_tagger keeps its own copy (it loads without Keras, for the TensorFlow-free server)
    from keras_slm.models import taggers
    from keras_slm.tasks import sequence_tagger

    assert (sequence_tagger.PAD_ID, sequence_tagger.UNKNOWN_ID) == (taggers.PAD_ID, taggers.UNKNOWN_ID)
