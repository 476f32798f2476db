"""`Translator`: an encoder-decoder model with its two tokenizers: translate, evaluate, export.

A translation directory holds:
    model.keras        the teacher-forced Keras model ([source_ids, target_ids] -> logits)
    source/            source tokenizer (tokenizer.json + vocab.txt; `CjkCharTokenizer`: CJK characters one by one)
    target/            target tokenizer (tokenizer.json + vocab.txt; case-keeping, reversible WordPiece)
    config.json        {"task": "translation", "family", "source_len", "target_len", ...}
    model.tflite       `encode` + `decode` signatures (model_dynamic.tflite, model_int8.tflite: quantized)
    metrics.json       training numbers and export reports
"""

import json
import os

import numpy as np

from keras_slm import files
from keras_slm.errors import ExportError, ModelDirError
from keras_slm.inference import seq2seq_decoding as decoding
from keras_slm.tasks import model_files
from keras_slm.text.vocab_tokenizer import load_tokenizer

TASK = "translation"
CONFIG_FILE = "config.json"
MODEL_FILE = "model.keras"
TFLITE_FILE = "model.tflite"
METRICS_FILE = "metrics.json"
SOURCE_DIR, TARGET_DIR = "source", "target"
FAMILIES = ("lstm_attention", "transformer")


def is_translation_dir(path):
    """True when `path` (a directory or a file in one) holds a translation model."""
    from keras_slm.tasks.model_files import config_task

    return config_task(path) == TASK


def _steps(model, family):
    if family == "lstm_attention":
        from keras_slm.models.seq2seq_lstm import LSTMSeq2SeqSteps

        return LSTMSeq2SeqSteps(model)
    from keras_slm.models.seq2seq_transformer import TransformerSeq2SeqSteps

    return TransformerSeq2SeqSteps(model)


def _check_vocabularies(directory, model, source, target, model_file):
    """Refuses source / target tokenizers whose sizes are not the model's two embedding tables."""
    rows = model_files.embedding_rows(model)
    for side, tokenizer in ((SOURCE_DIR, source), (TARGET_DIR, target)):
        if rows and tokenizer.vocab_size not in rows:
            raise ModelDirError(f"{os.path.join(directory, side, 'tokenizer.json')}: holds {tokenizer.vocab_size} tokens but "
                                f"{model_file} embeds {sorted(set(rows))} ids; the tokenizer and the model come from "
                                "different trainings")
    if len(rows) == 2 and sorted(rows) != sorted([source.vocab_size, target.vocab_size]):
        raise ModelDirError(f"{os.path.join(directory, SOURCE_DIR)}: the source and target tokenizers do not match the "
                            f"model's embeddings {rows}; were they swapped?")


class Translator:
    """Source text in, target text out: a Keras encoder-decoder or its .tflite file.

    Args:
        model: a Keras model from `lstm_attention_seq2seq` / `transformer_seq2seq`, or a
            `Seq2SeqDriver` over a .tflite file (`keras_slm.inference.seq2seq_driver`).
        source_tokenizer: a `CjkCharTokenizer` (one token per CJK character, Latin words whole).
        target_tokenizer: a `SubwordTokenizer` (`[CLS]` starts, `[SEP]` ends a target).
        family: "lstm_attention" or "transformer".
        source_len: S, source ids per sentence (longer sources are cut).
        target_len: T, target ids with `[CLS]` (the longest output is T - 1 tokens).

    Example:
    >>> translator = Translator.load("runs/zh_en")  # doctest: +SKIP
    >>> translator.translate(["我们走吧。"])  # doctest: +SKIP
    ["Let's go."]
    """

    def __init__(self, model, source_tokenizer, target_tokenizer, family, source_len, target_len):
        if family not in FAMILIES:
            raise ValueError(f"`family` must be one of {FAMILIES}, received {family!r}.")
        self.model, self.family = model, family
        self.source_tokenizer, self.target_tokenizer = source_tokenizer, target_tokenizer
        self.source_len, self.target_len = int(source_len), int(target_len)
        self.bos_id, self.eos_id = target_tokenizer.cls_id, target_tokenizer.sep_id
        self.blocked_ids = (target_tokenizer.pad_id, target_tokenizer.cls_id, target_tokenizer.mask_id)
        self._driver = None

    @property
    def is_tflite(self):
        return not model_files.is_keras_model(self.model)

    # -- ids ------------------------------------------------------------------------
    def source_ids(self, text):
        """A source sentence's ids (unpadded, cut to `source_len`)."""
        tok = self.source_tokenizer
        return [tok.token_to_id(t) for t in tok.tokenize(text)][: self.source_len]

    def encode_sources(self, texts):
        """int32 `[N, S]`, 0-padded."""
        out = np.zeros((len(texts), self.source_len), np.int32)
        for i, text in enumerate(texts):
            ids = self.source_ids(text)
            out[i, : len(ids)] = ids
        return out

    def encode_targets(self, texts):
        """(target_in `[N, T]`, target_out `[N, T]`, fits): `[CLS]` ids / ids `[SEP]`; `fits` marks
        targets of at most T - 1 tokens (longer ones are cut and keep no `[SEP]`)."""
        tok = self.target_tokenizer
        target_in = np.zeros((len(texts), self.target_len), np.int32)
        target_out = np.zeros_like(target_in)
        fits = np.zeros(len(texts), bool)
        for i, text in enumerate(texts):
            ids = [tok.token_to_id(t) for t in tok.tokenize(text)]
            fits[i] = len(ids) <= self.target_len - 1
            seq_in = [self.bos_id, *ids][: self.target_len]
            seq_out = [*ids, self.eos_id][: self.target_len]
            target_in[i, : len(seq_in)], target_out[i, : len(seq_out)] = seq_in, seq_out
        return target_in, target_out, fits

    def detokenize(self, ids):
        return self.target_tokenizer.detokenize(ids)

    # -- decoding -------------------------------------------------------------------
    def driver(self):
        """The `Seq2SeqDriver` (Keras step models or the .tflite file's signatures)."""
        if self._driver is None:
            self._driver = self.model if self.is_tflite else decoding.Seq2SeqDriver.from_steps(_steps(self.model, self.family))
        return self._driver

    def translate_ids(self, text, beam_width=1, length_penalty=0.6, max_tokens=None):
        """Target ids for one source text: greedy (`beam_width=1`) or beam search."""
        kwargs = dict(max_tokens=max_tokens or self.target_len - 1, bos_id=self.bos_id, eos_id=self.eos_id,
                      blocked_ids=self.blocked_ids)
        source = self.source_ids(text)
        if beam_width == 1:
            return decoding.greedy_decode(self.driver(), source, **kwargs)
        return decoding.beam_decode(self.driver(), source, width=beam_width, alpha=length_penalty, **kwargs)

    def translate(self, texts, beam_width=1, length_penalty=0.6, max_tokens=None):
        """Translations of `texts` (a list of str), one sentence at a time as on the phone.

        Args:
            texts: source sentences.
            beam_width: 1 greedy, else beam search with this many beams.
            length_penalty: GNMT length-penalty exponent for beam search.
            max_tokens: the most target tokens (default T - 1).
        """
        if isinstance(texts, str):
            raise TypeError("`texts` must be a list of strings; wrap a single text in a list.")
        return [self.detokenize(self.translate_ids(t, beam_width, length_penalty, max_tokens)) for t in texts]

    def translate_batch(self, texts, batch_size=256):
        """Greedy translations computed in batches with the Keras model (fast bulk scoring)."""
        if self.is_tflite:
            return self.translate(texts)
        ids = decoding.batch_greedy(self.model, self.encode_sources(texts), self.target_len, self.bos_id, self.eos_id,
                                    self.blocked_ids, batch_size)
        return [self.detokenize(row) for row in ids]

    def evaluate(self, data, beam_width=1, length_penalty=0.6):
        """sacreBLEU corpus BLEU and chrF of the translations of `data` (a `ParallelData`)."""
        from keras_slm.evaluation.translation import translation_metrics

        if data.targets is None:
            raise ModelDirError(f"{data.path}: no target column to score against")
        if beam_width == 1 and not self.is_tflite:
            hypotheses = self.translate_batch(data.sources)
        else:
            hypotheses = self.translate(data.sources, beam_width, length_penalty)
        metrics = translation_metrics(hypotheses, data.targets)
        metrics["decoding"] = "greedy" if beam_width == 1 else f"beam {beam_width}, length penalty {length_penalty}"
        return metrics, hypotheses

    # -- persistence ----------------------------------------------------------------
    @model_files.atomic_save
    def save(self, directory):
        if self.is_tflite:
            raise ModelDirError("a Translator loaded from a .tflite file cannot be saved as Keras")
        os.makedirs(directory, exist_ok=True)
        with files.atomic_path(os.path.join(directory, MODEL_FILE)) as tmp:
            self.model.save(tmp)
        self.source_tokenizer.save(os.path.join(directory, SOURCE_DIR))
        self.target_tokenizer.save(os.path.join(directory, TARGET_DIR))
        config = {"task": TASK, "family": self.family, "source_len": self.source_len, "target_len": self.target_len,
                  "source_tokenizer": self.source_tokenizer.kind, "target_tokenizer": self.target_tokenizer.kind,
                  "bos_id": self.bos_id, "eos_id": self.eos_id, "blocked_ids": list(self.blocked_ids)}
        files.write_text_atomic(os.path.join(directory, CONFIG_FILE), json.dumps(config, indent=1))

    @classmethod
    def load(cls, path, num_threads=1):
        """Loads DIR (its model.keras), DIR/model.keras, or DIR/<name>.tflite."""
        import keras_slm.text  # noqa: F401  (registers the tokenizer kinds)

        path = os.fspath(path)
        if not os.path.exists(path):
            raise ModelDirError(f"{path}: no such model file or directory")
        directory = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
        if not is_translation_dir(directory):
            raise ModelDirError(f"{directory}: no {CONFIG_FILE} with task {TASK!r}; not a keras-slm translation model")
        config = model_files.read_config(directory, TASK, "a translation model", required=("source_len", "target_len"),
                                         families=FAMILIES)
        source = load_tokenizer(os.path.join(directory, SOURCE_DIR))
        target = load_tokenizer(os.path.join(directory, TARGET_DIR))
        if path.endswith(".tflite"):
            from keras_slm.inference.seq2seq_driver import tflite_seq2seq_driver

            model = tflite_seq2seq_driver(path, num_threads=num_threads)
        else:
            model_path = path if path.endswith(".keras") else os.path.join(directory, MODEL_FILE)
            model = model_files.load_keras_model(directory, model_path, compile=False)
            _check_vocabularies(directory, model, source, target, os.path.basename(model_path))
        return cls(model, source, target, config["family"], config["source_len"], config["target_len"])

    # -- export ---------------------------------------------------------------------
    def export(self, path, quantize="none", sample_texts=(), parity_texts=None, latency_texts=20):
        """Writes the .tflite file (encode + decode signatures) and checks it against Keras.

        Args:
            path: the .tflite file to write (atomically).
            quantize: "none", "dynamic", "float16" or "int8" (int8 calibrates on `sample_texts`).
            sample_texts: source sentences for int8 calibration (their greedy decoding is replayed).
            parity_texts: sentences whose greedy tokens are compared, Keras vs the file.
            latency_texts: how many of those are timed per token (0: no timing).

        Returns:
            dict: size, ops, `parity` {"n", "greedy_identical", "mismatches"}, `latency`.
        """
        from keras_slm.export.inspection import inspect_tflite
        from keras_slm.export.seq2seq import calibration_rows, convert_steps
        from keras_slm.inference.seq2seq_driver import time_per_token, tflite_seq2seq_driver

        if self.is_tflite:
            raise ExportError("export needs the Keras model (model.keras), not a .tflite file")
        steps = _steps(self.model, self.family)
        calibration = None
        if quantize == "int8":
            if not sample_texts:
                raise ExportError("int8 export needs sample source sentences for calibration")
            calibration = calibration_rows(self.driver(), [self.source_ids(t) for t in sample_texts],
                                           self.target_len - 1)
        data = convert_steps(steps, quantize, calibration)
        files.write_bytes_atomic(path, data)
        info = inspect_tflite(data)
        report = {"path": str(path), "quantize": quantize, "size_bytes": len(data), "ops": info.ops,
                  "num_subgraphs": info.num_subgraphs, "android_compatible": info.android_compatible}
        lite = Translator(tflite_seq2seq_driver(data), self.source_tokenizer, self.target_tokenizer, self.family,
                          self.source_len, self.target_len)
        if parity_texts:
            mismatches = [t for t in parity_texts if self.translate_ids(t) != lite.translate_ids(t)]
            report["parity"] = {"n": len(parity_texts), "greedy_identical": len(parity_texts) - len(mismatches),
                                "mismatches": mismatches[:20]}
        if latency_texts and parity_texts:
            sources = [self.source_ids(t) for t in list(parity_texts)[:latency_texts]]
            report["latency"] = time_per_token(lite.driver(), sources, self.bos_id, self.eos_id, self.target_len - 1)
        return report
