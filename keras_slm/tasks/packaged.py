"""Files the library ships without a model directory, made usable by our own commands (issue 19.6).

`keras-slm export --target android` writes a folder (model.tflite, vocab.txt, labels.txt, model.json)
and `export --metadata --out FILE` a .tflite whose MediaPipe metadata packs the vocabulary and labels;
neither has the config.json / tokenizer.json of a model directory. `unpack_classifier` rebuilds
that directory (TFLite only) from what the folder or the file holds, so `predict`, `evaluate` and
`serve` take them like any model directory.
"""

import json
import os
import re
import shutil
import unicodedata

from keras_slm.errors import ModelDirError

MODEL_JSON = "model.json"  # keras_slm.export.android.MODEL_JSON


def _is_cjk(token):
    return any(unicodedata.name(ch, "").startswith(("CJK UNIFIED", "HIRAGANA", "KATAKANA", "HANGUL")) for ch in token)


def _vocabulary(lines):
    """Token list by id from `token id` lines; case variants (same id) keep the first spelling."""
    by_id = {}
    for line in lines:
        token, _, index = line.rstrip("\n").rpartition(" ")
        if token and index.isdigit():
            by_id.setdefault(int(index), token)
    if sorted(by_id) != list(range(len(by_id))):
        raise ModelDirError("vocab.txt: ids are not 0..n-1")
    return [by_id[i] for i in range(len(by_id))], len(lines) > len(by_id)


def _guess_kind(vocabulary):
    """"char" when the CJK tokens are single characters, else "word" (Latin words are whole in both)."""
    cjk = [t for t in vocabulary[3:] if _is_cjk(t)]
    return "char" if cjk and all(len(t) == 1 for t in cjk) else "word"


def packaged_source(path):
    """("android", folder) / ("metadata", file) for a folder or .tflite file without config.json, else None."""
    path = os.fspath(path)
    folder = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    if os.path.exists(os.path.join(folder, "config.json")):
        return None
    if os.path.exists(os.path.join(folder, MODEL_JSON)):
        return "android", folder
    if path.endswith(".tflite") and os.path.isfile(path):
        from keras_slm.export.metadata import read_metadata

        try:
            has_metadata = bool(read_metadata(path))
        except Exception:  # noqa: BLE001 - not a readable flatbuffer: the TFLite loader names the file
            has_metadata = False
        if has_metadata:
            return "metadata", path
    return None


def unpack_classifier(path, dest):
    """Writes a TFLite-only model directory at `dest` for an Android folder or a .tflite with metadata.

    Args:
        path: the folder from `export --target android`, a .tflite inside it, or a .tflite file with
            MediaPipe metadata (`export --metadata`).
        dest: the folder to write: config.json, tokenizer.json, vocab.txt, labels.txt, model.tflite.

    Returns:
        The path of `dest/model.tflite`.

    Example:
    >>> tflite = unpack_classifier("app/src/main/assets/sentiment", "/tmp/sentiment")  # doctest: +SKIP
    >>> TextClassifier.load(tflite).predict(["a fine film"])  # doctest: +SKIP
    """
    from keras_slm.data import LabelVocabulary
    from keras_slm.export.inspection import inspect_tflite
    from keras_slm.export.metadata import read_associated_file
    from keras_slm.text import make_tokenizer

    source = packaged_source(path)
    if source is None:
        raise ModelDirError(f"{path}: no config.json, model.json or MediaPipe metadata; not a keras-slm model")
    kind, where = source
    if kind == "android":
        with open(os.path.join(where, MODEL_JSON), encoding="utf-8") as f:
            model_json = json.load(f)
        if model_json.get("task") != "text_classification":
            raise ModelDirError(f"{where}: {MODEL_JSON} holds a {model_json.get('task')!r} model")
        tflite = path if str(path).endswith(".tflite") else os.path.join(where, model_json.get("model_file", "model.tflite"))
        with open(os.path.join(where, "vocab.txt"), encoding="utf-8") as f:
            vocabulary, _ = _vocabulary(f.readlines())
        tok_info = model_json["tokenizer"]
        tokenizer_kind, lowercase = tok_info["kind"], tok_info.get("lowercase", True)
        labels, seq_len, family = model_json["labels"], model_json["seq_len"], model_json.get("family")
    else:
        tflite = where
        vocab_bytes, labels_bytes = read_associated_file(tflite, "vocab.txt"), read_associated_file(tflite, "labels.txt")
        if not vocab_bytes or not labels_bytes:
            raise ModelDirError(f"{tflite}: its metadata holds no vocab.txt / labels.txt (a classifier's)")
        vocabulary, variants = _vocabulary(vocab_bytes.decode("utf-8").splitlines())
        lowercase = variants or not any(re.search(r"[A-Z]", t) for t in vocabulary[3:])
        tokenizer_kind = _guess_kind(vocabulary)
        labels = [line for line in labels_bytes.decode("utf-8").splitlines() if line]
        seq_len, family = inspect_tflite(tflite).inputs[0]["shape"][-1], None
    os.makedirs(dest, exist_ok=True)
    make_tokenizer(tokenizer_kind)(vocabulary=vocabulary, lowercase=lowercase).save(dest)
    LabelVocabulary(labels).save(dest)
    target = os.path.join(dest, "model.tflite")
    shutil.copyfile(tflite, target)
    with open(os.path.join(dest, "config.json"), "w", encoding="utf-8") as f:
        json.dump({"task": "text_classification", "seq_len": int(seq_len), "model": family,
                   "tokenizer": tokenizer_kind, "unpacked_from": os.path.abspath(str(path))}, f, indent=1)
    return target
