"""`NluModel`: a joint intent / slot model with its vocabularies, intents and slot tags, as one object.

A model directory holds:
    model.keras    the Keras model: ids in; intent probabilities and slot tag ids (Viterbi in the graph) out
    tagger.json    word / character vocabularies (BiLSTM), or {"tokenizer": "wordpiece"} beside
                   tokenizer.json and vocab.txt (transformers)
    labels.txt     slot BIO tags, one per line (index = tag id, "O" = 0)
    intents.txt    intents, one per line (index = intent id)
    config.json    task "nlu", sequence length, model family, unit ("word" or "char")
    model.tflite   float, batch 1, builtin ops only, two outputs: float `[1, num_intents]` intent
                   probabilities and int32 `[1, seq_len]` slot tag ids; model_<mode>.tflite when asked
    metrics.json   validation metrics and the export reports
"""

import contextlib
import os

import numpy as np

from keras_slm import files
from keras_slm.data.conll import bio_spans
from keras_slm.data.labels import LabelVocabulary
from keras_slm.data.nlu import split_tokens, token_offsets
from keras_slm.errors import ModelDirError
from keras_slm.tasks import model_files
from keras_slm.tasks.sequence_tagger import INT8_DECODE_SCALE, VOCAB_FILE, SequenceTagger, read_vocabulary
from keras_slm.tasks.sequence_tagger import INT8_FLOAT_NODES as TAGGER_INT8_FLOAT_NODES
from keras_slm.tasks.text_classifier import load_model_file, read_config, resolve_model_path, save_keras_model, write_config
from keras_slm.tasks.wordpiece_tagger import WordPieceTagger

TASK = "nlu"
INTENTS_FILE = "intents.txt"
# int8 files keep the LSTM cell state, the emissions, the CRF and the intent head in float.
INT8_FLOAT_NODES = TAGGER_INT8_FLOAT_NODES + r"|/(slots|intent)(_\d+)?/"


@contextlib.contextmanager
def _integer_viterbi(model, on):
    """Temporarily decodes the model's CRFs on fixed-point scores (full-int8 files)."""
    from keras_slm.layers import CRF

    crfs = [layer for layer in model.layers if isinstance(layer, CRF)]
    saved = [layer.decode_scale for layer in crfs]
    try:
        for layer in crfs if on else []:
            layer.decode_scale = layer.decode_scale or INT8_DECODE_SCALE
        yield
    finally:
        for layer, scale in zip(crfs, saved):
            layer.decode_scale = scale


def _check_outputs(directory, model, model_file, num_intents, vocab_size):
    """Refuses a model that is not a joint one (two outputs) or whose intents / words do not match the files."""
    name = os.path.basename(model_file or "model.keras")
    outputs = getattr(model, "outputs", None) or []
    if len(outputs) != 2:
        raise ModelDirError(f"{os.path.join(directory, name)}: has {len(outputs)} output(s); expected the two of a joint "
                            "intent / slot model (intent probabilities, slot tag ids)")
    if isinstance(outputs[0], dict):  # a .tflite file: the float output is the intent one
        widths = [int(o["shape"][-1]) for o in outputs if np.dtype(o["dtype"]).kind == "f"]
    else:
        widths = [int(model.outputs[0].shape[-1])]
    if widths and widths[0] != num_intents:
        raise ModelDirError(f"{os.path.join(directory, INTENTS_FILE)}: holds {num_intents} intents but {name} has "
                            f"{widths[0]}; the intents and the model come from different trainings")
    model_files.check_agreement(directory, model, vocab_size, tokenizer_file=VOCAB_FILE, model_file=name)


class NluModel:
    """Predicts an utterance's intent and its slot spans with a Keras model or a .tflite file.

    Args:
        model: a joint model (`keras_slm.models.joint_nlu`) or a `TFLiteModel` of one.
        encoder: the `SequenceTagger` (word / char ids, char features) or `WordPieceTagger`
            whose vocabularies and encoding the model reads (its own model is unused).
        intents: `LabelVocabulary` of intents.
        tags: `LabelVocabulary` of BIO slot tags, "O" first.
        seq_len: tokens (BiLSTM) or pieces (transformer, `[CLS]`/`[SEP]` included) per utterance;
            tokens past it are tagged "O".
        unit: "word" (whitespace tokens) or "char" (non-space characters).
        family: model family name, for the record.

    Example:
    >>> nlu = NluModel.load("runs/snips")  # doctest: +SKIP
    >>> nlu.predict_text(["play some jazz on spotify"])[0]["slots"]  # doctest: +SKIP
    [{'slot': 'genre', 'text': 'jazz', 'start': 10, 'end': 14}, {'slot': 'service', ...}]
    """

    def __init__(self, model, encoder, intents, tags, seq_len, unit="word", family=None):
        self.model = model
        self.encoder = encoder
        self.intents = intents
        self.tags = tags
        self.seq_len = int(seq_len)
        self.unit = unit
        self.family = family

    @property
    def is_tflite(self):
        return not model_files.is_keras_model(self.model)

    @property
    def wordpiece(self):
        return isinstance(self.encoder, WordPieceTagger)

    # -- encoding and running ----------------------------------------------------------
    def encode(self, token_lists):
        """(model inputs, positions): the int32 input arrays and, per utterance, the position
        each token's tag is read at (tokens that do not fit are left out)."""
        token_lists = [list(t)[: self.seq_len] for t in token_lists]
        if self.wordpiece:
            x, _, starts = self.encoder.align(token_lists)
            return [x["input_word_ids"], x["input_mask"], x["input_type_ids"]], starts
        return [self.encoder.encode(token_lists)], [list(range(len(t))) for t in token_lists]

    def _run(self, inputs):
        if not self.is_tflite:
            probs, tags = self.model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0, batch_size=256)
            return np.asarray(probs), np.asarray(tags)
        probs, tags = [], []
        for i in range(len(inputs[0])):
            outputs = self.model.invoke(*(a[i : i + 1] for a in inputs))
            # Two outputs in the file's order: the float one is the intent, the integer one the tags.
            probs.append(next(o for o in outputs if o.dtype.kind == "f").reshape(-1))
            tags.append(next(o for o in outputs if o.dtype.kind in "iu").reshape(-1))
        return np.stack(probs), np.stack(tags)

    def predict_ids(self, token_lists):
        """(intent probabilities `[n, num_intents]`, slot tag ids per utterance: one per token)."""
        inputs, starts = self.encode(token_lists)
        probs, rows = self._run(inputs)
        ids = [[int(row[s]) for s in first] + [0] * (len(tokens) - len(first))
               for row, first, tokens in zip(rows, starts, token_lists)]
        return probs, ids

    def predict(self, token_lists):
        """(intents, intent scores, BIO tag lists) for tokenized utterances."""
        probs, ids = self.predict_ids(token_lists)
        best = probs.argmax(axis=1)
        return (self.intents.decode(best), [float(p[b]) for p, b in zip(probs, best)],
                [self.tags.decode(row) for row in ids])

    def predict_text(self, texts):
        """[{"text", "intent", "score", "tokens", "tags", "slots": [{"slot", "text", "start", "end"}]}].

        Texts are split as the training data was (`keras_slm.data.nlu.split_tokens`); slot
        `start` / `end` are character offsets in the text (end exclusive).
        """
        split = [token_offsets(t, self.unit) for t in texts]
        intents, scores, tags = self.predict([[tok for tok, _, _ in s] for s in split])
        results = []
        for text, tokens, intent, score, row in zip(texts, split, intents, scores, tags):
            slots = []
            for slot, start, end in bio_spans(row):
                a, b = tokens[start][1], tokens[end - 1][2]
                slots.append({"slot": slot, "text": text[a:b], "start": a, "end": b})
            results.append({"text": text, "intent": intent, "score": score, "tokens": [t for t, _, _ in tokens],
                            "tags": row, "slots": slots})
        return results

    def evaluate(self, data):
        """`nlu_metrics` (intent accuracy, slot F1, sentence accuracy, n) on `NluData`."""
        from keras_slm.evaluation.nlu import nlu_metrics

        intents, _, tags = self.predict(data.tokens)
        return nlu_metrics(data.intents, intents, data.tags, tags)

    # -- export -----------------------------------------------------------------------
    def export(self, path, quantize="none", sample_tokens=None, eval_data=None, **kwargs):
        """Writes a two-output .tflite file (intent probabilities, slot tag ids); returns its `ExportReport`.

        Args:
            path: target .tflite path.
            quantize: "none", "dynamic", "float16" or "int8" (int8 keeps `INT8_FLOAT_NODES` in
                float and decodes the CRF on fixed-point scores).
            sample_tokens: token lists for int8 calibration and the Keras / file parity check.
            eval_data: `NluData` to report both metrics of Keras vs the file.
            **kwargs: passed to `keras_slm.export.convert`.

        The report's `parity` holds `intent_agreement`, `max_abs_diff` (intent probabilities),
        `tag_agreement` (share of tokens tagged alike) and `sentence_agreement`; `metric` the
        slot F1 (and `intent_accuracy`, `sentence_accuracy`) of Keras and of the file on `eval_data`.
        """
        from keras_slm.export import TFLiteModel, convert

        if self.is_tflite:
            raise ModelDirError("this model was loaded from a .tflite file; load the directory to export")
        samples = self.encode(sample_tokens)[0] if sample_tokens is not None else None
        kwargs.setdefault("representative_data", samples)
        if quantize == "int8":
            kwargs.setdefault("float_nodes", INT8_FLOAT_NODES)
        with _integer_viterbi(self.model, quantize == "int8"):
            report = convert(self.model, path, seq_len=self.seq_len, quantize=quantize, **kwargs)
        lite = self._like(TFLiteModel(path))
        if sample_tokens is not None:
            report.parity = self.parity(lite, sample_tokens)
        if eval_data is not None:
            k, t = self.evaluate(eval_data), lite.evaluate(eval_data)
            report.metric = {"name": "slot F1", "keras": k["slot_f1"], "tflite": t["slot_f1"],
                             "drop": k["slot_f1"] - t["slot_f1"], "n": len(eval_data)}
            for name in ("intent_accuracy", "sentence_accuracy"):
                report.metric[name] = {"keras": k[name], "tflite": t[name], "drop": k[name] - t[name]}
        return report

    def parity(self, other, token_lists):
        """How closely `other` (e.g. this model's .tflite file) matches this model on `token_lists`."""
        p1, ids1 = self.predict_ids(token_lists)
        p2, ids2 = other.predict_ids(token_lists)
        same = sum(int(np.sum(np.array(a) == np.array(b))) for a, b in zip(ids1, ids2))
        tokens = sum(len(a) for a in ids1)
        return {"n": len(token_lists), "tokens": tokens, "max_abs_diff": float(np.abs(p1 - p2).max()),
                "intent_agreement": float(np.mean(p1.argmax(1) == p2.argmax(1))),
                "argmax_agreement": float(np.mean(p1.argmax(1) == p2.argmax(1))),
                "tag_agreement": same / max(tokens, 1),
                "sentence_agreement": float(np.mean([a == b for a, b in zip(ids1, ids2)]))}

    def write_golden(self, path, texts, tflite=None, n=100, quantize="none"):
        """Writes golden.json: text -> tokens -> model input ids -> the file's intent scores and
        tag ids -> intent and slot spans, for an app's own tests to replay (`keras_slm.export.golden`).

        Args:
            path: the golden.json path (its folder should hold the model's files).
            texts: real utterances (the first `n` distinct ones are used).
            tflite: the .tflite file run for the outputs (default: this model if it is one).
            n: how many texts.
            quantize: the file's quantization (sets the replay tolerance `atol`).
        """
        from keras_slm.export import TFLiteModel
        from keras_slm.export.golden import ATOL, golden_document, pick_texts, write_json

        lite = self._like(TFLiteModel(tflite)) if tflite else self
        if not lite.is_tflite:
            raise ModelDirError("golden vectors come from a .tflite file: pass tflite=PATH")
        picked = pick_texts(texts, n)
        results = lite.predict_text(picked)
        inputs, _ = lite.encode([r["tokens"] for r in results])
        probs, tag_ids = lite.predict_ids([r["tokens"] for r in results])
        cases = [{"text": r["text"], "tokens": r["tokens"], "ids": [a[i].tolist() for a in inputs],
                  "intent_scores": p.tolist(), "intent": r["intent"], "tag_ids": t, "tags": r["tags"], "slots": r["slots"]}
                 for i, (r, p, t) in enumerate(zip(results, probs, tag_ids))]
        kind = "wordpiece" if self.wordpiece else self.unit
        config = {"kind": kind, "lowercase": bool(self.encoder.lowercase),
                  "vocab_file": "vocab.txt" if self.wordpiece else VOCAB_FILE}
        doc = golden_document(config, cases, seq_len=self.seq_len, task=TASK, labels=self.tags.labels,
                              model_file=os.path.basename(lite.model.path or "model.tflite"), input_name="input_ids",
                              atol=ATOL.get(quantize, 2e-2), extra={"intents": self.intents.labels,
                                                                   "outputs": ["intent_scores", "tag_ids"]})
        return write_json(path, doc)

    def _like(self, model):
        return NluModel(model, self.encoder, self.intents, self.tags, self.seq_len, self.unit, self.family)

    # -- files ------------------------------------------------------------------------
    @model_files.atomic_save
    def save(self, directory):
        """Writes model.keras, tagger.json (+ the tokenizer's files), labels.txt, intents.txt, config.json."""
        if self.is_tflite:
            raise ModelDirError("cannot save a model loaded from a .tflite file")
        save_keras_model(self.model, directory)
        self.encoder._save_vocabulary(directory)
        self.tags.save(directory)
        files.write_text_atomic(os.path.join(directory, INTENTS_FILE), "".join(f"{i}\n" for i in self.intents.labels))
        write_config(directory, {"task": TASK, "seq_len": self.seq_len, "model": self.family, "unit": self.unit})

    @classmethod
    def load(cls, path, num_threads=1):
        """Loads from DIR (Keras model), DIR/model.keras, or DIR/<name>.tflite."""
        directory, model_file = resolve_model_path(path)
        config = read_config(directory, TASK, "a joint intent / slot (nlu) model")
        vocab = read_vocabulary(directory)
        intents = LabelVocabulary.load(directory, INTENTS_FILE)
        tags = LabelVocabulary.load(directory)
        seq_len, unit = config["seq_len"], config.get("unit", "word")
        if vocab.get("tokenizer") == "wordpiece":
            from keras_slm.text import load_tokenizer

            encoder = WordPieceTagger(None, load_tokenizer(directory), tags, seq_len)
        else:
            encoder = SequenceTagger(None, vocab["words"], tags, seq_len, vocab.get("chars"),
                                     vocab.get("max_word_chars", 16), vocab.get("lowercase", True), unit)
        model = load_model_file(directory, model_file, num_threads)
        _check_outputs(directory, model, model_file, len(intents),
                       None if vocab.get("tokenizer") == "wordpiece" else len(vocab["words"]))
        return cls(model, encoder, intents, tags, seq_len, unit, family=config.get("model"))

    def tokenize(self, text):
        """The tokens of `text` the model tags (whitespace tokens, or characters)."""
        return split_tokens(text, self.unit)
