"""`SentenceEmbedder`: texts -> L2-normalised vectors (mean pooling), cosine similarity.

A model directory holds model.keras (BERT inputs -> `embedding` [batch, dim]),
tokenizer.json + vocab.txt (WordPiece) and config.json {"task": "sentence_embedding", ...}.
The exported .tflite file takes `input_word_ids`, `input_mask`, `input_type_ids`
(`[1, seq_len]` int32) and gives the normalised vector, ready for MediaPipe `TextEmbedder`
(with BERT metadata) or the LiteRT interpreter.
"""

import os

import keras
import numpy as np

from keras_slm.data.pipeline import predict_by_length
from keras_slm.errors import ModelDirError
from keras_slm.layers.masked_mean_pooling import MaskedMeanPooling
from keras_slm.models.transformer_encoder import encoder_inputs
from keras_slm.tasks import model_files

TASK = "sentence_embedding"
CONFIG_FILE = "config.json"
MODEL_FILE = "model.keras"


def sentence_embedding_model(encoder, name="sentence_embedder"):
    """BERT inputs -> encoder -> mean over real tokens -> L2 normalisation ("embedding").

    Example:
    >>> from keras_slm.models.transformer_encoder import build_encoder
    >>> model = sentence_embedding_model(build_encoder("tiny_2x128", vocab_size=500))
    >>> model.output.shape
    (None, 128)
    """
    inputs = encoder_inputs()
    pooled = MaskedMeanPooling(name="mean_pooling")([encoder(inputs), inputs[1]])
    embedding = keras.layers.UnitNormalization(axis=-1, name="embedding")(pooled)
    return keras.Model(inputs, embedding, name=name)


def cosine_similarity(a, b):
    """Row-wise cosine similarity of two `[n, dim]` arrays (`[n]`).

    Example:
    >>> cosine_similarity(np.array([[1.0, 0.0]]), np.array([[1.0, 1.0]])).round(4).tolist()
    [0.7071]
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    a = a / np.maximum(np.linalg.norm(a, axis=-1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=-1, keepdims=True), 1e-12)
    return np.sum(a * b, axis=-1).astype(np.float32)


class SentenceEmbedder:
    """Embeds texts with a Keras model or a .tflite file; compares them by cosine.

    Args:
        model: a `sentence_embedding_model` (Keras) or a `keras_slm.export.TFLiteModel`.
        tokenizer: the `WordPieceTokenizer` of the encoder.
        seq_len: tokens per text, `[CLS]` and `[SEP]` included (the exported length).
        family: model name, for the record (e.g. "minilm").

    Example:
    >>> from keras_slm.tasks import load_minilm
    >>> encoder, tokenizer = load_minilm()  # doctest: +SKIP
    >>> embedder = SentenceEmbedder.from_encoder(encoder, tokenizer, seq_len=64)  # doctest: +SKIP
    >>> embedder.embed(["A man is eating food."]).shape  # doctest: +SKIP
    (1, 384)
    """

    def __init__(self, model, tokenizer, seq_len, family=None):
        self.model = model
        self.tokenizer = tokenizer
        self.seq_len = int(seq_len)
        self.family = family

    @classmethod
    def from_encoder(cls, encoder, tokenizer, seq_len=128, family=None):
        """Wraps an encoder (from `transformer_encoder`, `load_minilm` or MLM pretraining)."""
        return cls(sentence_embedding_model(encoder), tokenizer, seq_len, family=family or encoder.name)

    @property
    def is_tflite(self):
        return not isinstance(self.model, keras.Model)

    def encode(self, texts):
        """The three input arrays (`input_word_ids`, `input_mask`, `input_type_ids`) for `texts`."""
        inputs = self.tokenizer.encode(list(texts), self.seq_len)
        return [inputs[name] for name in self.tokenizer.input_names]

    def embed(self, texts, batch_size=64):
        """Unit-length vectors `[len(texts), dim]`."""
        arrays = self.encode(texts)
        if self.is_tflite:
            return np.asarray(self.model.predict(*arrays), np.float32).reshape(len(texts), -1)
        return np.asarray(predict_by_length(self.model, arrays, batch_size=batch_size), np.float32)

    def similarity(self, texts_a, texts_b):
        """Cosine similarity of `texts_a[i]` and `texts_b[i]` for each i (`[n]`)."""
        if len(texts_a) != len(texts_b):
            raise ValueError(f"`texts_a` and `texts_b` differ in length: {len(texts_a)} != {len(texts_b)}.")
        return cosine_similarity(self.embed(texts_a), self.embed(texts_b))

    def export(self, path, quantize="none", sample_texts=None, metadata=True, **kwargs):
        """Writes a .tflite file via `keras_slm.export.convert`; returns its `ExportReport`.

        The report's `parity` gives max |diff| of the vectors and (added here) `min_cosine`,
        the lowest cosine between the Keras and TFLite vectors of `sample_texts`.

        Args:
            path: the .tflite file to write.
            quantize: "none", "dynamic", "float16" or "int8".
            sample_texts: real texts for parity (and int8 calibration).
            metadata: pack MediaPipe metadata (tokenizer vocabulary, feature-vector output), so
                MediaPipe Tasks' `TextEmbedder` loads the file as it is (default True); the
                report's size is that of the file with it.
            **kwargs: passed to `convert`.
        """
        from keras_slm.export.converter import convert
        from keras_slm.inference.tflite_model import TFLiteModel

        if self.is_tflite:
            raise ModelDirError("this embedder was loaded from a .tflite file; load the directory to export")
        samples = None if sample_texts is None else self.encode(list(sample_texts))
        kwargs.setdefault("representative_data", samples)
        report = convert(self.model, path, seq_len=self.seq_len, quantize=quantize, sample_inputs=samples, **kwargs)
        if metadata:
            self._write_metadata(path)
            report.size_bytes = os.path.getsize(path)
        if samples is not None:
            lite = SentenceEmbedder(TFLiteModel(path), self.tokenizer, self.seq_len).embed(sample_texts)
            report.parity = dict(report.parity or {}, min_cosine=float(cosine_similarity(lite, self.embed(sample_texts)).min()))
        return report

    def _write_metadata(self, path):
        """MediaPipe metadata: a BERT tokenizer (WordPiece) or the regex tokenizer, and an `embedding` output."""
        import tempfile

        from keras_slm.export.metadata import ModelInfo, write_metadata

        info = ModelInfo(name=self.family or "sentence embedder", description="Sentence embedding (unit vector).")
        if self.tokenizer.kind != "wordpiece":
            write_metadata(path, tokenizer=self.tokenizer, info=info)
            return
        with tempfile.TemporaryDirectory(prefix="keras_slm_vocab_") as tmp:
            vocab = os.path.join(tmp, "vocab.txt")
            with open(vocab, "w", encoding="utf-8") as f:
                f.write("".join(token + "\n" for token in self.tokenizer.vocabulary))
            write_metadata(path, bert_vocab=vocab, info=info)

    @model_files.atomic_save
    def save(self, directory):
        """Writes model.keras, tokenizer.json, vocab.txt and config.json."""
        if self.is_tflite:
            raise ModelDirError("cannot save an embedder loaded from a .tflite file")
        from keras_slm.tasks.text_classifier import save_keras_model, write_config

        save_keras_model(self.model, directory)
        self.tokenizer.save(directory)
        write_config(directory, {"task": TASK, "seq_len": self.seq_len, "model": self.family,
                                 "tokenizer": self.tokenizer.kind})

    @classmethod
    def load(cls, path, num_threads=1):
        """Loads from DIR (Keras model), DIR/model.keras, or DIR/<name>.tflite."""
        from keras_slm.tasks.text_classifier import load_model_file, read_config, resolve_model_path
        from keras_slm.text import load_tokenizer

        directory, model_file = resolve_model_path(path)
        config = read_config(directory, TASK, "a sentence embedder")
        tokenizer = load_tokenizer(directory)
        model = load_model_file(directory, model_file, num_threads)
        model_files.check_agreement(directory, model, tokenizer.vocab_size,
                                    model_file=os.path.basename(model_file or "model.keras"))
        return cls(model, tokenizer, config["seq_len"], family=config.get("model"))
