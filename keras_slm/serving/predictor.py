"""Predictors for the server: a TFLite file and its tokenizer, run by a pool of interpreters.

A LiteRT `Interpreter` is not thread-safe, but `invoke()` releases the GIL: a pool of N
interpreters over the same file lets N requests run at once on N cores. Requests borrow an
interpreter for the whole batch and give it back; if none frees up within `acquire_timeout`
seconds the request fails fast with `PoolBusy` (served as 503) instead of queueing forever.

No predictor imports TensorFlow or Keras: the LiteRT interpreter, NumPy, keras-slm's
tokenizers and the TensorFlow-free halves of the task classes (`SequenceTagger`, `NluModel`,
`LanguageModel`, `Translator` load their .tflite files and decode without Keras) are all a
server needs, so it starts in about a second and stays small (tests/serving/test_no_tensorflow.py).
"""

import contextlib
import os
import queue
import threading

import numpy as np

from keras_slm.errors import ModelDirError
from keras_slm.files import read_json


class PoolBusy(Exception):
    """No interpreter became free in time."""


class InterpreterPool:
    """N LiteRT interpreters over one .tflite file, lent out one request at a time.

    Args:
        path: the .tflite file.
        size: number of interpreters (concurrent inferences).
        num_threads: threads per interpreter (1 is best when `size` covers the cores).
        acquire_timeout: seconds a request waits for a free interpreter.
        factory: `factory(path, num_threads)` builds each pooled object instead of a bare
            `Interpreter` (e.g. `TFLiteLMDriver`, which wraps its own interpreter).

    Example:
    >>> pool = InterpreterPool("model.tflite", size=2)  # doctest: +SKIP
    >>> with pool.borrow() as interpreter:  # doctest: +SKIP
    ...     interpreter.invoke()
    """

    def __init__(self, path, size=2, num_threads=1, acquire_timeout=10.0, factory=None):
        from ai_edge_litert.interpreter import Interpreter

        if size < 1:
            raise ValueError(f"`size` must be at least 1, received {size}.")
        self.path = os.fspath(path)
        self.size = int(size)
        self.acquire_timeout = acquire_timeout
        self._free = queue.Queue()
        self._lock = threading.Lock()
        self.in_use = 0
        for _ in range(self.size):
            if factory is not None:
                self._free.put(factory(self.path, num_threads))
                continue
            try:
                interpreter = Interpreter(model_path=self.path, num_threads=num_threads)
                interpreter.allocate_tensors()
            except (ValueError, RuntimeError) as e:
                reason = " ".join(str(e).split())[:160]
                raise ModelDirError(f"{self.path}: not a valid TFLite model ({reason}); expected a .tflite file "
                                    "written by keras-slm export") from None
            self._free.put(interpreter)

    @contextlib.contextmanager
    def borrow(self):
        try:
            interpreter = self._free.get(timeout=self.acquire_timeout)
        except queue.Empty:
            raise PoolBusy(f"all {self.size} interpreters busy for {self.acquire_timeout}s") from None
        with self._lock:
            self.in_use += 1
        try:
            yield interpreter
        finally:
            with self._lock:
                self.in_use -= 1
            self._free.put(interpreter)


class TextClassifierPredictor:
    """Labels and scores for texts, from a model folder's TFLite file, tokenizer and labels.

    Args:
        directory: a model directory or bundle folder (config.json, tokenizer.json, labels.txt).
        tflite: the .tflite file to serve (default: directory/model.tflite).
        pool_size: interpreters in the pool.
        acquire_timeout: seconds to wait for a free interpreter.

    Example:
    >>> p = TextClassifierPredictor("runs/sst2")  # doctest: +SKIP
    >>> p.predict(["a gorgeous, witty film"])[0]["label"]  # doctest: +SKIP
    'positive'
    """

    task = "text_classification"

    def __init__(self, directory, tflite=None, pool_size=2, acquire_timeout=10.0):
        from keras_slm.data.labels import LabelVocabulary
        from keras_slm.text import load_tokenizer

        self.directory = os.fspath(directory)
        self.tflite = os.fspath(tflite or os.path.join(self.directory, "model.tflite"))
        if not os.path.isfile(self.tflite):
            raise ModelDirError(f"{self.tflite}: no such TFLite file; export the model first (keras-slm export)")
        self.config = read_json(os.path.join(self.directory, "config.json"), "the config.json keras-slm wrote")
        self.tokenizer = load_tokenizer(self.directory)
        self.labels = LabelVocabulary.load(self.directory).labels
        self.pool = InterpreterPool(self.tflite, size=pool_size, acquire_timeout=acquire_timeout)
        with self.pool.borrow() as interpreter:
            inputs = interpreter.get_input_details()
            self._output = interpreter.get_output_details()[0]
        if len(inputs) != 1:
            raise ModelDirError(f"{self.tflite}: expected one token-id input, found {len(inputs)}")
        self._input = inputs[0]
        self.seq_len = int(self._input["shape"][-1])
        if self.seq_len != int(self.config.get("seq_len", self.seq_len)):
            raise ModelDirError(f"{self.tflite}: input length {self.seq_len} differs from config.json seq_len {self.config['seq_len']}")

    def scores(self, texts):
        """Class probabilities `[len(texts), num_labels]` (float32)."""
        ids = self.tokenizer.encode(list(texts), self.seq_len).astype(self._input["dtype"])
        rows = []
        with self.pool.borrow() as interpreter:
            for i in range(len(ids)):
                interpreter.set_tensor(self._input["index"], ids[i : i + 1])
                interpreter.invoke()
                rows.append(interpreter.get_tensor(self._output["index"]).reshape(-1).copy())
        out = np.stack(rows).astype(np.float32)
        scale, zero_point = self._output["quantization"]
        if self._output["dtype"] in (np.int8, np.uint8) and scale:
            out = (out - zero_point) * scale
        if out.shape[1] == 1:  # sigmoid head: P(labels[1])
            out = np.concatenate([1 - out, out], axis=1)
        return out

    def predict(self, texts):
        """[{"label", "score", "scores": {label: p}}] per text."""
        results = []
        for row in self.scores(texts):
            best = int(row.argmax())
            results.append({
                "label": self.labels[best], "score": float(row[best]),
                "scores": {label: float(p) for label, p in zip(self.labels, row)},
            })
        return results


class _PooledTFLiteModel:
    """`TFLiteModel.predict` on a `TFLiteModel` borrowed from the pool (one batch, one interpreter)."""

    def __init__(self, pool):
        self.pool = pool

    def predict(self, *arrays):
        with self.pool.borrow() as model:
            return model.predict(*arrays)


class TaggerPredictor:
    """Entity spans for texts, from an NER model folder's TFLite file (`SequenceTagger`).

    Texts are split, encoded, cut into windows and decoded exactly as
    `SequenceTagger.predict_text` does in process; only the interpreter comes from the pool.

    Args:
        directory: an NER model folder (config.json task "ner", tagger.json, labels.txt).
        tflite: the .tflite file to serve (default: directory/model.tflite).
        pool_size: interpreters in the pool.
        acquire_timeout: seconds to wait for a free interpreter.

    Example:
    >>> p = TaggerPredictor("runs/wikiann")  # doctest: +SKIP
    >>> p.predict(["Angela Merkel visited Paris ."])[0]["entities"][0]  # doctest: +SKIP
    {'text': 'Angela Merkel', 'label': 'PER', 'start': 0, 'end': 13}
    """

    task = "ner"

    def __init__(self, directory, tflite=None, pool_size=2, acquire_timeout=10.0):
        from keras_slm.inference.tflite_model import TFLiteModel
        from keras_slm.tasks.sequence_tagger import SequenceTagger

        self.directory = os.fspath(directory)
        self.tflite = _tflite_file(self.directory, tflite)
        self.tagger = SequenceTagger.load(self.tflite)  # vocabularies and tags; its own interpreter is replaced
        self.pool = InterpreterPool(self.tflite, size=pool_size, acquire_timeout=acquire_timeout,
                                    factory=lambda path, threads: TFLiteModel(path, num_threads=threads))
        self.tagger.model = _PooledTFLiteModel(self.pool)

    def predict(self, texts):
        """[{"entities": [{"text", "label", "start", "end"}]}] per text (label = entity type)."""
        return [{"entities": [{"text": e["text"], "label": e["type"], "start": e["start"], "end": e["end"]}
                              for e in r["entities"]]}
                for r in self.tagger.predict_text(list(texts))]


class NluPredictor:
    """Intent and slot spans for texts, from a joint intent / slot folder's TFLite file (`NluModel`).

    Texts are split, encoded and decoded exactly as `NluModel.predict_text` does in process;
    only the interpreter comes from the pool.

    Example:
    >>> p = NluPredictor("runs/snips")  # doctest: +SKIP
    >>> p.predict(["play jazz on spotify"])[0]["intent"]  # doctest: +SKIP
    'PlayMusic'
    """

    task = "nlu"

    def __init__(self, directory, tflite=None, pool_size=2, acquire_timeout=10.0):
        from keras_slm.inference.tflite_model import TFLiteModel
        from keras_slm.tasks.nlu import NluModel

        self.directory = os.fspath(directory)
        self.tflite = _tflite_file(self.directory, tflite)
        self.nlu = NluModel.load(self.tflite)  # vocabularies, intents and tags; its interpreter is replaced
        self.pool = InterpreterPool(self.tflite, size=pool_size, acquire_timeout=acquire_timeout,
                                    factory=lambda path, threads: TFLiteModel(path, num_threads=threads))
        self.nlu.model = _PooledInvoke(self.pool)

    def predict(self, texts):
        """[{"intent", "score", "slots": [{"slot", "text", "start", "end"}]}] per text."""
        return [{"intent": r["intent"], "score": r["score"], "slots": r["slots"]}
                for r in self.nlu.predict_text(list(texts))]


class _PooledInvoke:
    """`TFLiteModel.invoke` on a `TFLiteModel` borrowed from the pool for each call."""

    def __init__(self, pool):
        self.pool = pool

    def invoke(self, *arrays):
        with self.pool.borrow() as model:
            return model.invoke(*arrays)


class LanguageModelPredictor:
    """Generated continuations of texts, from a language-model folder's TFLite file.

    Each pooled object is a `TFLiteLMDriver`; a text borrows one for its whole generation and
    runs `LanguageModel.generate`, the same decoding loop and keras-hub samplers as in process.

    Args:
        directory: a language-model folder (config.json task "language_model", tokenizer).
        tflite: the .tflite file to serve (default: directory/model.tflite).
        pool_size: drivers in the pool.
        acquire_timeout: seconds to wait for a free driver.

    Example:
    >>> p = LanguageModelPredictor("runs/shakespeare")  # doctest: +SKIP
    >>> p.predict(["ROMEO:"], max_tokens=20, strategy="top_k", seed=1)[0]["generated_text"]  # doctest: +SKIP
    """

    task = "language_model"
    default_max_tokens = 50

    def __init__(self, directory, tflite=None, pool_size=2, acquire_timeout=10.0):
        from keras_slm.inference.lm_driver import TFLiteLMDriver
        from keras_slm.text import lm_stream

        self.directory = os.fspath(directory)
        self.tflite = _tflite_file(self.directory, tflite)
        self.config = read_json(os.path.join(self.directory, "config.json"), "the config.json keras-slm wrote")
        self.tokenizer = lm_stream.load_lm_tokenizer(self.directory)
        self.pool = InterpreterPool(self.tflite, size=pool_size, acquire_timeout=acquire_timeout,
                                    factory=lambda path, threads: TFLiteLMDriver(path, num_threads=threads))

    def predict(self, texts, max_tokens=None, strategy="greedy", temperature=1.0, top_k=40, top_p=0.9, seed=None):
        """[{"generated_text"}] per text: the continuation, the prompt not included."""
        from keras_slm.tasks.language_model import LanguageModel

        results = []
        for text in texts:
            with self.pool.borrow() as driver:
                lm = LanguageModel(driver, self.tokenizer, self.config["family"], self.config["seq_len"])
                generated = lm.generate(text, max_tokens=max_tokens or self.default_max_tokens, strategy=strategy,
                                        temperature=temperature, top_k=top_k, top_p=top_p, seed=seed)
            results.append({"generated_text": generated})
        return results

    def warm_up(self):
        self.predict(["warm up"], max_tokens=1)


class TranslationPredictor:
    """Translations of texts, from a translation folder's TFLite file (`Translator`).

    Each pooled object is the file's `Seq2SeqDriver` (encode + decode signatures); a text
    borrows one for its whole greedy decoding, the same loop as `keras-slm translate`.

    Args:
        directory: a translation folder (config.json task "translation", source/, target/).
        tflite: the .tflite file to serve (default: directory/model.tflite).
        pool_size: drivers in the pool.
        acquire_timeout: seconds to wait for a free driver.

    Example:
    >>> p = TranslationPredictor("runs/zh_en")  # doctest: +SKIP
    >>> p.predict(["我们走吧。"])[0]["translation"]  # doctest: +SKIP
    "Let's go."
    """

    task = "translation"

    def __init__(self, directory, tflite=None, pool_size=2, acquire_timeout=10.0):
        from keras_slm.inference.seq2seq_driver import tflite_seq2seq_driver
        from keras_slm.tasks.translation import Translator

        self.directory = os.fspath(directory)
        self.tflite = _tflite_file(self.directory, tflite)
        self.translator = Translator.load(self.tflite)  # tokenizers and config; drivers come from the pool
        self.pool = InterpreterPool(self.tflite, size=pool_size, acquire_timeout=acquire_timeout,
                                    factory=lambda path, threads: tflite_seq2seq_driver(path, num_threads=threads))

    def predict(self, texts):
        """[{"translation"}] per text (greedy decoding)."""
        from keras_slm.tasks.translation import Translator

        t = self.translator
        results = []
        for text in texts:
            with self.pool.borrow() as driver:
                translator = Translator(driver, t.source_tokenizer, t.target_tokenizer, t.family, t.source_len,
                                        t.target_len)
                results.append({"translation": translator.translate([text])[0]})
        return results


def _tflite_file(directory, tflite):
    path = os.fspath(tflite or os.path.join(directory, "model.tflite"))
    if not os.path.isfile(path):
        raise ModelDirError(f"{path}: no such TFLite file; export the model first (keras-slm export)")
    return path


PREDICTORS = {p.task: p for p in (TextClassifierPredictor, TaggerPredictor, NluPredictor, LanguageModelPredictor,
                                      TranslationPredictor)}


def make_predictor(directory, tflite=None, pool_size=2, acquire_timeout=10.0):
    """The predictor for the task in directory/config.json."""
    path = os.path.join(os.fspath(directory), "config.json")
    if not os.path.isfile(path):
        raise ModelDirError(f"{directory}: no config.json; not a keras-slm model directory or bundle")
    task = read_json(path, "the config.json keras-slm wrote").get("task")
    if task not in PREDICTORS:
        raise ModelDirError(f"{directory}: serving supports tasks {sorted(PREDICTORS)}; this model's task is {task!r}")
    return PREDICTORS[task](directory, tflite=tflite, pool_size=pool_size, acquire_timeout=acquire_timeout)
