"""`TFLiteExportCallback`: writes a .tflite file whenever the monitored validation metric improves."""

import keras
import numpy as np


class TFLiteExportCallback(keras.callbacks.Callback):
    """Exports the model with `keras_slm.export.convert` at each new best `monitor` value.

    The parity report (max |Keras - TFLite|, argmax agreement) of the last export is kept in
    `self.report` and its numbers are added to the epoch logs as `tflite_max_abs_diff` and
    `tflite_argmax_agreement`.

    Args:
        path: the .tflite file to (over)write.
        seq_len: the file's fixed sequence length.
        monitor: log key to watch (default "val_accuracy"; "val_loss"-like keys minimise).
        mode: "max", "min" or "auto" (min for keys containing "loss").
        quantize: "none", "dynamic", "float16" or "int8".
        sample_inputs: real ids for the parity check (and int8 calibration).
        eval_data: (ids, labels) to report Keras vs TFLite accuracy.
        model: the Keras model to export (default: the one being trained; pass the student
            or tagger when training a wrapper such as `Distiller`).
        **convert_kwargs: more `convert` arguments (e.g. `latency_threads=()`).

    Example:
    >>> cb = TFLiteExportCallback("best.tflite", seq_len=64, sample_inputs=x_val[:100])  # doctest: +SKIP
    >>> model.fit(x, y, validation_data=(x_val, y_val), callbacks=[cb])  # doctest: +SKIP
    >>> cb.report.parity["max_abs_diff"]  # doctest: +SKIP
    """

    def __init__(self, path, seq_len, monitor="val_accuracy", mode="auto", quantize="none", sample_inputs=None,
                 eval_data=None, model=None, **convert_kwargs):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"`mode` must be 'auto', 'min' or 'max', received {mode!r}.")
        self.path = str(path)
        self.seq_len = int(seq_len)
        self.monitor = monitor
        self.mode = ("min" if "loss" in monitor else "max") if mode == "auto" else mode
        self.quantize = quantize
        self.sample_inputs = sample_inputs
        self.eval_data = eval_data
        self.export_model = model
        self.convert_kwargs = dict(convert_kwargs)
        self.convert_kwargs.setdefault("latency_threads", ())
        self.best = None
        self.best_epoch = None
        self.report = None

    def _improved(self, value):
        if self.best is None:
            return True
        return value < self.best if self.mode == "min" else value > self.best

    def on_epoch_end(self, epoch, logs=None):
        from keras_slm.export import convert

        logs = logs if logs is not None else {}
        if self.monitor not in logs:
            raise KeyError(f"TFLiteExportCallback: {self.monitor!r} is not in the logs ({sorted(logs)}); "
                           "pass validation_data to fit or pick another `monitor`.")
        value = float(logs[self.monitor])
        if not self._improved(value):
            return
        self.best, self.best_epoch = value, epoch + 1
        self.report = convert(
            self.export_model or self.model, self.path, seq_len=self.seq_len, quantize=self.quantize,
            sample_inputs=self.sample_inputs, eval_data=self.eval_data, representative_data=self.sample_inputs,
            **self.convert_kwargs,
        )
        if self.report.parity:
            logs["tflite_max_abs_diff"] = np.float32(self.report.parity["max_abs_diff"])
            logs["tflite_argmax_agreement"] = np.float32(self.report.parity["argmax_agreement"])
