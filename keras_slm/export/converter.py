"""Keras -> TFLite for phones: builtin ops only, fixed batch-1 signature, loud failures."""

import functools
import json
import os
import re
import signal
import subprocess
import sys

import keras
import numpy as np
import tensorflow as tf

from keras_slm import files
from keras_slm.errors import ExportError
from keras_slm.export._convert import QUANTIZE_MODES, TRANSFORMER_INT8_OPS, convert_saved_model
from keras_slm.export.compact import compact_tflite
from keras_slm.export.inspection import inspect_tflite
from keras_slm.export.latency import measure_latency
from keras_slm.export.report import ExportReport
from keras_slm.inference.tflite_model import TFLiteModel
from keras_slm.export.unroll import has_rnn, unrolled_copy
from keras_slm.layers.mpnet_block import MPNetBlock

# TF ops a converter error may name, mapped to the advice we give for them.
_ADVICE = [
    (re.compile(r"TensorList"), "an RNN over a dynamic shape: export with a fixed seq_len (we do) "
     "or build the RNN with unroll=True"),
    (re.compile(r"String|Regex|Lookup|HashTable|Ragged"), "string processing inside the model: "
     "tokenize outside the graph (keras_slm tokenizers) and feed token ids"),
    (re.compile(r"StridedSlice"), "`x[..., None]`-style indexing on a dynamic shape: use keras.ops.expand_dims"),
]


def _input_specs(model, seq_len):
    return [
        # [1, seq_len] ids; inputs with more axes (a tagger's [1, seq_len, max_chars]) keep theirs
        tf.TensorSpec([1, seq_len, *t.shape[2:]], tf.int32, name=t.name.split(":")[0]) for t in model.inputs
    ]


def _save_model(model, specs, directory):
    archive = keras.export.ExportArchive()
    archive.track(model)
    fn = functools.partial(model.__call__, training=False)
    names = list(getattr(model, "output_names", None) or [])

    def serve(*args):
        outputs = fn(list(args) if len(args) > 1 else args[0])
        flat = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        if len(names) == len(flat) and len(set(names)) == len(names):
            return dict(zip(names, flat))  # signature outputs named after the Keras outputs
        return outputs

    archive.add_endpoint("serve", serve, input_signature=specs)
    archive.write_out(directory, verbose=False)


def _explain_failure(message, model, quantize):
    """An ExportError naming the TF ops and Keras layers behind a converter failure."""
    ops = sorted(set(re.findall(r"'tf\.([A-Za-z0-9_]+)'", message)) | set(re.findall(r"\btf\.([A-Z][A-Za-z0-9_]+)\(", message)))
    layers = [
        layer for layer in model._flatten_layers(include_self=False)
        if not isinstance(layer, keras.layers.InputLayer)  # input names appear in every signature
    ]
    named = sorted({layer.name for layer in layers if re.search(rf"[/\"]{re.escape(layer.name)}[/\"_]", message)})
    culprits = [f"{name} ({type(model.get_layer(name)).__name__})" if _has_layer(model, name) else name for name in named]
    if not ops:
        first = next((line for line in message.splitlines() if "error" in line.lower()), message.strip()[:300])
        return ExportError(f"TFLite conversion ({quantize}) failed: {first.strip()}")
    advice = sorted({text for pattern, text in _ADVICE for op in ops if pattern.search(op)})
    text = (
        f"the model needs TF op(s) that LiteRT has no builtin kernel for: {', '.join(ops)}"
        + (f"; from layer(s) {', '.join(culprits)}" if culprits else "")
        + ". Android's plain LiteRT runtime cannot run this file. "
        + (f"Likely cause: {'; '.join(advice)}. " if advice else "Replace those ops with builtin-convertible ones. ")
        + "If your app bundles the Flex delegate, pass allow_flex=True (CLI: --allow-flex)."
    )
    return ExportError(text)


def _has_layer(model, name):
    try:
        model.get_layer(name)
        return True
    except ValueError:
        return False


def _die_with_parent():
    """Child-process hook: on Linux, a killed caller takes the converter child with it."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _run_isolated(options, timeout):
    """Runs the conversion in a child process; a native crash becomes an ExportError."""
    with files.temp_dir("keras_slm_convert_") as tmp:
        options_path = os.path.join(tmp, "options.json")
        out_path = os.path.join(tmp, "model.tflite")
        with open(options_path, "w") as f:
            json.dump(options, f)
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "keras_slm.export._convert_worker", options_path, out_path],
                capture_output=True,
                text=True,
                timeout=timeout,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
        except subprocess.TimeoutExpired:
            raise ExportError(f"the TFLite conversion took over {timeout}s and was stopped") from None
        if proc.returncode == 0:
            with open(out_path, "rb") as f:
                return f.read(), None
        if proc.returncode == 3 and "@@CONVERTER_ERROR@@" in proc.stderr:
            return None, proc.stderr.split("@@CONVERTER_ERROR@@", 1)[1]
        if proc.returncode < 0:
            name = signal.Signals(-proc.returncode).name
            raise ExportError(
                f"the TFLite converter crashed ({name}) during {options['quantize']} conversion; "
                "your process and files are intact. For RNNs with int8, keep single_subgraph=True "
                "(unrolled); otherwise try quantize='dynamic'."
            )
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise ExportError(f"the TFLite conversion process failed (exit {proc.returncode}): {tail}")


def _model_outputs(model, arrays):
    out = model.predict(arrays if len(arrays) > 1 else arrays[0], verbose=0, batch_size=64)
    return np.asarray(out[0] if isinstance(out, (list, tuple)) else out)


def _argmax(scores):
    scores = scores.reshape(len(scores), -1)
    if scores.shape[1] == 1:  # a sigmoid head
        return (scores[:, 0] > 0.5).astype(int)
    return scores.argmax(axis=1)


def _as_arrays(data, n_inputs):
    if data is None:
        return None
    arrays = list(data) if isinstance(data, (list, tuple)) else [data]
    if len(arrays) != n_inputs:
        raise ValueError(f"The model has {n_inputs} inputs; received {len(arrays)} arrays.")
    return [np.asarray(a, dtype=np.int32) for a in arrays]


def convert(
    model,
    path,
    *,
    seq_len,
    quantize="none",
    representative_data=None,
    num_calibration_samples=1000,
    int8_io=False,
    float_ops=None,
    int8_ops=None,
    allow_flex=False,
    allow_custom_ops=False,
    single_subgraph=None,
    sample_inputs=None,
    eval_data=None,
    latency_threads=(1, 2),
    latency_runs=200,
    isolate="auto",
    timeout=900,
    float_nodes=None,
):
    """Converts a Keras model to a .tflite file an Android app can run, and reports on it.

    Args:
        model: a Keras model taking int32 token ids (one or more inputs of `[batch, length]`).
        path: where to write the .tflite file (written atomically).
        seq_len: the fixed sequence length of the file's `[1, seq_len]` inputs.
        quantize: "none", "dynamic" (int8 weights), "float16" or "int8" (full integer,
            calibrated on `representative_data`).
        representative_data: int32 ids `[n, seq_len]` (a list for several inputs) of real
            examples for int8 calibration; the first `num_calibration_samples` are used.
        num_calibration_samples: how many calibration rows to use.
        int8_io: with int8, make float outputs int8 too (scale/zero point in the file).
        float_ops: with int8, TFLite op types to keep in float (TensorFlow's selective
            quantization; all weights stay int8), e.g. `TRANSFORMER_FLOAT_OPS`. None: none
            (attention models then take the `int8_ops` path); `()`: none, and attention models
            too get TensorFlow's full-integer file.
        int8_ops: with int8, quantize ONLY these op types (int8 weights and activations) with
            AI Edge Quantizer and keep every other op in float. None: `TRANSFORMER_INT8_OPS`
            (dense layers and embedding tables) for models with attention unless `float_ops`
            is given, else none (TensorFlow's converter quantizes the whole model).
        allow_flex: allow TF (Flex) ops; the app then needs the Flex delegate.
        allow_custom_ops: allow custom ops; the app then needs their kernels.
        single_subgraph: True unrolls RNNs into one subgraph (MediaPipe Tasks needs this);
            None (default) unrolls only for int8, as calibrating WHILE loops crashes the
            converter; False never unrolls (an int8 RNN then fails with an ExportError).
        sample_inputs: real ids to check parity against Keras (default: representative_data).
        eval_data: (ids, labels) to report accuracy of Keras vs the file.
        latency_threads: thread counts to time (empty: skip timing).
        latency_runs: timed runs per thread count (>= 200 recommended).
        isolate: run the conversion in a child process: True, False, or "auto" (int8 only).
        timeout: seconds before an isolated conversion is abandoned.
        float_nodes: int8 only: a regular expression over TFLite op output names (Keras layer
            paths, e.g. ``r"lstm_cell(_\\d+)?/add"``); matching ops stay in float. NER taggers keep
            their LSTM cell state and emissions in float this way (`SequenceTagger.export`).

    Returns:
        `ExportReport`.

    Raises:
        ExportError: the model cannot be converted as asked (names ops and layers).

    Example:
    >>> import numpy as np
    >>> from keras_slm.models import lstm_classifier
    >>> model = lstm_classifier(vocab_size=100, num_classes=2)
    >>> ids = np.random.randint(1, 100, size=(8, 16)).astype("int32")
    >>> report = convert(model, "/tmp/lstm.tflite", seq_len=16, sample_inputs=ids,
    ...                  latency_runs=20)  # doctest: +SKIP
    >>> report.android_compatible  # doctest: +SKIP
    True
    """
    if quantize not in QUANTIZE_MODES:
        raise ValueError(f"`quantize` must be one of {QUANTIZE_MODES}, received {quantize!r}.")
    if not str(path).endswith(".tflite"):
        raise ValueError(f"`path` must end with .tflite, received {path!r}.")
    n_inputs = len(model.inputs)
    representative = _as_arrays(representative_data, n_inputs)
    samples = _as_arrays(sample_inputs, n_inputs) or representative
    if quantize == "int8" and representative is None:
        raise ValueError("quantize='int8' needs `representative_data`: real token ids to calibrate on.")

    if single_subgraph is None:
        single_subgraph = quantize == "int8"
    unrolled = has_rnn(model) and single_subgraph
    export_model = unrolled_copy(model, seq_len) if unrolled else model
    specs = _input_specs(export_model, seq_len)
    names = [spec.name for spec in specs]

    with files.temp_dir("keras_slm_export_") as tmp:
        saved_model_dir = os.path.join(tmp, "saved_model")
        _save_model(export_model, specs, saved_model_dir)
        options = {
            "saved_model_dir": saved_model_dir,
            "quantize": quantize,
            "allow_flex": allow_flex,
            "allow_custom_ops": allow_custom_ops,
            "input_names": names,
            "int8_io": int8_io,
        }
        if quantize == "int8":
            if int8_ops is None:
                int8_ops = TRANSFORMER_INT8_OPS if float_ops is None and has_attention(model) else ()
            float_ops = () if float_ops is None else float_ops
            options["float_ops"] = list(float_ops)
            options["float_nodes"] = float_nodes
            options["int8_ops"] = list(int8_ops)
        if representative is not None and quantize == "int8":
            rep_path = os.path.join(tmp, "representative.npz")
            np.savez(rep_path, **{name: a[:num_calibration_samples] for name, a in zip(names, representative)})
            options["representative_path"] = rep_path
        if isolate is True or (isolate == "auto" and quantize == "int8"):
            data, failure = _run_isolated(options, timeout)
        else:
            try:
                data, failure = convert_saved_model(**options), None
            except Exception as e:  # ConverterError and friends: explained below
                data, failure = None, f"{type(e).__name__}: {e}"
    if failure is not None:
        raise _explain_failure(failure, model, quantize)

    if unrolled:
        data = compact_tflite(data)
    info = inspect_tflite(data)
    if info.flex_ops and not allow_flex:
        raise ExportError(f"conversion produced Flex ops {info.flex_ops} although allow_flex=False")
    if info.custom_ops and not allow_custom_ops:
        raise ExportError(f"conversion produced custom ops {info.custom_ops} although allow_custom_ops=False")
    files.write_bytes_atomic(path, data)

    report = ExportReport(
        path=str(path),
        size_bytes=len(data),
        quantize=quantize,
        ops=info.ops,
        num_subgraphs=info.num_subgraphs,
        unrolled=unrolled,
        android_compatible=info.android_compatible,
        inputs=info.inputs,
        outputs=info.outputs,
        float_ops=list(float_ops) if quantize == "int8" and float_ops else None,
        int8_ops=list(int8_ops) if quantize == "int8" and int8_ops else None,
    )
    can_run = not info.flex_ops and not info.custom_ops
    if can_run:
        runner = TFLiteModel(data)  # one interpreter for the XNNPACK check, parity and the metric
        report.xnnpack = runner.xnnpack
    if samples is not None and can_run and len(model.outputs) == 1:  # several outputs: the caller checks
        report.parity = parity(model, runner, samples)
    if eval_data is not None and can_run:
        report.metric = accuracy_drop(model, runner, _as_arrays(eval_data[0], n_inputs), np.asarray(eval_data[1]))
    if latency_threads and can_run:
        report.latency = measure_latency(data, threads=latency_threads, runs=latency_runs)
    return report


def has_attention(model):
    """True when `model` holds attention layers (their int8 files keep the attention core in float).

    Full-integer attention fails: the padding mask adds -1e9 to the scores, so one int8 scale
    covers both that and the real scores and every real score rounds to the same value (an MPNet
    classifier's int8 file agreed with Keras on 44% of argmaxes before MPNetBlock was counted here).
    """
    attention = (keras.layers.MultiHeadAttention, MPNetBlock)
    return any(isinstance(layer, attention) for layer in model._flatten_layers())


def _runner(tflite):
    return tflite if isinstance(tflite, TFLiteModel) else TFLiteModel(tflite)


def parity(model, tflite, inputs):
    """Max |Keras - TFLite| and argmax agreement on `inputs` (list of `[n, L]` arrays).

    `tflite`: .tflite bytes or path, or a `TFLiteModel`.
    """
    keras_out = _model_outputs(model, inputs)
    lite_out = _runner(tflite).predict(*inputs).reshape(keras_out.shape)
    return {
        "n": int(len(keras_out)),
        "max_abs_diff": float(np.max(np.abs(keras_out - lite_out))),
        "argmax_agreement": float(np.mean(_argmax(keras_out) == _argmax(lite_out))),
    }


def accuracy_drop(model, tflite, inputs, labels):
    """Accuracy of the Keras model and of the TFLite file on labelled data."""
    keras_acc = float(np.mean(_argmax(_model_outputs(model, inputs)) == labels))
    lite_acc = float(np.mean(_argmax(_runner(tflite).predict(*inputs)) == labels))
    return {"name": "accuracy", "keras": keras_acc, "tflite": lite_acc, "drop": keras_acc - lite_acc, "n": int(len(labels))}
