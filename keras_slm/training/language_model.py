"""Training next-token language models on a plain-text file."""

import time

import keras
import numpy as np

from keras_slm import files
from keras_slm.errors import DataError


def read_text(path):
    """The whole of a UTF-8 text file; a `DataError` names the line of a bad byte or an empty file."""
    text = files.read_text(path, "a UTF-8 text file")
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


def windows_or_error(ids, seq_len, source):
    """`lm_windows`, with a text too short for one window reported as a `DataError` naming `source`."""
    try:
        return lm_windows(ids, seq_len)
    except ValueError as e:
        raise DataError(source, None, f"{e}: expected a longer text (or a smaller --seq-len)") from None


class _TimeBudget(keras.callbacks.Callback):
    def __init__(self, seconds):
        super().__init__()
        self.seconds, self.start = seconds, time.time()

    def on_train_batch_end(self, batch, logs=None):
        if time.time() - self.start > self.seconds:
            self.model.stop_training = True


def __getattr__(name):
    # Legacy alias (ARCHITECTURE.md): train_lm moved to the task layer, which this module may not
    # import at load time. Resolved on first use only; .importlinter lists this import.
    if name == "train_lm":
        from keras_slm.tasks import lm_training

        return getattr(lm_training, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
