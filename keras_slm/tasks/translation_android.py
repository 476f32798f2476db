"""A translation directory -> golden vectors and a folder for an app's `src/main/assets`.

`export_translation_android(DIR, FOLDER)` writes:
    model.tflite        `encode` + `decode` signatures (float, or --quantize dynamic / float16 / int8)
    source_vocab.txt    the Chinese tokenizer's `token id` lines (Kotlin `CharTokenizer`)
    target_vocab.txt    the English WordPiece, one token per line (Kotlin `SubwordTokenizer`)
    model.json          lengths, special ids, tokenizers, the decoder kind and both signatures' tensors
    golden.json         real sentences -> source tokens -> source ids -> the file's greedy ids ->
                        English, with each decode step's inputs and top logits (Kotlin `GreedyDecoder`)

The golden cases come from driving the shipped file through the same greedy loop the Python
side uses (`keras_slm.inference.seq2seq_decoding.greedy_decode`), so an app that replays them
checks its tokenizer, its loop and its runtime against ours (tflite/README.md).
"""

import json
import os
import shutil

import numpy as np

from keras_slm import files
from keras_slm.errors import ModelDirError
from keras_slm.export.golden import ATOL, GOLDEN_FILE, golden_document, pick_texts, write_json
from keras_slm.tasks.translation import SOURCE_DIR, TARGET_DIR, TFLITE_FILE, Translator

CALIBRATION_FILE = "calibration.txt"  # source sentences from training: int8 calibration, parity, golden
MODEL_JSON = "model.json"
SOURCE_VOCAB, TARGET_VOCAB = "source_vocab.txt", "target_vocab.txt"
TOP_K = 8  # logits kept per decode step in golden.json (more than the blocked ids, so the argmax is among them)


def _decoder_kind(translator):
    return "lstm" if translator.family == "lstm_attention" else "transformer"


def traced_greedy(translator, text, top_k=TOP_K):
    """(ids, steps): `translator.translate_ids(text)` and, per decode call, what was fed
    (`ids` + `index` for transformers, `token` for LSTMs) and the `top_k` largest logits."""
    driver = translator.driver()
    steps, decode = [], driver._decode

    def traced(feed):
        out = decode(feed)
        logits = np.asarray(out["logits"], np.float32).reshape(-1)
        if driver.family == "lstm":
            entry = {"token": int(np.asarray(feed["token"]).reshape(-1)[0])}
        else:
            index = int(np.asarray(feed["index"]).reshape(-1)[0])
            entry = {"ids": [int(i) for i in np.asarray(feed["target_ids"])[0][: index + 1]], "index": index}
        entry["top"] = [[int(i), float(logits[i])] for i in np.argsort(-logits, kind="stable")[:top_k]]
        steps.append(entry)
        return out

    driver._decode = traced
    try:
        ids = translator.translate_ids(text)
    finally:
        driver._decode = decode
    return ids, steps


def translation_golden(translator, texts, *, keras_translator=None, quantize="none", model_file=TFLITE_FILE,
                       source_vocab=SOURCE_VOCAB, target_vocab=TARGET_VOCAB):
    """The golden.json document of a translation file (see the module docstring).

    Args:
        translator: a `Translator` over the .tflite file the app ships.
        texts: source sentences (all are used; pick them with `pick_texts`).
        keras_translator: the Keras `Translator`, to record how many cases it decodes identically.
        quantize: the file's mode (for the record and `atol`).
        model_file, source_vocab, target_vocab: file names relative to golden.json.
    """
    source, target = translator.source_tokenizer, translator.target_tokenizer
    cases, same = [], 0
    for text in texts:
        ids, steps = traced_greedy(translator, text)
        translation = translator.detokenize(ids)
        cases.append({"text": text, "tokens": source.tokenize(text),
                      "ids": translator.encode_sources([text])[0].tolist(),
                      "output_ids": ids, "output_tokens": [target.vocabulary[i] for i in ids],
                      "translation": translation,
                      "translation_tokens": target.tokenize(translation),
                      "translation_ids": [target.token_to_id(t) for t in target.tokenize(translation)],
                      "steps": steps})
        if keras_translator is not None:
            same += keras_translator.translate_ids(text) == ids
    config = {"kind": source.kind, "lowercase": source.lowercase, "vocab_file": source_vocab}
    extra = {"target_tokenizer": {"kind": target.kind, "lowercase": target.lowercase, "vocab_file": target_vocab},
             "decoder": _decoder_kind(translator), "source_len": translator.source_len,
             "target_len": translator.target_len, "bos_id": translator.bos_id, "eos_id": translator.eos_id,
             "blocked_ids": list(translator.blocked_ids), "top_k": TOP_K, "quantize": quantize}
    if keras_translator is not None:
        extra["keras_identical"] = {"n": len(texts), "identical": int(same)}
    return golden_document(config, cases, seq_len=translator.source_len, task="translation", labels=[],
                           model_file=model_file, input_name="source_ids", atol=ATOL.get(quantize, 2e-2), extra=extra)


def _signatures(translator):
    interpreter = translator.driver().interpreter
    out = {}
    for name in ("encode", "decode"):
        runner = interpreter.get_signature_runner(name)
        out[name] = {kind: {k: {"shape": [int(d) for d in v["shape"]], "dtype": np.dtype(v["dtype"]).name}
                            for k, v in sorted(details.items())}
                     for kind, details in (("inputs", runner.get_input_details()), ("outputs", runner.get_output_details()))}
    return out


def model_json(translator, quantize, report):
    """What the app's code reads at run time (model.json of the Android folder)."""
    return {"task": "translation", "model_file": TFLITE_FILE, "quantize": quantize, "family": translator.family,
            "decoder": _decoder_kind(translator), "source_len": translator.source_len,
            "target_len": translator.target_len, "max_tokens": translator.target_len - 1,
            "bos_id": translator.bos_id, "eos_id": translator.eos_id, "blocked_ids": list(translator.blocked_ids),
            "source_tokenizer": {"kind": translator.source_tokenizer.kind, "lowercase": translator.source_tokenizer.lowercase,
                                 "vocab_file": SOURCE_VOCAB, "pad_id": 0, "unknown_id": 2},
            "target_tokenizer": {"kind": translator.target_tokenizer.kind, "lowercase": translator.target_tokenizer.lowercase,
                                 "vocab_file": TARGET_VOCAB},
            "signatures": _signatures(translator), "size_bytes": report["size_bytes"], "ops": report["ops"],
            "golden_file": GOLDEN_FILE}


def read_samples(directory, samples=None):
    """Source sentences for calibration / parity / golden: `samples`, else DIR/calibration.txt."""
    if samples is not None:
        return list(samples)
    path = os.path.join(directory, CALIBRATION_FILE)
    if not os.path.exists(path):
        raise ModelDirError(f"{directory}: no {CALIBRATION_FILE}; give source sentences, one per line (CLI: --samples FILE)")
    return files.read_text_lines(path, "source sentences, one per line")


def export_translation_android(directory, out_folder, *, quantize="none", samples=None, golden=100, latency_texts=20):
    """Writes the Android folder of a translation directory (see the module docstring).

    Args:
        directory: a directory written by `keras-slm train --task translation`.
        out_folder: the folder to write (created; each file replaced atomically).
        quantize: "none", "dynamic", "float16" or "int8" (int8 calibrates on `samples`).
        samples: source sentences (default: DIR/calibration.txt); the first `golden` distinct
            ones become golden cases and are the parity check's sentences.
        golden: number of golden sentences.
        latency_texts: sentences timed per token (0: none).

    Returns:
        dict: folder, files, the export report (size, ops, parity, latency), golden cases.

    Example:
    >>> export_translation_android("runs/zh_en", "app/src/main/assets/zh_en")  # doctest: +SKIP
    """
    translator = Translator.load(directory)
    samples = pick_texts(read_samples(directory, samples), None)
    if not samples:
        raise ModelDirError(f"{directory}: no source sentences to calibrate and check the file with")
    texts = samples[:golden]
    written = [TFLITE_FILE, SOURCE_VOCAB, TARGET_VOCAB, MODEL_JSON, GOLDEN_FILE]
    os.makedirs(out_folder, exist_ok=True)
    with files.temp_dir("keras_slm_translation_android_") as tmp:
        report = translator.export(os.path.join(tmp, TFLITE_FILE), quantize=quantize, sample_texts=samples,
                                   parity_texts=texts, latency_texts=latency_texts)
        lite = _tflite_translator(translator, os.path.join(tmp, TFLITE_FILE))
        shutil.copyfile(os.path.join(directory, SOURCE_DIR, "vocab.txt"), os.path.join(tmp, SOURCE_VOCAB))
        shutil.copyfile(os.path.join(directory, TARGET_DIR, "vocab.txt"), os.path.join(tmp, TARGET_VOCAB))
        files.write_text_atomic(os.path.join(tmp, MODEL_JSON),
                                json.dumps(model_json(lite, quantize, report), ensure_ascii=False, indent=1) + "\n")
        write_json(os.path.join(tmp, GOLDEN_FILE), translation_golden(lite, texts, keras_translator=translator,
                                                                      quantize=quantize))
        for name in written:
            with files.atomic_path(os.path.join(out_folder, name)) as target:
                shutil.copyfile(os.path.join(tmp, name), target)
    report["path"] = os.path.join(out_folder, TFLITE_FILE)
    return {"folder": str(out_folder), "files": written, "export": report, "golden_cases": len(texts)}


def _tflite_translator(translator, path):
    """A `Translator` over the .tflite file at `path`, with `translator`'s tokenizers and lengths."""
    from keras_slm.inference.seq2seq_driver import tflite_seq2seq_driver

    return Translator(tflite_seq2seq_driver(path), translator.source_tokenizer, translator.target_tokenizer,
                      translator.family, translator.source_len, translator.target_len)
