"""WordPieceTagger (transformer over WordPiece ids, read at each word's first piece): `TaskTestCase` invariants."""

import keras
import pytest

from keras_slm.data.labels import LabelVocabulary
from keras_slm.models.transformer_encoder import transformer_encoder
from keras_slm.models.transformer_tagger import transformer_tagger
from keras_slm.tasks import SequenceTagger, WordPieceTagger
from keras_slm.text.wordpiece_tokenizer import WordPieceTokenizer
from tests.harness import TaskTestCase

SENTENCES = [["John", "Smith", "lives", "in", "London", "."], ["Paris", "is", "big"], ["Acme", "Corp", "hired", "Ann"]]


class TestWordPieceTaggerTask(TaskTestCase):
    task_class = WordPieceTagger
    inputs_value = SENTENCES + [["unseen", "Londoners", "hired"] * 3]  # more pieces than seq_len: windows

    @pytest.fixture(scope="class")
    def task(self):
        keras.utils.set_random_seed(0)
        tokenizer = WordPieceTokenizer.fit([" ".join(s) for s in SENTENCES] * 5, vocab_size=60)
        encoder = transformer_encoder(tokenizer.vocab_size, num_layers=1, hidden_dim=16, num_heads=2,
                                      intermediate_dim=32, max_length=10)
        tags = LabelVocabulary(["O", "B-PER", "I-PER", "B-LOC", "B-ORG", "I-ORG"])
        return WordPieceTagger(transformer_tagger(encoder, num_tags=len(tags)), tokenizer, tags, seq_len=10)

    def predictions(self, task, inputs):
        return task.predict_tags(inputs)

    def export(self, task, path, inputs):
        return task.export(path, sample_sentences=inputs, latency_threads=())

    def test_sequence_tagger_load_reads_a_wordpiece_directory(self, task, inputs, tmp_path):
        task.save(str(tmp_path))
        loaded = SequenceTagger.load(str(tmp_path))  # through the subclass registry, no import cycle
        assert isinstance(loaded, WordPieceTagger)
        assert loaded.predict_tags(inputs) == task.predict_tags(inputs)
