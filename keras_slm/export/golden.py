"""Golden vectors: text -> tokens -> ids -> outputs, for an app's own test to replay.

An app re-implements tokenization (Kotlin, see tflite/) and runs the .tflite file itself.
golden.json records what our Python side gives for real sentences, so the app's
instrumentation test can check both halves on the phone: its tokenizer must give the
same ids, and the interpreter fed those ids must give the same scores (within `atol`).

Format (version 1):
    {"format": "keras-slm-golden", "version": 1,
     "task": "text_classification",
     "tokenizer": {"kind": "word" | "char" | "wordpiece", "lowercase": true,
                   "vocab_file": "vocab.txt"},
     "seq_len": 64, "model_file": "model.tflite", "input": "input_ids",
     "labels": ["negative", "positive"], "atol": 1e-4,
     "cases": [{"text": "...", "tokens": ["..."], "ids": [1, 17, ...],
                "scores": [0.1, 0.9], "label": "positive"}]}
`ids` are the full `[seq_len]` model input (`<START>` first, `<PAD>`-padded); `scores` the
raw output tensor of `model_file` (dequantized when int8), run by LiteRT on the host.
"""

import json
import os

import numpy as np

from keras_slm import files

FORMAT = "keras-slm-golden"
VERSION = 1
GOLDEN_FILE = "golden.json"

# Tolerances an app should replay with: float files differ across CPUs by ~1e-6; quantized
# kernels (int8 weights or activations) may round differently on ARM than on x86.
ATOL = {"none": 1e-4, "float16": 1e-4, "dynamic": 2e-2, "int8": 2e-2}


def pick_texts(texts, n):
    """The first `n` distinct, non-empty texts (one line each), in their order."""
    if n is not None and n < 1:
        raise ValueError(f"`n` must be >= 1, received {n}.")
    seen = dict.fromkeys(t.replace("\n", " ").strip() for t in texts)
    picked = [t for t in seen if t]
    return picked if n is None else picked[:n]


def tokenizer_cases(tokenizer, texts, seq_len):
    """[{"text", "tokens", "ids"}] for a word/char tokenizer: what the app's tokenizer must give."""
    return [
        {"text": text, "tokens": tokenizer.tokenize(text), "ids": tokenizer.encode_one(text, seq_len).tolist()}
        for text in texts
    ]


def golden_document(tokenizer_config, cases, *, seq_len=None, task=None, labels=None, model_file=None,
                    input_name=None, atol=None, extra=None):
    """The golden.json dictionary around `cases` (see the module docstring for the format)."""
    doc = {"format": FORMAT, "version": VERSION, "task": task, "tokenizer": dict(tokenizer_config), "seq_len": seq_len}
    if model_file is not None:
        doc.update({"model_file": model_file, "input": input_name, "labels": list(labels or []), "atol": atol})
    doc.update(extra or {})
    doc["cases"] = list(cases)
    return doc


def write_json(path, doc):
    files.write_text_atomic(path, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    return path


def write_tokenizer_golden(path, tokenizer, texts, seq_len, vocab_file="vocab.txt"):
    """Writes golden.json with tokens and ids only (no model): checks an app's tokenizer.

    Args:
        path: the golden.json path.
        tokenizer: `WordTokenizer` or `CjkCharTokenizer`.
        texts: real sentences.
        seq_len: model input length.
        vocab_file: the vocabulary file name the app loads, relative to golden.json.

    Example:
    >>> from keras_slm.text import WordTokenizer
    >>> tok = WordTokenizer.fit(["a good film"])
    >>> _ = write_tokenizer_golden("/tmp/golden.json", tok, ["A good day"], seq_len=6)
    """
    config = {"kind": tokenizer.kind, "lowercase": tokenizer.lowercase, "vocab_file": vocab_file}
    return write_json(path, golden_document(config, tokenizer_cases(tokenizer, texts, seq_len), seq_len=seq_len))


def _label_of(labels, row):
    row = np.asarray(row).reshape(-1)
    index = int(row[0] > 0.5) if row.size == 1 else int(row.argmax())
    return labels[index]


def write_golden(path, classifier, texts, *, tflite=None, n=None, quantize="none", vocab_file="vocab.txt"):
    """Writes golden.json for a text classifier: text -> tokens -> ids -> scores -> label.

    Args:
        path: the golden.json path (written atomically).
        classifier: a `TextClassifier` (Keras or .tflite).
        texts: real sentences (e.g. the calibration texts); the first `n` distinct ones are used.
        tflite: the .tflite file the app ships; its outputs are recorded. Default: the
            classifier's own model.
        n: how many sentences (default: all).
        quantize: the file's quantization mode, which sets the replay tolerance `atol`.
        vocab_file: the vocabulary file name beside golden.json.

    Returns:
        The golden document (dict).

    Example:
    >>> from keras_slm.tasks import TextClassifier
    >>> clf = TextClassifier.load("runs/sst2")  # doctest: +SKIP
    >>> doc = write_golden("runs/sst2/golden.json", clf, ["a gorgeous film"],
    ...                    tflite="runs/sst2/model.tflite")  # doctest: +SKIP
    >>> doc["cases"][0]["label"]  # doctest: +SKIP
    'positive'
    """
    from keras_slm.inference.tflite_model import TFLiteModel

    texts = pick_texts(texts, n)
    if not texts:
        raise ValueError("`texts` holds no non-empty text.")
    cases = tokenizer_cases(classifier.tokenizer, texts, classifier.seq_len)
    ids = np.asarray([c["ids"] for c in cases], dtype=np.int32)
    extra = {}
    if tflite is not None:
        runner = TFLiteModel(tflite)
        if runner.seq_len != classifier.seq_len:
            raise ValueError(f"{tflite}: input length {runner.seq_len}, the classifier uses {classifier.seq_len}")
        scores = runner.predict(ids).reshape(len(ids), -1)
        input_name = runner.inputs[0]["name"]
        model_file = os.path.basename(str(tflite)) if not isinstance(tflite, (bytes, bytearray)) else None
        if not classifier.is_tflite:
            keras_scores = np.asarray(classifier.model.predict(ids, verbose=0)).reshape(scores.shape)
            extra["max_abs_diff_vs_keras"] = float(np.max(np.abs(keras_scores - scores)))
    else:
        scores = classifier.predict_scores(texts) if classifier.is_tflite else np.asarray(
            classifier.model.predict(ids, verbose=0)).reshape(len(ids), -1)
        input_name, model_file = "input_ids", "model.tflite"
    labels = classifier.labels.labels
    for case, row in zip(cases, scores):
        case["scores"] = [float(s) for s in row]
        case["label"] = _label_of(labels, row)
    config = {"kind": classifier.tokenizer.kind, "lowercase": classifier.tokenizer.lowercase, "vocab_file": vocab_file}
    doc = golden_document(
        config, cases, seq_len=classifier.seq_len, task="text_classification", labels=labels,
        model_file=model_file, input_name=input_name, atol=ATOL.get(quantize, 2e-2), extra=extra,
    )
    write_json(path, doc)
    return doc


def read_golden(path):
    """Loads a golden.json file, checking its format."""
    from keras_slm.errors import DataError

    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except json.JSONDecodeError as e:
        raise DataError(path, e.lineno, f"not valid JSON: {e.msg}") from None
    if doc.get("format") != FORMAT:
        raise DataError(path, None, f"not a golden file (expected \"format\": \"{FORMAT}\")")
    return doc
