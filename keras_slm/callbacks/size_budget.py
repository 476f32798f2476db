"""`SizeBudget`: warns or stops training when the exported .tflite file is over a size budget."""

import gzip
import os
import warnings

import keras
import numpy as np

from keras_slm import files


class SizeBudget(keras.callbacks.Callback):
    """Exports the model every `every` epochs and compares the file size with `max_bytes`.

    Logs `tflite_size_bytes` (and `tflite_gzip_bytes`, the gzip-compressed size: what a
    pruned model costs to download). Over budget: `action="warn"` warns, `"stop"` also
    sets `model.stop_training`.

    Args:
        max_bytes: the budget in bytes (of the uncompressed file, or the gzipped one with
            `compressed=True`).
        seq_len: fixed sequence length of the file.
        quantize: the mode the app will ship ("none", "dynamic", "float16", "int8").
        action: "warn" or "stop".
        every: check every N epochs (1: each epoch; the size changes only with the architecture
            or with pruning/compression, so a large N is usually enough).
        compressed: compare the gzip-compressed size.
        representative_data: ids for int8 calibration.
        model: the Keras model to convert (default: the one being trained).

    Example:
    >>> cb = SizeBudget(2_000_000, seq_len=64, quantize="dynamic", action="stop")  # doctest: +SKIP
    """

    def __init__(self, max_bytes, seq_len, quantize="dynamic", action="warn", every=1, compressed=False,
                 representative_data=None, model=None):
        super().__init__()
        if action not in ("warn", "stop"):
            raise ValueError(f"`action` must be 'warn' or 'stop', received {action!r}.")
        if not max_bytes or max_bytes <= 0:
            raise ValueError(f"`max_bytes` must be positive, received {max_bytes!r}.")
        self.max_bytes = int(max_bytes)
        self.seq_len = int(seq_len)
        self.quantize = quantize
        self.action = action
        self.every = int(every)
        self.compressed = compressed
        self.representative_data = representative_data
        self.export_model = model
        self.sizes = []
        self.over_budget = False

    def on_epoch_end(self, epoch, logs=None):
        from keras_slm.export import convert

        if (epoch + 1) % self.every:
            return
        with files.temp_dir("keras_slm_size_") as tmp:
            path = os.path.join(tmp, "model.tflite")
            convert(self.export_model or self.model, path, seq_len=self.seq_len, quantize=self.quantize,
                    representative_data=self.representative_data, latency_threads=())
            size, gz = os.path.getsize(path), gzip_size(path)
        self.sizes.append({"epoch": epoch + 1, "size_bytes": size, "gzip_bytes": gz})
        if logs is not None:
            logs["tflite_size_bytes"] = np.float32(size)
            logs["tflite_gzip_bytes"] = np.float32(gz)
        measured = gz if self.compressed else size
        if measured > self.max_bytes:
            self.over_budget = True
            what = "gzip-compressed " if self.compressed else ""
            warnings.warn(f"SizeBudget: the {self.quantize} .tflite file is {measured:,} {what}bytes, over the "
                          f"budget of {self.max_bytes:,} bytes (epoch {epoch + 1})", stacklevel=2)
            if self.action == "stop":
                self.model.stop_training = True


def gzip_size(path_or_bytes):
    """Size in bytes of the gzip-compressed file (level 9): the download size of a pruned model."""
    data = path_or_bytes
    if not isinstance(data, (bytes, bytearray)):
        with open(path_or_bytes, "rb") as f:
            data = f.read()
    return len(gzip.compress(bytes(data), compresslevel=9, mtime=0))
