"""`WarmupSchedule`: linear warm-up, then cosine or linear decay of the learning rate."""

import math

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_slm")
class WarmupSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """Learning rate rising linearly from 0 over `warmup_steps`, then decaying to `min_ratio * peak`.

    Args:
        peak: learning rate at the end of warm-up.
        total_steps: steps of the whole run (warm-up included); after it the rate stays at the floor.
        warmup_steps: warm-up steps (int), or a fraction of `total_steps` if a float < 1.
        decay: "cosine" or "linear".
        min_ratio: floor as a fraction of `peak` (default 0).

    Example:
    >>> schedule = WarmupSchedule(1e-3, total_steps=100, warmup_steps=10)
    >>> [round(float(schedule(s)), 6) for s in (5, 10, 100)]
    [0.0005, 0.001, 0.0]
    >>> optimizer = keras.optimizers.Adam(schedule)
    """

    def __init__(self, peak, total_steps, warmup_steps=0.1, decay="cosine", min_ratio=0.0):
        if decay not in ("cosine", "linear"):
            raise ValueError(f"`decay` must be 'cosine' or 'linear', received {decay!r}.")
        if not isinstance(total_steps, int) or total_steps < 1:
            raise ValueError(f"`total_steps` must be a positive integer, received {total_steps!r}.")
        if isinstance(warmup_steps, float) and warmup_steps < 1:
            warmup_steps = int(round(warmup_steps * total_steps))
        if not 0 <= int(warmup_steps) <= total_steps:
            raise ValueError(f"`warmup_steps` must be in [0, total_steps], received {warmup_steps!r}.")
        self.peak = float(peak)
        self.total_steps = int(total_steps)
        self.warmup_steps = int(warmup_steps)
        self.decay = decay
        self.min_ratio = float(min_ratio)

    def __call__(self, step):
        step = ops.cast(step, "float32")
        warm = float(max(self.warmup_steps, 1))
        warmup = self.peak * step / warm
        span = float(max(self.total_steps - self.warmup_steps, 1))
        progress = ops.clip((step - self.warmup_steps) / span, 0.0, 1.0)
        if self.decay == "cosine":
            shape = 0.5 * (1.0 + ops.cos(math.pi * progress))
        else:
            shape = 1.0 - progress
        floor = self.peak * self.min_ratio
        decayed = floor + (self.peak - floor) * shape
        return ops.where(step < self.warmup_steps, warmup, decayed)

    def get_config(self):
        return {"peak": self.peak, "total_steps": self.total_steps, "warmup_steps": self.warmup_steps,
                "decay": self.decay, "min_ratio": self.min_ratio}
