"""`package_android`: a loaded text classifier -> a folder for an app's `src/main/assets`.

`keras_slm.tasks.export_android` is the directory-level entry point (the CLI's `export --android`).

The folder holds everything both Android paths need (see tflite/README.md):
    model.tflite   one subgraph (RNNs unrolled), builtin ops only, with MediaPipe metadata
                   (regex tokenizer + vocabulary + labels packed inside): MediaPipe Tasks
                   `TextClassifier` loads it directly; LiteRT's Interpreter runs it too.
    vocab.txt      `token id` lines, for the app's own tokenizer (LiteRT path)
    labels.txt     class names, one per line (index = class id)
    model.json     what the app's code needs at run time: tokenizer kind, lowercasing,
                   sequence length, input/output tensors, labels
    golden.json    real sentences -> tokens -> ids -> scores, for an instrumentation test
    MODEL_CARD.md  what the model is, how it was checked, its caveats
"""

import dataclasses
import json
import os
import shutil

import numpy as np

from keras_slm import files
from keras_slm.export.golden import GOLDEN_FILE, pick_texts, write_golden
from keras_slm.export.metadata import REGEX_DELIMITER, ModelInfo, write_metadata

MODEL_FILE = "model.tflite"
MODEL_JSON = "model.json"
CARD_FILE = "MODEL_CARD.md"


@dataclasses.dataclass
class AndroidExport:
    """What `export_android` wrote and measured."""

    folder: str
    files: list
    export: dict
    golden_cases: int
    mediapipe: dict = None

    def to_dict(self):
        return dataclasses.asdict(self)

    def to_text(self):
        lines = [f"Android folder: {self.folder}"]
        lines += [f"  {name}" for name in self.files]
        lines.append(f"{MODEL_FILE}: {self.export['size_bytes']:,} bytes with metadata")
        parity = self.export.get("parity") or {}
        if parity:
            lines.append(f"LiteRT vs Keras: max |diff| {parity['max_abs_diff']:.2e}, top label agreement {parity['argmax_agreement']:.3f} (n={parity['n']})")
        if self.mediapipe:
            m = self.mediapipe
            lines.append(f"MediaPipe TextClassifier vs Keras: max |diff| {m['max_abs_diff']:.2e}, top label agreement {m['argmax_agreement']:.3f} (n={m['n']})")
        lines.append(f"golden.json: {self.golden_cases} sentences")
        return "\n".join(lines)


def mediapipe_scores(model_path, texts, prepare=None):
    """Class scores `[len(texts), n]` from MediaPipe Tasks' `TextClassifier` (index order).

    Args:
        model_path: a .tflite file with regex or BERT tokenizer metadata.
        texts: raw strings.
        prepare: optional function applied to each text first (what an app would do,
            e.g. lowercasing or `space_cjk`).
    """
    from mediapipe.tasks.python.core import base_options
    from mediapipe.tasks.python.text import text_classifier

    options = text_classifier.TextClassifierOptions(
        base_options=base_options.BaseOptions(model_asset_path=str(model_path)), max_results=-1
    )
    rows = []
    with text_classifier.TextClassifier.create_from_options(options) as classifier:
        for text in texts:
            result = classifier.classify(prepare(text) if prepare else text)
            categories = sorted(result.classifications[0].categories, key=lambda c: c.index)
            rows.append([c.score for c in categories])
    return np.asarray(rows, dtype=np.float32)


def space_cjk(text):
    """Puts spaces around CJK characters: what a `CjkCharTokenizer` app does before MediaPipe."""
    from keras_slm.text.cjk_char_tokenizer import _CJK_RE

    return _CJK_RE.sub(r" \1 ", text)


def app_prepare(tokenizer):
    """The text preparation an app does before MediaPipe `classify()` (see tflite/README.md)."""
    lower = tokenizer.lowercase
    if tokenizer.kind == "char":
        return lambda t: space_cjk(t.lower() if lower else t)
    return (lambda t: t.lower()) if lower else None


def _model_json(classifier, info, quantize):
    from keras_slm.export.inspection import inspect_tflite

    return {
        "task": "text_classification",
        "model_file": MODEL_FILE,
        "family": classifier.family,
        "quantize": quantize,
        "seq_len": classifier.seq_len,
        "tokenizer": {
            "kind": classifier.tokenizer.kind,
            "lowercase": classifier.tokenizer.lowercase,
            "vocab_file": "vocab.txt",
            "delimiter_regex": REGEX_DELIMITER,
            "pad_id": 0, "start_id": 1, "unknown_id": 2,
        },
        "inputs": info.inputs,
        "outputs": info.outputs,
        "labels": classifier.labels.labels,
        "labels_file": "labels.txt",
        "golden_file": GOLDEN_FILE,
    }


def _model_card(classifier, model_info, report, mediapipe, quantize, n_golden):
    tok = classifier.tokenizer
    parity = report.get("parity") or {}
    lines = [
        f"# {model_info.name}",
        "",
        model_info.description or "Text classifier trained with keras-slm.",
        "",
        f"- Version: {model_info.version}",
        f"- Author: {model_info.author}",
        f"- Licence: {model_info.licence}",
        f"- Model: {classifier.family} text classifier, labels {classifier.labels.labels}",
        f"- Input: int32 [1, {classifier.seq_len}] token ids (`<START>`=1 first, `<PAD>`=0 after the text, `<UNKNOWN>`=2)",
        f"- Tokenizer: {tok.kind}, lowercase={tok.lowercase}, {tok.vocab_size} tokens, delimiter `{REGEX_DELIMITER}`",
        f"- File: {MODEL_FILE}, {report.get('size_bytes', 0):,} bytes, quantization {quantize}, "
        f"{report.get('num_subgraphs')} subgraph, builtin ops only: {report.get('android_compatible')}",
    ]
    if parity:
        lines.append(f"- LiteRT vs Keras on {parity['n']} real sentences: max |diff| {parity['max_abs_diff']:.2e}, "
                     f"top label agreement {parity['argmax_agreement']:.3f}")
    if mediapipe:
        lines.append(f"- MediaPipe TextClassifier vs Keras on {mediapipe['n']} sentences: max |diff| "
                     f"{mediapipe['max_abs_diff']:.2e}, top label agreement {mediapipe['argmax_agreement']:.3f}")
    lines.append(f"- Golden vectors: {GOLDEN_FILE}, {n_golden} sentences")
    lines += [
        "",
        "## Caveats",
        "",
        "- MediaPipe's regex tokenizer does not lowercase: the packed vocabulary lists lower, Capitalized "
        "and UPPER spellings; lowercase other text before `classify()` to get the trained ids.",
    ]
    if tok.kind == "char":
        lines.append("- MediaPipe cannot split CJK text into characters: put spaces around CJK characters "
                     "before `classify()` (tflite/README.md), or tokenize with the Kotlin CharTokenizer and "
                     "run the LiteRT Interpreter.")
    lines.append("- Check on the device by replaying golden.json (tflite/README.md, instrumentation test).")
    return "\n".join(lines) + "\n"


def package_android(classifier, out_folder, *, samples, name, quantize="none", golden=100, info=None,
                    verify_mediapipe=True, latency_runs=50, **export_kwargs):
    """Writes an Android assets folder for a loaded text classifier (the task calls this).

    `keras_slm.tasks.export_android` loads a classifier directory and calls this; the export
    layer never imports a task, so it takes what it needs as arguments.

    Args:
        classifier: an object like `TextClassifier`: `model`, `tokenizer` (word / CJK character),
            `labels`, `seq_len`, `family`, `encode(texts)`, `predict_scores(texts)` and
            `export(path, quantize=..., sample_texts=..., ...)` returning an `ExportReport`.
        out_folder: the folder to write (created; files in it are replaced atomically).
        samples: real texts for parity, int8 calibration and golden vectors.
        name: the model's name, for the default `info`.
        quantize: "none", "dynamic", "float16" or "int8".
        golden: number of sentences in golden.json.
        info: `ModelInfo` for the metadata and model card (default: from `name`).
        verify_mediapipe: load the file in MediaPipe Tasks `TextClassifier` and compare its
            scores with Keras on the golden sentences (recorded in the result and model card).
        latency_runs: timed runs for the export report's latency (0: skip timing).
        **export_kwargs: passed to `classifier.export` (e.g. `int8_io`).

    Returns:
        `AndroidExport`.

    Example:
    >>> from keras_slm.tasks import TextClassifier  # doctest: +SKIP
    >>> package_android(TextClassifier.load("runs/sst2"), "assets", samples=texts, name="sst2")  # doctest: +SKIP
    """
    from keras_slm.export.inspection import inspect_tflite

    samples = pick_texts(samples, None)
    info = info or ModelInfo(name=name, description=f"{classifier.family} text classifier ({', '.join(classifier.labels.labels)})")

    os.makedirs(out_folder, exist_ok=True)
    with files.temp_dir("keras_slm_android_") as tmp:
        plain = os.path.join(tmp, "plain.tflite")
        report = classifier.export(
            plain, quantize=quantize, sample_texts=samples, single_subgraph=True,
            latency_threads=(1,) if latency_runs else (), latency_runs=max(latency_runs, 1), **export_kwargs,
        ).to_dict()
        staged = os.path.join(tmp, MODEL_FILE)
        write_metadata(plain, staged, tokenizer=classifier.tokenizer, labels=classifier.labels, info=info)
        report["size_bytes_without_metadata"] = report["size_bytes"]
        report["size_bytes"] = os.path.getsize(staged)  # the shipped file, metadata included (issue 19.10)
        golden_texts = pick_texts(samples, golden)
        doc = write_golden(os.path.join(tmp, GOLDEN_FILE), classifier, golden_texts, tflite=staged, quantize=quantize)
        mediapipe = None
        if verify_mediapipe:
            got = mediapipe_scores(staged, golden_texts, prepare=app_prepare(classifier.tokenizer))
            expected = np.asarray([c["scores"] for c in doc["cases"]], dtype=np.float32)
            keras_expected = np.asarray(classifier.model.predict(classifier.encode(golden_texts), verbose=0))
            keras_expected = keras_expected.reshape(expected.shape)
            mediapipe = {
                "n": len(golden_texts),
                "max_abs_diff": float(np.max(np.abs(got - keras_expected))),
                "max_abs_diff_vs_litert": float(np.max(np.abs(got - expected))),
                "argmax_agreement": float(np.mean(got.argmax(1) == keras_expected.argmax(1))),
                "prepare": "lowercase" + (" + space_cjk" if classifier.tokenizer.kind == "char" else ""),
            }
        classifier.tokenizer.save(tmp)  # vocab.txt (+ tokenizer.json, not shipped)
        classifier.labels.save(tmp)
        files.write_text_atomic(
            os.path.join(tmp, MODEL_JSON),
            json.dumps(_model_json(classifier, inspect_tflite(staged), quantize), ensure_ascii=False, indent=1) + "\n",
        )
        files.write_text_atomic(
            os.path.join(tmp, CARD_FILE), _model_card(classifier, info, report, mediapipe, quantize, len(golden_texts))
        )
        written = [MODEL_FILE, "vocab.txt", "labels.txt", MODEL_JSON, GOLDEN_FILE, CARD_FILE]
        for filename in written:
            with files.atomic_path(os.path.join(out_folder, filename)) as target:
                shutil.copyfile(os.path.join(tmp, filename), target)
    report["path"] = os.path.join(out_folder, MODEL_FILE)
    return AndroidExport(folder=str(out_folder), files=written, export=report, golden_cases=len(golden_texts), mediapipe=mediapipe)
