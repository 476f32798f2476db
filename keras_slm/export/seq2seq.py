"""Encoder-decoder models -> one .tflite file with an `encode` and a `decode` signature.

`encode` runs once per sentence (`source_ids [1, S]` -> memory and, for LSTMs, the first
decoder state); `decode` runs once per generated token with all of its state as explicit
inputs and outputs, so the app owns the loop (greedy or beam) exactly as
`keras_slm.inference.seq2seq_decoding` runs it in Python. Builtin ops only, batch 1.

Quantization: "dynamic" (int8 weights), "float16", or "int8": static int8 weights and
activations calibrated by replaying the greedy decoding of real sentences through both
signatures, with the attention core, layer norms and residual arithmetic in float.
"""

import os
import tempfile

import keras
import numpy as np
import tensorflow as tf

from keras_slm.errors import ExportError
from keras_slm.export._convert import QUANTIZE_MODES, TRANSFORMER_FLOAT_OPS, convert_saved_model, selective_int8
from keras_slm.export.inspection import inspect_tflite
from keras_slm.inference.seq2seq_driver import DECODE, ENCODE  # noqa: F401  (the signature names)


def _endpoint(model, names):
    def serve(*args):
        outputs = model(list(args), training=False) if len(args) > 1 else model(args[0], training=False)
        flat = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        return dict(zip(names, flat))

    return serve


def save_steps(steps, directory):
    """Writes a SavedModel with the `encode` and `decode` signatures of `steps`."""
    archive = keras.export.ExportArchive()
    archive.track(steps.encoder)
    archive.track(steps.decoder)
    specs = steps.decoder_specs()
    archive.add_endpoint(ENCODE, _endpoint(steps.encoder, list(steps.encoder.output_names)),
                         input_signature=[tf.TensorSpec([1, steps.source_len], tf.int32, name="source_ids")])
    archive.add_endpoint(DECODE, _endpoint(steps.decoder, list(steps.decoder.output_names)),
                         input_signature=[tf.TensorSpec(shape, dtype, name=name) for name, (shape, dtype) in specs.items()])
    archive.write_out(directory, verbose=False)


def calibration_rows(driver, sources, max_tokens):
    """{signature: [input dicts]} seen while greedy-decoding `sources` (source id rows) with `driver`."""
    from keras_slm.inference.seq2seq_decoding import greedy_decode

    rows = {ENCODE: [], DECODE: []}
    driver.record = rows
    try:
        for source in sources:
            greedy_decode(driver, source, max_tokens)
    finally:
        driver.record = None
    return rows


def _int8(saved_model_dir, calibration):
    """Int8 weights and activations (TensorFlow's calibrating converter over both signatures),
    the attention core and layer norms kept in float (`TRANSFORMER_FLOAT_OPS`: -1e9 padding
    scores would squash every score to one int8 value)."""
    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]

    def rows():
        for signature, feeds in calibration.items():
            for feed in feeds:
                yield signature, feed

    converter.representative_dataset = rows
    return selective_int8(converter, None, TRANSFORMER_FLOAT_OPS)


def convert_steps(steps, quantize="none", calibration=None):
    """The .tflite bytes of `steps` (`LSTMSeq2SeqSteps` / `TransformerSeq2SeqSteps`).

    Args:
        steps: the encoder / decoder-step pair of a trained model.
        quantize: "none", "dynamic", "float16" or "int8".
        calibration: int8 only: `{signature: [input dicts]}` (see `calibration_rows`).

    Raises:
        ExportError: conversion failed, or the file needs non-builtin ops.

    Example:
    >>> from keras_slm.models.seq2seq_lstm import LSTMSeq2SeqSteps, lstm_attention_seq2seq
    >>> data = convert_steps(LSTMSeq2SeqSteps(lstm_attention_seq2seq(30, 20, 6, 7, 8, 8, 8)))  # doctest: +SKIP
    """
    if quantize not in QUANTIZE_MODES:
        raise ValueError(f"`quantize` must be one of {QUANTIZE_MODES}, received {quantize!r}.")
    if quantize == "int8" and not calibration:
        raise ValueError("`quantize='int8'` needs `calibration` rows (see `calibration_rows`).")
    with tempfile.TemporaryDirectory(prefix="keras_slm_seq2seq_") as tmp:
        save_steps(steps, os.path.join(tmp, "saved_model"))
        try:
            if quantize == "int8":
                data = _int8(os.path.join(tmp, "saved_model"), calibration)
            else:
                data = convert_saved_model(os.path.join(tmp, "saved_model"), quantize)
        except Exception as e:  # the converter's own message names the op
            raise ExportError(f"TFLite conversion ({quantize}) of the translation model failed: {str(e)[:500]}") from None
    info = inspect_tflite(data)
    if not info.android_compatible:
        raise ExportError(f"the translation model needs non-builtin ops {info.flex_ops + info.custom_ops}")
    return data


def zero_rows(steps):
    """One all-zero input dict per signature (a smoke input for latency timing)."""
    return {
        ENCODE: {"source_ids": np.zeros((1, steps.source_len), np.int32)},
        DECODE: {name: np.zeros(shape, dtype) for name, (shape, dtype) in steps.decoder_specs().items()},
    }
