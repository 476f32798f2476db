"""`train_lm`: the training recipe that makes a `LanguageModel` (LSTM or transformer, word or character).

It lives in the task layer because it builds the saved artifact; the text and window helpers
stay in `keras_slm.training.language_model`, where the old name `train_lm` keeps working.
"""

import time

import keras
import numpy as np

from keras_slm.models.language_models import build_lm
from keras_slm.tasks.language_model import LanguageModel
from keras_slm.text import lm_stream
from keras_slm.training.language_model import _TimeBudget, split_text, windows_or_error


def train_lm(
    text, val_text=None, model="lstm", tokenizer="char", seq_len=64, max_vocab=20000, min_count=1,
    epochs=5, batch_size=32, learning_rate=2e-3, seed=0, patience=2, time_budget=None,
    model_options=None, verbose=2, init=None, source=None, val_source=None, decay="cosine",
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
        decay: "cosine" (default) lowers the learning rate along a cosine to a tenth of
            `learning_rate` over `epochs` (a char LSTM on tiny_shakespeare with `keras-slm train
            --task lm` defaults: 1.631 nats/char, BENCHMARKS.md); None keeps it constant.
        patience: early-stopping patience on validation loss (best weights are kept).
        time_budget: seconds after which training stops at the end of a batch.
        model_options: builder options (units, embedding_dim, num_layers, hidden_dim, ...).
        verbose: Keras fit verbosity.
        source / val_source: file names of `text` / `val_text`, for error messages.
        init: a `LanguageModel` to continue training (its tokenizer and network are reused;
            `model`, `tokenizer`, `seq_len` and `model_options` are then taken from it).

    Returns:
        (LanguageModel, history dict, metrics dict with validation `loss`, `perplexity`).

    Example:
    >>> lm, _, metrics = train_lm(open("input.txt").read(), epochs=1)  # doctest: +SKIP
    >>> metrics["loss"]  # doctest: +SKIP
    """
    keras.utils.set_random_seed(seed)
    split = val_text is None
    if split:
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
    if val_source is None and split and source:
        val_source = f"{source} (its last 10%, the validation text)"
    x, y = windows_or_error(train_ids, seq_len, source or "the training text")
    vx, vy = windows_or_error(val_ids, seq_len, val_source or "the validation text")
    rate = learning_rate
    if decay == "cosine":
        steps = max(1, -(-len(x) // batch_size) * epochs)
        rate = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=steps, alpha=0.1)
    elif decay is not None:
        raise ValueError(f"`decay` must be 'cosine' or None, received {decay!r}.")
    network.compile(
        optimizer=keras.optimizers.Adam(rate, clipnorm=1.0),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
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
