"""`TextClassifier`: a trained classifier with its tokenizer and labels, as one object.

A model directory holds:
    model.keras      the Keras model (ids in, class scores out)
    tokenizer.json   tokenizer config and vocabulary;  vocab.txt  MediaPipe `token id` lines
    labels.txt       class names, one per line (index = class id)
    config.json      task, sequence length, model family
    model.tflite     float, batch 1, builtin ops only (written by `keras-slm train`)
    metrics.json     validation metrics and the export report
"""

import json
import os

import numpy as np

from keras_slm import files
from keras_slm.data.labels import LabelVocabulary
from keras_slm.errors import DataError, ModelDirError
from keras_slm.tasks import model_files
from keras_slm.text import load_tokenizer

CONFIG_FILE = "config.json"
MODEL_FILE = "model.keras"
TFLITE_FILE = "model.tflite"
METRICS_FILE = "metrics.json"
TASK = "text_classification"


def resolve_model_path(path):
    """(directory, file or None) for MODEL given as DIR, DIR/model.keras or DIR/*.tflite."""
    path = os.fspath(path)
    if os.path.isdir(path):
        return path, None
    if not os.path.exists(path):
        raise ModelDirError(f"{path}: no such model file or directory")
    if not path.endswith((".keras", ".tflite")):
        raise ModelDirError(f"{path}: expected a model directory, a .keras file or a .tflite file")
    return os.path.dirname(os.path.abspath(path)), path


def read_config(directory, task=None, what=None):
    """DIR/config.json; with `task`, refuses a folder that holds another kind of model (or lacks seq_len)."""
    return model_files.read_config(directory, task, what, required=("seq_len",) if task else ())


def save_keras_model(model, directory):
    """Writes DIR/model.keras atomically (creating DIR)."""
    os.makedirs(directory, exist_ok=True)
    with files.atomic_path(os.path.join(directory, MODEL_FILE)) as tmp:
        model.save(tmp)


def write_config(directory, config):
    """Writes DIR/config.json atomically: the last file a save writes."""
    files.write_text_atomic(os.path.join(directory, CONFIG_FILE), json.dumps(config, indent=1))


def load_model_file(directory, model_file=None, num_threads=1):
    """A `TFLiteModel` for a .tflite `model_file`, else DIR's Keras model (safe_mode).

    Raises:
        ModelDirError: the file is missing, truncated, not a model, or holds a Lambda layer.
    """
    if model_file is not None and model_file.endswith(".tflite"):
        from keras_slm.inference.tflite_model import TFLiteModel

        return TFLiteModel(model_file, num_threads=num_threads)
    return model_files.load_keras_model(directory, model_file)


class TextClassifier:
    """Predicts labels for raw texts with a Keras model or a .tflite file.

    Args:
        model: a Keras model, or a `keras_slm.export.TFLiteModel`.
        tokenizer: the `WordTokenizer` / `CjkCharTokenizer` the model was trained with.
        labels: `LabelVocabulary`.
        seq_len: token ids per text (the exported length).
        family: model family name, for the record.

    Example:
    >>> clf = TextClassifier.load("runs/sst2")  # doctest: +SKIP
    >>> clf.predict(["a gorgeous, witty film"])[0]["label"]  # doctest: +SKIP
    'positive'
    """

    def __init__(self, model, tokenizer, labels, seq_len, family=None):
        self.model = model
        self.tokenizer = tokenizer
        self.labels = labels
        self.seq_len = int(seq_len)
        self.family = family

    @property
    def is_tflite(self):
        return not model_files.is_keras_model(self.model)

    def encode(self, texts):
        """Model inputs for `texts`: one ids array, or a list of arrays for a BERT-style model."""
        encoded = self.tokenizer.encode(texts, self.seq_len)
        if isinstance(encoded, dict):  # WordPiece: input_word_ids, input_mask, input_type_ids
            return [encoded[name] for name in self.tokenizer.input_names]
        return encoded

    def predict_scores(self, texts):
        """Class probabilities, shape `[len(texts), num_classes]`."""
        ids = self.encode(texts)
        arrays = ids if isinstance(ids, list) else [ids]
        if self.is_tflite:
            scores = self.model.predict(*arrays)
        else:
            from keras_slm.data.pipeline import predict_by_length  # TensorFlow: Keras models only

            scores = predict_by_length(self.model, ids)
        scores = np.asarray(scores, dtype=np.float32).reshape(len(texts), -1)
        if scores.shape[1] == 1:  # sigmoid head: P(labels[1])
            scores = np.concatenate([1 - scores, scores], axis=1)
        return scores

    def predict(self, texts):
        """[{"text", "label", "scores": {label: probability}}] for each text."""
        scores = self.predict_scores(texts)
        return [
            {
                "text": text,
                "label": self.labels.labels[int(row.argmax())],
                "scores": {label: float(p) for label, p in zip(self.labels.labels, row)},
            }
            for text, row in zip(texts, scores)
        ]

    def evaluate(self, data, skip_bad_rows=False):
        """Accuracy, macro-F1 and per-class metrics on a `ClassificationData`.

        A label not seen in training raises a `DataError` naming file and line, or with
        `skip_bad_rows` is counted in `skipped` and left out.
        """
        from keras_slm.evaluation import classification_metrics

        skipped = list(data.skipped)
        unseen = self.labels.unseen_rows(data)
        if unseen:
            if not skip_bad_rows:
                self.labels.encode(data.labels, data)  # raises with file:line
            skipped += [
                DataError(data.path, data.lines[i], f"label {data.labels[i]!r} was not seen in training")
                for i in unseen
            ]
            keep = sorted(set(range(len(data))) - set(unseen))
            data = data.subset(keep)
        y_true = self.labels.encode(data.labels, data)
        y_pred = self.predict_scores(data.texts).argmax(axis=1)
        metrics = classification_metrics(y_true, y_pred, self.labels.labels)
        metrics["skipped"] = len(skipped)
        return metrics

    def export(self, path, quantize="none", sample_texts=None, eval_data=None, **kwargs):
        """Writes a .tflite file via `keras_slm.export.convert`; returns its `ExportReport`.

        Args:
            path: target .tflite path.
            quantize: "none", "dynamic", "float16" or "int8".
            sample_texts: real texts for the parity check and int8 calibration.
            eval_data: a labelled `ClassificationData` to report accuracy Keras vs TFLite.
            **kwargs: passed to `convert` (e.g. `single_subgraph`, `latency_runs`).
        """
        from keras_slm.export.converter import convert

        if self.is_tflite:
            raise ModelDirError("this classifier was loaded from a .tflite file; load the directory to export")
        samples = None if sample_texts is None else self.encode(list(sample_texts))
        evaluation = None
        if eval_data is not None:
            unseen = set(self.labels.unseen_rows(eval_data))
            keep = [i for i in range(len(eval_data)) if i not in unseen]
            eval_data = eval_data.subset(keep)
            evaluation = (self.encode(eval_data.texts), self.labels.encode(eval_data.labels, eval_data))
        kwargs.setdefault("representative_data", samples)
        return convert(
            self.model, path, seq_len=self.seq_len, quantize=quantize, sample_inputs=samples,
            eval_data=evaluation, **kwargs,
        )

    @model_files.atomic_save
    def save(self, directory):
        """Writes model.keras, tokenizer.json, vocab.txt, labels.txt and config.json."""
        if self.is_tflite:
            raise ModelDirError("cannot save a classifier loaded from a .tflite file")
        save_keras_model(self.model, directory)
        self.tokenizer.save(directory)
        self.labels.save(directory)
        write_config(directory, {"task": TASK, "seq_len": self.seq_len, "model": self.family,
                                 "tokenizer": self.tokenizer.kind})

    @classmethod
    def load(cls, path, num_threads=1):
        """Loads from DIR (Keras model), DIR/model.keras, or DIR/<name>.tflite."""
        directory, model_file = resolve_model_path(path)
        config = read_config(directory, TASK, "a text classifier")
        tokenizer = load_tokenizer(directory)
        labels = LabelVocabulary.load(directory)
        model = load_model_file(directory, model_file, num_threads)
        model_files.check_agreement(directory, model, tokenizer.vocab_size, len(labels),
                                    model_file=os.path.basename(model_file or MODEL_FILE))
        return cls(model, tokenizer, labels, config["seq_len"], family=config.get("model"))
