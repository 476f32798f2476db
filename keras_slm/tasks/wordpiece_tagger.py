"""`WordPieceTagger`: a transformer NER tagger over WordPiece ids, read at each word's first piece."""

import json
import os

import numpy as np

from keras_slm import files
from keras_slm.tasks.sequence_tagger import VOCAB_FILE, SequenceTagger
from keras_slm.inference.subword_alignment import align_first_subword
from keras_slm.text import load_tokenizer


def _input_list(inputs):
    """The BERT inputs dict as the model's input order: word ids, mask, type ids."""
    return [inputs["input_word_ids"], inputs["input_mask"], inputs["input_type_ids"]]


class WordPieceTagger(SequenceTagger):
    """A `SequenceTagger` whose model reads BERT inputs (`transformer_tagger`).

    Words are split into WordPieces; each word takes the tag predicted at its first piece.
    Sentences whose pieces do not fit in `seq_len` (with `[CLS]` and `[SEP]`) are cut into
    windows of whole words. The directory holds the tokenizer (`tokenizer.json`,
    `vocab.txt`) next to the files of a `SequenceTagger`.

    Args:
        model: a Keras `transformer_tagger` or a `TFLiteModel` of one.
        tokenizer: `keras_slm.text.WordPieceTokenizer`.
        tags: `LabelVocabulary` of BIO tags, "O" first.
        seq_len: pieces per window, `[CLS]` and `[SEP]` included (the exported length).
        family: model family name, for the record.

    Example:
    >>> tagger = SequenceTagger.load("runs/wikiann_transformer")  # doctest: +SKIP
    >>> tagger.predict_tags([["Angela", "Merkel", "visited", "Paris"]])  # doctest: +SKIP
    [['B-PER', 'I-PER', 'O', 'B-LOC']]
    """

    tokenizer_kind = "wordpiece"

    def __init__(self, model, tokenizer, tags, seq_len, family=None):
        super().__init__(model, [], tags, seq_len, lowercase=tokenizer.lowercase, unit="word", family=family)
        self.tokenizer = tokenizer
        self._tag_ids = {t: i for i, t in enumerate(tags.labels)}

    @classmethod
    def _from_directory(cls, model, directory, tags, config):
        """`SequenceTagger.load`'s constructor for a directory whose tagger.json names "wordpiece"."""
        return cls(model, load_tokenizer(directory), tags, config["seq_len"], family=config.get("model"))

    def _like(self, model):
        return WordPieceTagger(model, self.tokenizer, self.tags, self.seq_len, self.family)

    def _windows(self, sentences):
        """Sentences cut into windows of whole words whose pieces fit in seq_len - 2."""
        windows, owners = [], []
        room = self.seq_len - 2
        for i, sentence in enumerate(sentences):
            window, used = [], 0
            for word in sentence:
                n = max(len(self.tokenizer.tokenize(word)), 1)
                if window and used + n > room:
                    windows.append(window)
                    owners.append(i)
                    window, used = [], 0
                window.append(word)
                used += n
            windows.append(window)
            owners.append(i)
        return windows, owners

    def align(self, sentences, tags=None):
        """(BERT inputs dict, piece tag ids, first-piece positions); see `align_first_subword`."""
        return align_first_subword(sentences, tags, self.tokenizer, self._tag_ids, self.seq_len)

    def encode(self, sentences, seq_len=None):
        """The three `[n, seq_len]` int32 BERT inputs (word ids, mask, type ids) of token lists."""
        return _input_list(self.align(sentences)[0])

    def predict_tag_ids(self, sentences, batch_size=256):
        windows, owners = self._windows(sentences)
        x, _, starts = self.align(windows)
        inputs = _input_list(x)
        if self.is_tflite:
            out = self.model.predict(*inputs)
        else:
            out = self.model.predict(inputs, verbose=0, batch_size=batch_size)
        out = np.asarray(out).reshape(len(windows), self.seq_len)
        result = [[] for _ in sentences]
        for row, window, first, owner in zip(out, windows, starts, owners):
            ids = [int(row[s]) for s in first]
            result[owner].extend(ids + [0] * (len(window) - len(ids)))  # words cut off: "O"
        return [np.asarray(r, dtype=np.int64) for r in result]

    def _save_vocabulary(self, directory):
        # tokenizer.json + vocab.txt; tagger.json marks the folder for `SequenceTagger.load`.
        self.tokenizer.save(directory)
        files.write_text_atomic(os.path.join(directory, VOCAB_FILE), json.dumps({"tokenizer": self.tokenizer_kind, "unit": "word"}))
