"""Language models -> .tflite for on-device decoding, with greedy parity against Keras.

LSTM models export their one-token step (token + state in, logits + state out), so the
phone pays one small step per token; transformers export a fixed window `[1, W]`
(logits for every position). Both are builtin ops only and batch 1.
"""

import os

import numpy as np
import tensorflow as tf

from keras_slm import files
from keras_slm.errors import ExportError
from keras_slm.export._convert import QUANTIZE_MODES, convert_saved_model
from keras_slm.export.converter import _save_model
from keras_slm.export.inspection import inspect_tflite
from keras_slm.export.latency import measure_latency
from keras_slm.inference.lm_driver import TFLiteLMDriver
from keras_slm.export.report import ExportReport
from keras_slm.inference.generation import generate_ids
from keras_slm.text import lm_stream


PER_TOKEN = "per-token step, 1"  # latency key: a whole driver step (set, invoke, get), 1 thread


def _signature_model(lm):
    """(Keras model to export, input specs)."""
    if lm.family == "lstm":
        from keras_slm.models.language_models import lstm_step_model

        step = lstm_step_model(lm.model)
        step([np.array([1], np.int32), *step.zero_state()])  # builds it for the export archive
        specs = [tf.TensorSpec([1], tf.int32, name="token")] + [
            tf.TensorSpec([1, units], tf.float32, name=name)
            for name, units in zip(step.state_names, [u for u in step.units for _ in "hc"])
        ]
        return step, specs
    lm.model.output_names = ["logits"]
    return lm.model, [tf.TensorSpec([1, lm.seq_len], tf.int32, name="input_ids")]


def greedy_parity(lm, driver, prompts, max_tokens=20):
    """How many prompts get token-identical greedy continuations from Keras and the file."""
    blocked = lm_stream.blocked_ids(lm.tokenizer)
    identical, diffs, details = 0, [], []
    for prompt in prompts:
        ids = lm.encode(prompt)
        keras_ids = generate_ids(lm.decoder(), ids, max_tokens, blocked_ids=blocked)
        lite_ids = generate_ids(driver.decoder(), ids, max_tokens, blocked_ids=blocked)
        identical += keras_ids == lite_ids
        diffs.append(float(np.max(np.abs(lm.decoder().reset(ids) - driver.decoder().reset(ids)))))
        details.append({"prompt": prompt, "same": keras_ids == lite_ids})
    n = len(prompts)
    return {
        "n": n, "greedy_identical": int(identical), "max_tokens": int(max_tokens),
        # ExportReport's fields: first-step logits difference, share of identical continuations.
        "max_abs_diff": max(diffs) if diffs else 0.0, "argmax_agreement": identical / n if n else 1.0,
        "mismatches": [d["prompt"] for d in details if not d["same"]],
    }


def export_lm(lm, path, quantize="none", prompts=None, max_tokens=20, latency_runs=200, latency_threads=(1,)):
    """Writes `lm` as a .tflite file for on-device decoding and reports on it.

    Args:
        lm: a Keras `LanguageModel`.
        path: the .tflite file to write (atomically).
        quantize: "none", "dynamic" (int8 weights) or "float16".
        prompts: texts whose greedy continuations are compared, Keras vs the file.
        max_tokens: tokens generated per prompt for that comparison.
        latency_runs: timed steps (interpreter `invoke()` and whole driver steps).
        latency_threads: thread counts for `invoke()` timing.

    Returns:
        `ExportReport`; `parity` counts identical greedy continuations, `latency` holds
        per-thread `invoke()` times and `PER_TOKEN` (a whole driver step, 1 thread).

    Example:
    >>> report = export_lm(lm, "lm/model.tflite", prompts=["to be or"])  # doctest: +SKIP
    >>> report.parity["greedy_identical"]  # doctest: +SKIP
    1
    """
    if quantize not in QUANTIZE_MODES or quantize == "int8":
        raise ValueError(f"`quantize` must be 'none', 'dynamic' or 'float16' for language models, received {quantize!r}.")
    if lm.is_tflite:
        raise ExportError("export needs the Keras model (model.keras), not a .tflite file")
    model, specs = _signature_model(lm)
    with files.temp_dir("keras_slm_lm_export_") as tmp:
        _save_model(model, specs, os.path.join(tmp, "saved_model"))
        try:
            data = convert_saved_model(os.path.join(tmp, "saved_model"), quantize=quantize)
        except Exception as e:  # the converter's own message names the op
            raise ExportError(f"TFLite conversion ({quantize}) of the {lm.family} LM failed: {str(e)[:500]}") from None
    info = inspect_tflite(data)
    if not info.android_compatible:
        raise ExportError(f"the {lm.family} LM needs non-builtin ops {info.flex_ops + info.custom_ops}")
    files.write_bytes_atomic(path, data)
    report = ExportReport(
        path=str(path), size_bytes=len(data), quantize=quantize, ops=info.ops, num_subgraphs=info.num_subgraphs,
        unrolled=False, android_compatible=info.android_compatible, inputs=info.inputs, outputs=info.outputs,
    )
    driver = TFLiteLMDriver(data)
    if prompts:
        report.parity = greedy_parity(lm, driver, prompts, max_tokens)
    if latency_runs:
        feed = None
        if driver.mode == "step":  # measure_latency feeds the interpreter's inputs in its own order
            by_name = {"token": np.array([3], np.int32), **dict(zip(driver.state_names, driver.zero_state))}
            order = {d["index"]: n for n, d in driver.runner.get_input_details().items()}
            feed = [by_name[order[d["index"]]] for d in driver.interpreter.get_input_details()]
        report.latency = measure_latency(data, threads=latency_threads, runs=latency_runs, inputs=feed)
        report.latency[PER_TOKEN] = driver.time_per_token(lm.encode(prompts[0] if prompts else ""), tokens=latency_runs)
    return report
