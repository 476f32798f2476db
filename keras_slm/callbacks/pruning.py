"""Magnitude pruning for Keras 3: a polynomial sparsity schedule, applied by a callback.

tensorflow-model-optimization supports Keras 2 only. Here pruning zeroes the smallest
weights in place (no wrapper layers): the callback keeps a 0/1 mask per pruned weight,
raises the sparsity on the schedule and re-applies the masks after every step, so the
optimizer cannot revive pruned weights. `strip_pruning` makes the masks final; the
model is then a plain Keras model that exports as usual, and the zeros compress well
(gzip), which is what a pruned download saves.
"""

import keras
import numpy as np

# Weights pruned by default: dense kernels, embeddings, RNN input/recurrent kernels.
_PRUNABLE = ("kernel", "embeddings", "recurrent_kernel")


def polynomial_sparsity(step, initial_sparsity, final_sparsity, begin_step, end_step, power=3):
    """Target sparsity at `step`: rises from `initial` to `final` as (1 - progress)^power decays.

    Example:
    >>> polynomial_sparsity(0, 0.0, 0.8, 0, 100), polynomial_sparsity(100, 0.0, 0.8, 0, 100)
    (0.0, 0.8)
    """
    if step < begin_step:
        return 0.0
    progress = min(1.0, (step - begin_step) / max(end_step - begin_step, 1))
    return float(final_sparsity + (initial_sparsity - final_sparsity) * (1 - progress) ** power)


def prunable_weights(model, min_size=256):
    """The variables pruning acts on: kernels and embeddings with at least `min_size` entries."""
    chosen = []
    for weight in model.trainable_weights:
        name = weight.path.split("/")[-1]
        if name in _PRUNABLE and int(np.prod(weight.shape)) >= min_size:
            chosen.append(weight)
    return chosen


class MagnitudePruning(keras.callbacks.Callback):
    """Prunes the smallest-magnitude weights to a sparsity that follows a polynomial schedule.

    Args:
        final_sparsity: fraction of each pruned weight set to zero at `end_step` (e.g. 0.8).
        end_step: training step at which the final sparsity is reached.
        begin_step: step at which pruning starts.
        initial_sparsity: sparsity at `begin_step`.
        frequency: recompute masks every N steps (masks are re-applied every step).
        power: schedule exponent (3: prune fast early, slowly near the end).
        min_size: leave weights with fewer entries (biases, small heads) dense.
        model: the Keras model to prune (default: the one being trained).

    Example:
    >>> pruning = MagnitudePruning(final_sparsity=0.5, end_step=200)  # doctest: +SKIP
    >>> model.fit(ds, epochs=3, callbacks=[pruning])  # doctest: +SKIP
    >>> strip_pruning(model); sparsity(model)["overall"]  # doctest: +SKIP
    0.5
    """

    def __init__(self, final_sparsity, end_step, begin_step=0, initial_sparsity=0.0, frequency=10, power=3,
                 min_size=256, model=None):
        super().__init__()
        for name, value in (("final_sparsity", final_sparsity), ("initial_sparsity", initial_sparsity)):
            if not 0 <= value < 1:
                raise ValueError(f"`{name}` must be in [0, 1), received {value!r}.")
        if end_step <= begin_step:
            raise ValueError(f"`end_step` ({end_step}) must be after `begin_step` ({begin_step}).")
        self.final_sparsity = final_sparsity
        self.initial_sparsity = initial_sparsity
        self.begin_step = int(begin_step)
        self.end_step = int(end_step)
        self.frequency = max(int(frequency), 1)
        self.power = power
        self.min_size = min_size
        self.prune_model = model
        self.step = 0
        self.masks = {}
        self.current_sparsity = 0.0

    def on_train_begin(self, logs=None):
        self.weights_ = prunable_weights(self.prune_model or self.model, self.min_size)

    def _update_masks(self):
        target = polynomial_sparsity(self.step, self.initial_sparsity, self.final_sparsity, self.begin_step,
                                     self.end_step, self.power)
        if target <= 0:
            return
        for weight in self.weights_:
            values = np.abs(keras.ops.convert_to_numpy(weight))
            k = int(round(target * values.size))
            if k == 0:
                continue
            threshold = np.partition(values.ravel(), k - 1)[k - 1]
            mask = (values > threshold).astype(values.dtype)
            self.masks[weight.path] = (weight, mask)
        self.current_sparsity = target

    def _apply_masks(self):
        for weight, mask in self.masks.values():
            weight.assign(keras.ops.multiply(weight, mask))

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        if self.step >= self.begin_step and (self.step - self.begin_step) % self.frequency == 0:
            self._update_masks()
        elif self.step >= self.end_step and self.current_sparsity < self.final_sparsity:
            self._update_masks()
        self._apply_masks()

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["sparsity"] = np.float32(sparsity(self.prune_model or self.model, self.weights_)["overall"])

    def on_train_end(self, logs=None):
        self._apply_masks()


def strip_pruning(model, pruning=None):
    """Makes pruning final before export: re-applies the last masks; the model has no pruning state.

    The model is a plain Keras model throughout (masks live in the callback), so this only
    guarantees the exported weights are exactly zero where pruned. Returns `model`.
    """
    if pruning is not None:
        pruning._apply_masks()
        pruning.masks = {}
    return model


def sparsity(model, weights=None):
    """{"overall": zeros / entries over the prunable weights, "per_weight": {path: sparsity}}."""
    weights = prunable_weights(model) if weights is None else weights
    per, zeros, total = {}, 0, 0
    for weight in weights:
        values = keras.ops.convert_to_numpy(weight)
        z = int(np.sum(values == 0))
        per[weight.path] = z / values.size
        zeros, total = zeros + z, total + values.size
    return {"overall": zeros / total if total else 0.0, "per_weight": per}
