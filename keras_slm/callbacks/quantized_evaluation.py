"""`QuantizedEvaluation`: accuracy of the quantized TFLite file on validation data, logged each N epochs."""

import os

import keras
import numpy as np

from keras_slm import files


class QuantizedEvaluation(keras.callbacks.Callback):
    """Every `every` epochs, converts the model with `quantize` and logs its accuracy and the drop.

    Logs `val_tflite_<quantize>_accuracy` and `val_tflite_<quantize>_drop` (Keras accuracy
    minus TFLite accuracy, in [0, 1]); `self.history` keeps one dict per evaluation.

    Args:
        val_data: (ids, labels) validation inputs (an array, or a list for multi-input models).
        seq_len: fixed sequence length of the file.
        quantize: "dynamic" (default), "int8", "float16" or "none".
        every: evaluate after epochs N, 2N, ...
        representative_data: ids for int8 calibration (default: the validation ids).
        model: the Keras model to convert (default: the one being trained).

    Example:
    >>> cb = QuantizedEvaluation((x_val, y_val), seq_len=64, quantize="int8", every=2)  # doctest: +SKIP
    """

    def __init__(self, val_data, seq_len, quantize="dynamic", every=1, representative_data=None, model=None):
        super().__init__()
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"`every` must be a positive integer, received {every!r}.")
        self.inputs, self.labels = val_data
        self.labels = np.asarray(self.labels)
        self.seq_len = int(seq_len)
        self.quantize = quantize
        self.every = every
        self.representative_data = self.inputs if representative_data is None else representative_data
        self.export_model = model
        self.history = []

    def on_epoch_end(self, epoch, logs=None):
        from keras_slm.export import convert

        if (epoch + 1) % self.every:
            return
        with files.temp_dir("keras_slm_qeval_") as tmp:
            report = convert(
                self.export_model or self.model, os.path.join(tmp, "model.tflite"), seq_len=self.seq_len,
                quantize=self.quantize, representative_data=self.representative_data,
                eval_data=(self.inputs, self.labels), latency_threads=(),
            )
        metric = dict(report.metric, epoch=epoch + 1, size_bytes=report.size_bytes)
        self.history.append(metric)
        if logs is not None:
            logs[f"val_tflite_{self.quantize}_accuracy"] = np.float32(metric["tflite"])
            logs[f"val_tflite_{self.quantize}_drop"] = np.float32(metric["drop"])
