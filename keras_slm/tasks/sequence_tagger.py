"""`SequenceTagger`: a trained NER tagger with its vocabularies and tags, as one object.

A tagger directory holds:
    model.keras    the Keras model (ids in, decoded tag ids out; Viterbi in the graph for CRFs)
    tagger.json    word / character vocabularies and encoding options
    labels.txt     BIO tags, one per line (index = tag id, "O" = 0)
    config.json    task "ner", sequence length, model family
    model.tflite   float, batch 1, builtin ops only; model_<quantize>.tflite when asked
    metrics.json   validation entity F1 and the export reports
"""

import json
import os
import re

import numpy as np

from keras_slm import files
from keras_slm.data.conll import bio_spans
from keras_slm.data.labels import LabelVocabulary
from keras_slm.errors import ModelDirError
from keras_slm.tasks import model_files
from keras_slm.tasks.text_classifier import (
    load_model_file,
    read_config,
    resolve_model_path,
    save_keras_model,
    write_config,
)

TASK = "ner"
# The word / character ids `keras_slm.models.taggers` reserves (that module imports Keras; this one is
# loaded by the TensorFlow-free server). tests/tasks/test_sequence_tagger.py checks they agree.
PAD_ID, UNKNOWN_ID = 0, 1
VOCAB_FILE = "tagger.json"
INT8_DECODE_SCALE = 256  # CRF fixed-point decoding in full-int8 files
# Ops int8 files keep in float: the LSTM cell state (c = f*c + i*g, tanh(c), h = o*tanh(c) and
# the mask selects carrying c and h across padded steps) and the emission layer. Requantizing
# the cell state to int8 at every unrolled step changed ~0.2% of tags; with it in float (the
# gate matmuls and sigmoids stay int8, as in TFLite's own int8 LSTM with its 16-bit cell)
# >= 99.9% of tags match Keras.
INT8_FLOAT_NODES = r"lstm_cell(_\d+)?/(add|mul|Tanh)|SelectV2|/(emissions|crf)(_\d+)?/"
_WORD = re.compile(r"\w+(?:'\w+)?|[^\w\s]", re.UNICODE)
_DIGITS = re.compile(r"\d")


def split_text(text, unit="word"):
    """Tokens of raw text with character offsets: [(token, start, end)].

    "word": runs of word characters (with inner apostrophes) and single punctuation marks;
    "char": every non-space character (Chinese, Japanese, ...).
    """
    if unit == "char":
        return [(c, i, i + 1) for i, c in enumerate(text) if not c.isspace()]
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]


def read_vocabulary(directory):
    """DIR/tagger.json, checked: `words` (and `chars`) lists of strings unless it names a tokenizer."""
    path = os.path.join(directory, VOCAB_FILE)
    if not os.path.exists(path):
        raise ModelDirError(f"{directory}: no {VOCAB_FILE}")
    vocab = files.read_json(path, 'the tagger.json keras-slm wrote ({"words": [...], ...})')
    if vocab.get("tokenizer"):
        return vocab
    for key in ("words", "chars"):
        value = vocab.get(key)
        if (key == "words" or value is not None) and (
                not isinstance(value, list) or not all(isinstance(w, str) for w in value)):
            raise ModelDirError(f"{path}: `{key}` is not a list of strings; expected the tagger.json keras-slm wrote")
    return vocab


class SequenceTagger:
    """Tags tokens and finds entity spans with a Keras model or a .tflite file.

    Args:
        model: a Keras tagger (`keras_slm.models.taggers`) or a `TFLiteModel`.
        words: word vocabulary (index = id; 0 "<PAD>", 1 "<UNKNOWN>").
        tags: `LabelVocabulary` of BIO tags, "O" first.
        seq_len: tokens per window (the exported length).
        chars: character vocabulary for char features, or None.
        max_word_chars: characters kept per word.
        lowercase: lowercase words (and map digits to 0) before the word lookup.
        unit: "word" or "char" (how raw text is split by `predict_text`).
        family: model family name, for the record.

    Example:
    >>> tagger = SequenceTagger.load("runs/wikiann")  # doctest: +SKIP
    >>> tagger.predict_text(["Angela Merkel visited Paris ."])[0]["entities"]  # doctest: +SKIP
    [{'type': 'PER', 'text': 'Angela Merkel', 'start': 0, 'end': 13}, ...]
    """

    # Subclasses with their own tokenizer set `tokenizer_kind` and register here, so that `load`
    # reads their directories without this module importing them (no import cycle).
    tokenizer_kind = None
    _by_tokenizer = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.tokenizer_kind:
            SequenceTagger._by_tokenizer[cls.tokenizer_kind] = cls

    def __init__(self, model, words, tags, seq_len, chars=None, max_word_chars=16, lowercase=True,
                 unit="word", family=None):
        self.model = model
        self.words = list(words)
        self.tags = tags
        self.seq_len = int(seq_len)
        self.chars = list(chars) if chars else None
        self.max_word_chars = int(max_word_chars)
        self.lowercase = lowercase
        self.unit = unit
        self.family = family
        self._word_ids = {w: i for i, w in enumerate(self.words)}
        self._char_ids = {c: i for i, c in enumerate(self.chars or [])}

    # -- vocabularies -----------------------------------------------------------------
    @staticmethod
    def normalize(token, lowercase=True):
        return _DIGITS.sub("0", token.lower()) if lowercase else token

    @staticmethod
    def build_vocabularies(sentences, min_count=1, max_words=50000, lowercase=True, char_features=True):
        """(words, chars) learned from training sentences (lists of tokens)."""
        import collections

        counts, char_counts = collections.Counter(), collections.Counter()
        for sentence in sentences:
            for token in sentence:
                counts[SequenceTagger.normalize(token, lowercase)] += 1
                if char_features:
                    char_counts.update(token)
        words = ["<PAD>", "<UNKNOWN>"] + [w for w, n in counts.most_common(max_words - 2) if n >= min_count]
        chars = ["<PAD>", "<UNKNOWN>"] + sorted(char_counts) if char_features else None
        return words, chars

    @property
    def is_tflite(self):
        return not model_files.is_keras_model(self.model)

    # -- encoding ---------------------------------------------------------------------
    def encode(self, sentences, seq_len=None):
        """int32 model input for token lists, truncated / padded to `seq_len`.

        `[n, seq_len]` word ids, or `[n, seq_len, 1 + max_word_chars]` with char features.
        """
        seq_len = seq_len or self.seq_len
        width = 1 + self.max_word_chars if self.chars else None
        out = np.zeros((len(sentences), seq_len) + ((width,) if width else ()), dtype=np.int32)
        for i, sentence in enumerate(sentences):
            for j, token in enumerate(sentence[:seq_len]):
                word = self._word_ids.get(self.normalize(token, self.lowercase), UNKNOWN_ID)
                if width:
                    out[i, j, 0] = word
                    for k, c in enumerate(token[: self.max_word_chars]):
                        out[i, j, 1 + k] = self._char_ids.get(c, UNKNOWN_ID)
                else:
                    out[i, j] = word
        return out

    def _windows(self, sentences):
        """Sentences cut into windows of at most seq_len tokens: (windows, owner index)."""
        windows, owners = [], []
        for i, sentence in enumerate(sentences):
            for start in range(0, max(len(sentence), 1), self.seq_len):
                windows.append(sentence[start : start + self.seq_len])
                owners.append(i)
        return windows, owners

    # -- prediction -------------------------------------------------------------------
    def predict_tag_ids(self, sentences, batch_size=256):
        """Tag ids for each sentence (list of int arrays); long sentences go in windows."""
        windows, owners = self._windows(sentences)
        ids = self.encode(windows)
        if self.is_tflite:
            out = self.model.predict(ids)
        else:
            out = self.model.predict(ids, verbose=0, batch_size=batch_size)
        out = np.asarray(out).reshape(len(windows), self.seq_len)
        result = [[] for _ in sentences]
        for row, window, owner in zip(out, windows, owners):
            result[owner].extend(int(t) for t in row[: len(window)])
        return [np.asarray(r, dtype=np.int64) for r in result]

    def predict_tags(self, sentences, batch_size=256):
        """BIO tag strings for each sentence (a list of tokens)."""
        return [self.tags.decode(ids) for ids in self.predict_tag_ids(sentences, batch_size)]

    def predict_text(self, texts):
        """[{"text", "tokens", "tags", "entities": [{"type", "text", "start", "end"}]}] for raw texts."""
        split = [split_text(t, self.unit) for t in texts]
        tags = self.predict_tags([[tok for tok, _, _ in s] for s in split])
        results = []
        for text, tokens, sentence_tags in zip(texts, split, tags):
            entities = []
            for type_, start, end in bio_spans(sentence_tags):
                a, b = tokens[start][1], tokens[end - 1][2]
                entities.append({"type": type_, "text": text[a:b], "start": a, "end": b})
            results.append({"text": text, "tokens": [t for t, _, _ in tokens], "tags": sentence_tags,
                            "entities": entities})
        return results

    def evaluate(self, data):
        """Entity precision / recall / F1 (seqeval-equal) and a per-type table on `NerData`."""
        from keras_slm.evaluation import entity_metrics

        return entity_metrics(data.tags, self.predict_tags(data.tokens))

    # -- export -----------------------------------------------------------------------
    def export(self, path, quantize="none", sample_sentences=None, eval_data=None, **kwargs):
        """Writes a .tflite file returning decoded tag ids; returns its `ExportReport`.

        Args:
            path: target .tflite path.
            quantize: "none", "dynamic", "float16" or "int8" (int8 weights and activations,
                except the ops `float_nodes` keeps in float: by default `INT8_FLOAT_NODES`;
                pass float_nodes=None for a file with every op in int8).
            sample_sentences: token lists for int8 calibration and the tag-agreement check.
            eval_data: `NerData` to report entity F1 of Keras vs the file.
            **kwargs: passed to `keras_slm.export.convert`.

        The report's `parity` holds `tag_agreement` (share of real tokens given the same tag
        by Keras and the file) and `sentence_agreement`; `metric` the entity F1 when
        `eval_data` is given.
        """
        from keras_slm.evaluation import entity_metrics
        from keras_slm.export.converter import convert
        from keras_slm.inference.tflite_model import TFLiteModel

        if self.is_tflite:
            raise ModelDirError("this tagger was loaded from a .tflite file; load the directory to export")
        samples = None
        if sample_sentences is not None:
            samples = self.encode([s[: self.seq_len] for s in sample_sentences])
        kwargs.setdefault("representative_data", samples)
        if quantize == "int8":
            kwargs.setdefault("float_nodes", INT8_FLOAT_NODES)
        from keras_slm.layers import CRF

        crfs = [layer for layer in self.model.layers if isinstance(layer, CRF)]
        saved = [layer.decode_scale for layer in crfs]
        try:
            if quantize == "int8":  # integer Viterbi: immune to per-step int8 requantization
                for layer in crfs:
                    layer.decode_scale = layer.decode_scale or INT8_DECODE_SCALE
            report = convert(self.model, path, seq_len=self.seq_len, quantize=quantize, sample_inputs=samples, **kwargs)
        finally:
            for layer, scale in zip(crfs, saved):
                layer.decode_scale = scale
        lite = self._like(TFLiteModel(path))
        if samples is not None:
            sentences = [s[: self.seq_len] for s in sample_sentences]
            keras_ids, lite_ids = self.predict_tag_ids(sentences), lite.predict_tag_ids(sentences)
            same = sum(int((a == b).sum()) for a, b in zip(keras_ids, lite_ids))
            tokens = sum(len(a) for a in keras_ids)
            report.parity = {
                "n": len(sentences), "tokens": tokens,
                "max_abs_diff": float(max((np.abs(a - b).max() if len(a) else 0) for a, b in zip(keras_ids, lite_ids))),
                "argmax_agreement": same / max(tokens, 1), "tag_agreement": same / max(tokens, 1),
                "sentence_agreement": float(np.mean([np.array_equal(a, b) for a, b in zip(keras_ids, lite_ids)])),
            }
        if eval_data is not None:
            k = entity_metrics(eval_data.tags, self.predict_tags(eval_data.tokens))["f1"]
            t = entity_metrics(eval_data.tags, lite.predict_tags(eval_data.tokens))["f1"]
            report.metric = {"name": "entity F1", "keras": k, "tflite": t, "drop": k - t, "n": len(eval_data)}
        return report

    def _like(self, model):
        """This tagger with another model (e.g. its .tflite file)."""
        return SequenceTagger(model, self.words, self.tags, self.seq_len, self.chars, self.max_word_chars,
                              self.lowercase, self.unit, self.family)

    # -- files ------------------------------------------------------------------------
    @model_files.atomic_save
    def save(self, directory):
        """Writes model.keras, tagger.json (+ the tokenizer's files), labels.txt and config.json."""
        if self.is_tflite:
            raise ModelDirError("cannot save a tagger loaded from a .tflite file")
        save_keras_model(self.model, directory)
        self._save_vocabulary(directory)
        self.tags.save(directory)
        write_config(directory, {"task": TASK, "seq_len": self.seq_len, "model": self.family, "unit": self.unit})

    def _save_vocabulary(self, directory):
        vocab = {"words": self.words, "chars": self.chars, "max_word_chars": self.max_word_chars,
                 "lowercase": self.lowercase, "unit": self.unit}
        files.write_text_atomic(os.path.join(directory, VOCAB_FILE), json.dumps(vocab, ensure_ascii=False))

    @classmethod
    def load(cls, path, num_threads=1):
        """Loads from DIR (Keras model), DIR/model.keras, or DIR/<name>.tflite."""
        directory, model_file = resolve_model_path(path)
        config = read_config(directory, TASK, "an NER tagger")
        vocab = read_vocabulary(directory)
        tags = LabelVocabulary.load(directory)
        model = load_model_file(directory, model_file, num_threads)
        outputs = getattr(model, "outputs", None) or [None]
        if len(outputs) != 1:
            raise ModelDirError(f"{model_file or os.path.join(directory, 'model.keras')}: has {len(outputs)} outputs; "
                                f"expected the one (tag ids) of an NER tagger, as {os.path.join(directory, 'config.json')} "
                                "says (a joint intent / slot model has two)")
        kind = vocab.get("tokenizer")
        if kind:  # a subclass with its own tokenizer (WordPieceTagger: "wordpiece")
            if kind not in SequenceTagger._by_tokenizer:
                raise ModelDirError(f"{directory}: {VOCAB_FILE} names tokenizer {kind!r}; known: "
                                    f"{sorted(SequenceTagger._by_tokenizer)} (import keras_slm.tasks)")
            return SequenceTagger._by_tokenizer[kind]._from_directory(model, directory, tags, config)
        words = vocab["words"]
        model_files.check_agreement(directory, model, len(words), labels_file="labels.txt", tokenizer_file=VOCAB_FILE,
                                    model_file=os.path.basename(model_file or "model.keras"))
        return cls(model, words, tags, config["seq_len"], vocab.get("chars"), vocab.get("max_word_chars", 16),
                   vocab.get("lowercase", True), vocab.get("unit", "word"), family=config.get("model"))
