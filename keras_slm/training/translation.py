"""Teacher-forced training of encoder-decoder models, early-stopped on validation BLEU."""

import time

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="keras_slm")
class MaskedSmoothedCrossentropy(keras.losses.Loss):
    """Cross-entropy on integer targets with label smoothing, padding (id 0) left out.

    The smoothed target puts `1 - label_smoothing` on the true id and spreads
    `label_smoothing` evenly over the vocabulary; the mean is over real tokens only.

    Args:
        label_smoothing: in [0, 1).

    Example:
    >>> loss = MaskedSmoothedCrossentropy(0.1)
    >>> float(loss(np.array([[1, 0]]), np.zeros((1, 2, 4), "float32")))  # uniform logits: log(4)
    1.3862943649291992
    """

    def __init__(self, label_smoothing=0.1, name="masked_smoothed_crossentropy", **kwargs):
        super().__init__(name=name, **kwargs)
        if not 0 <= label_smoothing < 1:
            raise ValueError(f"`label_smoothing` must be in [0, 1), received {label_smoothing}.")
        self.label_smoothing = float(label_smoothing)

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, "int32")
        log_p = ops.log_softmax(ops.cast(y_pred, "float32"), axis=-1)
        nll = -ops.squeeze(ops.take_along_axis(log_p, ops.expand_dims(y_true, -1), axis=-1), -1)
        uniform = -ops.mean(log_p, axis=-1)
        per_token = (1.0 - self.label_smoothing) * nll + self.label_smoothing * uniform
        mask = ops.cast(ops.not_equal(y_true, 0), "float32")
        # One value per sentence, weighted so the batch mean is the per-token mean.
        tokens = ops.maximum(ops.sum(mask), 1.0)
        return ops.sum(per_token * mask, axis=-1) * ops.cast(ops.shape(mask)[0], "float32") / tokens

    def get_config(self):
        return {**super().get_config(), "label_smoothing": self.label_smoothing}


class _BleuEarlyStopping(keras.callbacks.Callback):
    """After each epoch: score, keep the best weights, stop after `patience` epochs without gain
    or when `time_budget` seconds have passed."""

    def __init__(self, score_fn, patience, time_budget, log):
        super().__init__()
        self.score_fn, self.patience, self.time_budget, self.log = score_fn, patience, time_budget, log
        self.best, self.best_epoch, self.best_weights, self.wait = -np.inf, 0, None, 0
        self.start = time.time()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        score = self.score_fn() if self.score_fn else -float(logs.get("val_loss", logs.get("loss")))
        entry = {"epoch": epoch + 1, "loss": float(logs.get("loss", np.nan)),
                 "val_loss": float(logs.get("val_loss", np.nan)), "score": float(score),
                 "elapsed_s": round(time.time() - self.start, 1)}
        self.log.append(entry)
        print(f"epoch {epoch + 1}: loss {entry['loss']:.4f}, val_loss {entry['val_loss']:.4f}, "
              f"{'val BLEU' if self.score_fn else '-val_loss'} {score:.2f} ({entry['elapsed_s']:.0f}s)", flush=True)
        if score > self.best:
            self.best, self.best_epoch, self.wait = score, epoch + 1, 0
            self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.model.stop_training = True
        if self.time_budget and time.time() - self.start > self.time_budget:
            self.model.stop_training = True

    def on_train_batch_end(self, batch, logs=None):
        # A budget overrun mid-epoch stops at once; the epoch still ends (and is scored).
        if self.time_budget and time.time() - self.start > self.time_budget * 1.05:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)


def fit_seq2seq(model, train, val=None, score_fn=None, epochs=20, batch_size=64, learning_rate=1e-3,
                label_smoothing=0.1, patience=3, time_budget=None, warmup_steps=0, seed=0, verbose=1):
    """Trains `model` with teacher forcing; keeps the weights of the best epoch.

    Args:
        model: `[source_ids, target_in] -> logits` (e.g. `lstm_attention_seq2seq`).
        train: (source_ids `[N, S]`, target_in `[N, T]`, target_out `[N, T]`) int32 arrays;
            target_in starts with the start id, target_out is it shifted left (ends with the end id).
        val: the same for validation (for `val_loss`), or None.
        score_fn: `fn() -> float`, higher is better (validation BLEU), run after each epoch;
            None: early stopping on validation (or training) loss.
        epochs: the most epochs.
        batch_size: sentences per step.
        learning_rate: Adam's peak rate.
        label_smoothing: see `MaskedSmoothedCrossentropy`.
        patience: epochs without improvement before stopping.
        time_budget: seconds; training stops at the first epoch end past it.
        warmup_steps: linear warm-up steps, then cosine decay over `epochs` (0: constant rate).
        seed: shuffling / dropout seed.
        verbose: Keras progress bar (1), one line per epoch (2) or silent (0).

    Returns:
        list of per-epoch dicts (loss, val_loss, score, elapsed_s); the best epoch is the max score.
    """
    from keras_slm.callbacks.lr_schedule import WarmupSchedule

    keras.utils.set_random_seed(seed)
    steps = int(np.ceil(len(train[0]) / batch_size)) * epochs
    rate = WarmupSchedule(learning_rate, steps, min(warmup_steps, steps), min_ratio=0.1) if warmup_steps else learning_rate
    model.compile(optimizer=keras.optimizers.Adam(rate, clipnorm=1.0), loss=MaskedSmoothedCrossentropy(label_smoothing))
    log = []
    callback = _BleuEarlyStopping(score_fn, patience, time_budget, log)
    model.fit([train[0], train[1]], train[2], validation_data=None if val is None else ([val[0], val[1]], val[2]),
              epochs=epochs, batch_size=batch_size, shuffle=True, callbacks=[callback], verbose=verbose)
    return log
