"""`LanguageModel`: a next-token model with its tokenizer: generate, suggest, evaluate, export.

A language-model directory holds:
    model.keras      the Keras model (ids in, next-token logits out)
    tokenizer.json   tokenizer config and vocabulary;  vocab.txt  the vocabulary
    config.json      {"task": "language_model", "family", "seq_len", "tokenizer", ...}
    model.tflite     the on-device step (LSTM) or window (transformer) file
    metrics.json     training and evaluation numbers, export reports
"""

import json
import math
import os

import numpy as np

from keras_slm import files
from keras_slm.errors import ModelDirError
from keras_slm.tasks import model_files
from keras_slm.inference import generation  # the submodule, not the package
from keras_slm.text import lm_stream

TASK = "language_model"
CONFIG_FILE = "config.json"
MODEL_FILE = "model.keras"
TFLITE_FILE = "model.tflite"
METRICS_FILE = "metrics.json"


def is_language_model_dir(path):
    """True when `path` (a directory or a file in one) holds a language model."""
    from keras_slm.tasks.model_files import config_task

    return config_task(path) == TASK


class LanguageModel:
    """A next-token language model (Keras or .tflite) with its tokenizer.

    Args:
        model: a Keras LM from `keras_slm.models.language_models` (ids -> logits), or a
            `keras_slm.inference.lm_driver.TFLiteLMDriver`.
        tokenizer: the tokenizer the model was trained with.
        family: "lstm" or "transformer".
        seq_len: the training window (the transformer's context window).

    Example:
    >>> lm = LanguageModel.load("runs/shakespeare")  # doctest: +SKIP
    >>> lm.generate("ROMEO:", max_tokens=40, strategy="top_k", seed=1)  # doctest: +SKIP
    >>> lm.suggest("to be or not to", k=3)  # doctest: +SKIP
    [{'word': 'be', 'probability': 0.61}, ...]
    """

    def __init__(self, model, tokenizer, family, seq_len):
        if family not in ("lstm", "transformer"):
            raise ValueError(f"`family` must be 'lstm' or 'transformer', received {family!r}.")
        self.model = model
        self.tokenizer = tokenizer
        self.family = family
        self.seq_len = int(seq_len)
        self._keras_decoder = None

    @property
    def is_tflite(self):
        return not model_files.is_keras_model(self.model)

    # -- persistence ----------------------------------------------------------------
    @model_files.atomic_save
    def save(self, directory):
        if self.is_tflite:
            raise ModelDirError("a LanguageModel loaded from a .tflite file cannot be saved as Keras")
        os.makedirs(directory, exist_ok=True)
        with files.atomic_path(os.path.join(directory, MODEL_FILE)) as tmp:
            self.model.save(tmp)
        self.tokenizer.save(directory)
        config = {"task": TASK, "family": self.family, "seq_len": self.seq_len,
                  "tokenizer": lm_stream.lm_kind(self.tokenizer), "vocab_size": self.tokenizer.vocab_size}
        files.write_text_atomic(os.path.join(directory, CONFIG_FILE), json.dumps(config, indent=1))

    @classmethod
    def load(cls, path, num_threads=1):
        """Loads DIR (its model.keras), DIR/model.keras, or DIR/<name>.tflite."""
        path = os.fspath(path)
        directory = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
        if not os.path.exists(path):
            raise ModelDirError(f"{path}: no such model file or directory")
        if not is_language_model_dir(directory):
            raise ModelDirError(f"{directory}: no {CONFIG_FILE} with task {TASK!r}; not a keras-slm language model")
        config = model_files.read_config(directory, TASK, "a language model", required=("seq_len", "family"),
                                          families=("lstm", "transformer"))
        tokenizer = lm_stream.load_lm_tokenizer(directory)
        if path.endswith(".tflite"):
            from keras_slm.inference.lm_driver import TFLiteLMDriver

            model = TFLiteLMDriver(path, num_threads=num_threads)
        else:
            model_path = path if path.endswith(".keras") else os.path.join(directory, MODEL_FILE)
            model = model_files.load_keras_model(directory, model_path)
            model_files.check_agreement(directory, model, tokenizer.vocab_size, model_file=os.path.basename(model_path))
        return cls(model, tokenizer, config["family"], config["seq_len"])

    # -- decoding -------------------------------------------------------------------
    def decoder(self):
        """A fresh decoder (step for LSTM, window for transformer) over Keras or the .tflite file."""
        if self.is_tflite:
            return self.model.decoder()
        import tensorflow as tf

        if self._keras_decoder is None:
            if self.family == "lstm":
                from keras_slm.models.language_models import lstm_step_model

                step = lstm_step_model(self.model)
                specs = [tf.TensorSpec([1], tf.int32)] + [tf.TensorSpec([1, u], tf.float32) for u in step.units for _ in "hc"]
                fn = tf.function(lambda *args: step(list(args)), input_signature=specs)

                def step_fn(token, state):
                    out = fn(np.array([token], np.int32), *state)
                    return out[0].numpy()[0], [o.numpy() for o in out[1:]]

                self._keras_decoder = ("step", step_fn, step.zero_state())
            else:
                fn = tf.function(lambda ids: self.model(ids, training=False),
                                 input_signature=[tf.TensorSpec([1, self.seq_len], tf.int32)])
                self._keras_decoder = ("window", lambda ids: fn(ids).numpy(), self.seq_len)
        kind, call, arg = self._keras_decoder
        return generation.StepDecoder(call, arg) if kind == "step" else generation.WindowDecoder(call, arg)

    def encode(self, text):
        return lm_stream.encode_prompt(self.tokenizer, text)

    def decode(self, ids, continuation=False):
        return lm_stream.decode(self.tokenizer, ids, continuation=continuation)

    def generate_ids(self, prompt_ids, max_tokens=50, strategy="greedy", temperature=1.0, top_k=40,
                     top_p=0.9, seed=None, stop_ids=()):
        sampler = generation.make_sampler(strategy, temperature, top_k, top_p, seed, vocab_size=self.tokenizer.vocab_size)
        return generation.generate_ids(
            self.decoder(), prompt_ids, max_tokens, sampler,
            blocked_ids=lm_stream.blocked_ids(self.tokenizer), stop_ids=stop_ids,
        )

    def generate(self, prompt, max_tokens=50, strategy="greedy", temperature=1.0, top_k=40, top_p=0.9, seed=None):
        """The text that continues `prompt` (the prompt itself not included).

        Args:
            prompt: text to continue.
            max_tokens: tokens to generate (characters for a character model).
            strategy: "greedy", "temperature", "top_k" or "top_p" (keras-hub samplers).
            temperature: softmax temperature for the sampling strategies.
            top_k: k of top-k sampling.
            top_p: p of nucleus sampling.
            seed: random seed; the same seed gives the same text.
        """
        ids = self.generate_ids(self.encode(prompt), max_tokens, strategy, temperature, top_k, top_p, seed)
        return self.decode(ids, continuation=True)

    def suggest(self, prefix, k=3):
        """Next-word suggestions after `prefix`, as a phone keyboard shows them.

        A prefix ending in a space asks for the next word; otherwise its last word is
        being typed and the suggestions complete it.

        Returns:
            [{"word", "probability"}], most probable first.
        """
        tok, blocked = self.tokenizer, lm_stream.blocked_ids(self.tokenizer)
        typing = bool(prefix) and not prefix[-1].isspace()
        kind = lm_stream.lm_kind(tok)
        if kind == "word":
            words = prefix.split()
            partial = tok.tokenize(words[-1])[-1] if typing and words and tok.tokenize(words[-1]) else ""
            context = " ".join(words[:-1]) if typing else prefix
            logits = self.decoder().reset(self.encode(context))
            logp = generation._log_softmax(generation._mask(logits, list(blocked) + [lm_stream.start_id(tok)]))
            ranked = [i for i in np.argsort(-logp) if tok.vocabulary[i].startswith(partial)][:k]
            return [{"word": tok.vocabulary[i], "probability": float(math.exp(logp[i]))} for i in ranked]
        ids = self.encode(prefix)
        typed = []
        if typing:
            for i in reversed(ids):
                if not lm_stream.is_word_piece_continuation(tok, i) and kind == "char":
                    break
                typed.insert(0, i)
                if kind == "wordpiece" and not tok.vocabulary[i].startswith("##"):
                    break
        results = generation.complete_word(
            self.decoder(), ids, lambda t: lm_stream.is_word_piece_continuation(tok, t), k=k,
            blocked_ids=list(blocked) + [lm_stream.start_id(tok)],
        )
        return [{"word": self.decode(typed + ids_).strip(), "probability": p} for ids_, p in results]

    # -- evaluation -----------------------------------------------------------------
    def evaluate_ids(self, ids, seq_len=None, context=None, batch_size=32):
        """Cross-entropy (nats per token) and perplexity of the model on an id stream.

        Windows of `seq_len` ids slide by `seq_len - context`; every target after the first
        window is scored with at least `context` tokens of history.
        """
        if self.is_tflite:
            raise ModelDirError("evaluate a language model through its Keras file (model.keras)")
        ids = np.asarray(ids, np.int32)
        seq_len = int(seq_len or (self.seq_len if self.family == "transformer" else 2 * self.seq_len))
        context = int(context if context is not None else seq_len // 2)
        if len(ids) < 2:
            raise ValueError("need at least two tokens to evaluate")
        stride = seq_len - context
        starts = list(range(0, max(len(ids) - 1 - context, 1), stride))
        rows, weights = [], []
        for n, start in enumerate(starts):
            chunk = ids[start : start + seq_len + 1]
            x = np.zeros(seq_len, np.int32)
            y = np.zeros(seq_len, np.int32)
            w = np.zeros(seq_len, np.float32)
            x[: len(chunk) - 1], y[: len(chunk) - 1] = chunk[:-1], chunk[1:]
            w[(0 if n == 0 else context) : len(chunk) - 1] = 1.0
            rows.append((x, y)), weights.append(w)
        total, count = 0.0, 0.0
        for b in range(0, len(rows), batch_size):
            x = np.stack([r[0] for r in rows[b : b + batch_size]])
            y = np.stack([r[1] for r in rows[b : b + batch_size]])
            w = np.stack(weights[b : b + batch_size])
            logits = np.asarray(self.model(x, training=False), np.float64)
            logits -= logits.max(-1, keepdims=True)
            logz = np.log(np.exp(logits).sum(-1))
            nll = logz - np.take_along_axis(logits, y[..., None], -1)[..., 0]
            total += float((nll * w).sum())
            count += float(w.sum())
        loss = total / count
        return {"loss": loss, "perplexity": math.exp(loss), "tokens": int(count)}

    def evaluate_text(self, text, **kwargs):
        """`evaluate_ids` on a text (encoded as one stream)."""
        return self.evaluate_ids(lm_stream.encode_stream(self.tokenizer, text), **kwargs)
