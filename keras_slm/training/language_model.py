"""Training next-token language models on a plain-text file."""

import time

import keras
import numpy as np

from keras_slm.errors import DataError
from keras_slm.models.language_model import LanguageModel
from keras_slm.models.language_models import build_lm
from keras_slm.text import lm_stream


def read_text(path):
    """The whole of a UTF-8 text file; a `DataError` names the line of a bad byte or an empty file."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DataError(path, raw[: e.start].count(b"\n") + 1, "not valid UTF-8 text") from None
    if not text.strip():
        raise DataError(path, None, "the file holds no text")
    return text


def split_text(text, fraction=0.1):
    """(first part, last `fraction`), cut at the line boundary nearest the split point."""
    if not 0 < fraction < 1:
        raise ValueError(f"`fraction` must be in (0, 1), received {fraction}.")
    cut = int(len(text) * (1 - fraction))
    newline = text.rfind("\n", 0, cut)
    cut = newline + 1 if newline > 0 else cut
    return text[:cut], text[cut:]


def lm_windows(ids, seq_len, stride=None):
    """(x, y) int32 arrays `[n, seq_len]`: windows of the id stream and the ids one step later."""
    stride = stride or seq_len
    ids = np.asarray(ids, np.int32)
    starts = np.arange(0, len(ids) - seq_len - 1 + 1, stride)
    if not len(starts):
        raise ValueError(f"the text has {len(ids)} tokens; need more than seq_len={seq_len}")
    index = starts[:, None] + np.arange(seq_len)[None, :]
    return ids[index], ids[index + 1]


class _TimeBudget(keras.callbacks.Callback):
    def __init__(self, seconds):
        super().__init__()
        self.seconds, self.start = seconds, time.time()

    def on_train_batch_end(self, batch, logs=None):
        if time.time() - self.start > self.seconds:
            self.model.stop_training = True


def train_lm(
    text, val_text=None, model="lstm", tokenizer="char", seq_len=64, max_vocab=20000, min_count=1,
    epochs=5, batch_size=32, learning_rate=2e-3, seed=0, patience=2, time_budget=None,
    model_options=None, verbose=2, init=None,
):
    """Trains a next-token LM on `text`.

    Args:
        text: training text (one string).
        val_text: validation text; None holds out the last 10% of `text` (at a line boundary).
        model: "lstm" or "transformer".
        tokenizer: "char" (every character), "word" or "wordpiece".
        seq_len: training window in tokens (the transformer's context window).
        max_vocab / min_count: vocabulary limits.
        epochs / batch_size / learning_rate / seed: training settings (Adam, clipnorm 1).
        patience: early-stopping patience on validation loss (best weights are kept).
        time_budget: seconds after which training stops at the end of a batch.
        model_options: builder options (units, embedding_dim, num_layers, hidden_dim, ...).
        verbose: Keras fit verbosity.
        init: a `LanguageModel` to continue training (its tokenizer and network are reused;
            `model`, `tokenizer`, `seq_len` and `model_options` are then taken from it).

    Returns:
        (LanguageModel, history dict, metrics dict with validation `loss`, `perplexity`).

    Example:
    >>> lm, _, metrics = train_lm(open("input.txt").read(), epochs=1)  # doctest: +SKIP
    >>> metrics["loss"]  # doctest: +SKIP
    """
    keras.utils.set_random_seed(seed)
    if val_text is None:
        text, val_text = split_text(text, 0.1)
    if init is not None:
        tok, model, seq_len = init.tokenizer, init.family, init.seq_len
    else:
        tok = lm_stream.fit_lm_tokenizer(tokenizer, text, max_vocab=max_vocab, min_count=min_count)
    train_ids = lm_stream.encode_stream(tok, text)
    val_ids = lm_stream.encode_stream(tok, val_text)
    options = dict(model_options or {})
    if model == "transformer":
        options.setdefault("sequence_length", seq_len)
        seq_len = options["sequence_length"]
    network = init.model if init is not None else build_lm(model, tok.vocab_size, **options)
    network.compile(
        optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    x, y = lm_windows(train_ids, seq_len)
    vx, vy = lm_windows(val_ids, seq_len)
    callbacks = [keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)]
    if time_budget:
        callbacks.append(_TimeBudget(time_budget))
    start = time.time()
    history = network.fit(x, y, validation_data=(vx, vy), epochs=epochs, batch_size=batch_size, shuffle=True,
                          callbacks=callbacks, verbose=verbose)
    train_time = time.time() - start
    lm = LanguageModel(network, tok, model, seq_len)
    metrics = lm.evaluate_ids(val_ids)
    val_losses = history.history.get("val_loss", [])
    metrics.update({
        "epochs_run": len(val_losses), "best_epoch": int(np.argmin(val_losses)) + 1 if val_losses else 0,
        "train_tokens": int(len(train_ids)), "val_tokens": int(len(val_ids)),
        "wall_time_s": round(train_time, 1), "params": int(network.count_params()),
    })
    return lm, {k: [float(v) for v in vs] for k, vs in history.history.items()}, metrics
