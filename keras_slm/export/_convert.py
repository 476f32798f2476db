"""SavedModel -> .tflite bytes with the options keras-slm allows.

Kept free of Keras and of the rest of keras_slm so the isolated worker process
(`_convert_worker`) starts with TensorFlow alone.
"""

import numpy as np
import tensorflow as tf

QUANTIZE_MODES = ("none", "dynamic", "float16", "int8")

# Op types an int8 transformer keeps in float. Attention masking writes -1e9 into padded
# scores (SELECT_V2) and the quantizer gives the scores' matmul and transposes that range too
# (scale ~4e6: every score rounds to one value); layer norms see MiniLM's outlier dimensions.
# The residual stream and feed-forward activations carry MiniLM's outlier dimensions too, so the
# elementwise ops on them (ADD, MUL, NEG, GELU) stay in float as well; the dense layers
# (FULLY_CONNECTED) and every weight stay int8. MiniLM on 1,000 held-out SST-2 sentences
# (Keras 0.880): full int8 0.701, attention core + layer norms in float 0.843, all of these 0.862
# (benchmarks/int8_float_ops.py).
ATTENTION_FLOAT_OPS = ("SELECT_V2", "SOFTMAX", "BATCH_MATMUL", "TRANSPOSE", "MEAN", "SQUARED_DIFFERENCE", "RSQRT")
TRANSFORMER_FLOAT_OPS = ATTENTION_FLOAT_OPS + ("ADD", "MUL", "NEG", "GELU")

# What an int8 transformer file quantizes by default, with Google's AI Edge Quantizer on the
# float file: the dense layers and the embedding tables (int8 weights, calibrated int8
# activations), every other op in float. Same size and speed as TensorFlow's selective int8
# above, but the dense layers lose far less: MiniLM on 1,000 held-out SST-2 sentences (Keras
# 0.880) 0.875 against 0.862, 22.2 MiB, 11.4 ms at length 128 on 1 thread
# (benchmarks/int8_float_ops.py --sets aeq).
TRANSFORMER_INT8_OPS = ("FULLY_CONNECTED", "GATHER")


def representative_dataset(path, input_names):
    """A generator over the rows saved in `path` (.npz, one array per input name)."""
    with np.load(path) as npz:  # read once: indexing an NpzFile re-reads the array from the file
        arrays = {name: npz[name] for name in input_names}
    count = len(arrays[input_names[0]])

    def generate():
        for i in range(count):
            yield {name: arrays[name][i : i + 1] for name in input_names}

    return generate


def convert_saved_model(
    saved_model_dir,
    quantize="none",
    allow_flex=False,
    allow_custom_ops=False,
    representative_path=None,
    input_names=(),
    int8_io=False,
    float_nodes=None,
    float_ops=(),
    int8_ops=(),
):
    """Converts a SavedModel; raises tf's ConverterError as is (the caller explains it).

    `int8_ops` (int8 only): quantize just these op types (static int8 weights and
    activations, calibrated on `representative_path`) with AI Edge Quantizer, on the float
    file; every other op stays float (`TRANSFORMER_INT8_OPS`).

    `float_nodes` (int8 only): a regular expression; ops whose output tensor name matches it
    stay in float (builtin float kernels, DEQUANTIZE / QUANTIZE around them), the rest is
    full int8 (`selective_int8`). `float_ops` (int8 only): op types kept in float the same way
    (e.g. `TRANSFORMER_FLOAT_OPS`); all weights stay int8.
    """
    if quantize == "int8" and int8_ops:
        float_model = convert_saved_model(saved_model_dir, "none", allow_flex, allow_custom_ops, input_names=input_names)
        return int8_with_edge_quantizer(float_model, int8_ops, representative_path, list(input_names))
    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir)
    converter.experimental_enable_resource_variables = True
    builtins = tf.lite.OpsSet.TFLITE_BUILTINS_INT8 if quantize == "int8" else tf.lite.OpsSet.TFLITE_BUILTINS
    ops = [builtins]
    if allow_flex:
        ops.append(tf.lite.OpsSet.SELECT_TF_OPS)
    converter.target_spec.supported_ops = ops
    converter.allow_custom_ops = allow_custom_ops
    if quantize != "none":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if quantize == "float16":
        converter.target_spec.supported_types = [tf.float16]
    if quantize == "int8":
        converter.representative_dataset = representative_dataset(representative_path, list(input_names))
        if int8_io:
            # Only float tensors change type; int32 token-id inputs stay int32.
            converter.inference_input_type = tf.int8
            converter.inference_output_type = tf.int8
        if float_nodes or float_ops:
            return selective_int8(converter, float_nodes, float_ops)
    return converter.convert()


def selective_int8(converter, float_nodes=None, float_ops=()):
    """Full-int8 conversion keeping the ops whose output names match `float_nodes`, or whose
    type is in `float_ops`, in float.

    Calibrates once, then quantizes with those ops on TensorFlow Lite's denylist (the
    mechanism behind `tf.lite.experimental.QuantizationDebugger`). Inputs / outputs stay
    float (or int32).
    """
    import re

    from ai_edge_litert.interpreter import Interpreter
    from tensorflow.lite.python import convert as tf_convert

    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8, tf.lite.OpsSet.TFLITE_BUILTINS]
    converter.experimental_mlir_quantizer = True
    converter._experimental_calibrate_only = True  # pylint: disable=protected-access
    calibrated = converter.convert()
    names = []
    if float_nodes:  # op output names of the calibrated graph that match
        interpreter = Interpreter(model_content=calibrated)
        tensors = {t["index"]: t for t in interpreter.get_tensor_details()}
        pattern = re.compile(float_nodes)
        names = sorted({
            tensors[op["outputs"][0]]["name"] for op in interpreter._get_ops_details()  # pylint: disable=protected-access
            if len(op["outputs"]) and tensors[op["outputs"][0]]["dtype"] == np.float32
            and pattern.search(tensors[op["outputs"][0]]["name"])
        })
    return tf_convert.mlir_quantize(
        calibrated,
        disable_per_channel=converter._experimental_disable_per_channel,  # pylint: disable=protected-access
        fully_quantize=False,
        denylisted_nodes=names,
        denylisted_ops=list(float_ops),
    )


def int8_with_edge_quantizer(float_model, int8_ops, representative_path, input_names):
    """Static int8 (weights and activations) of the `int8_ops` op types of a float .tflite, others float.

    Uses AI Edge Quantizer (`ai-edge-quantizer`, Google's LiteRT quantizer) with its min-max
    calibration over the rows saved in `representative_path`.
    """
    from ai_edge_litert.interpreter import Interpreter
    from ai_edge_quantizer import qtyping, quantizer, recipe_manager

    manager = recipe_manager.RecipeManager()
    for op in int8_ops:
        manager.add_static_config(regex=".*", operation_name=getattr(qtyping.TFLOperationName, op),
                                  activation_num_bits=8, weight_num_bits=8)
    signature = next(iter(Interpreter(model_content=float_model).get_signature_list()))
    rows = list(representative_dataset(representative_path, input_names)())
    edge = quantizer.Quantizer(bytearray(float_model))
    edge.load_quantization_recipe(manager.get_quantization_recipe())
    result = edge.quantize(edge.calibrate({signature: rows}), enable_progress_bar=False, enable_progress_report=False)
    return bytes(result.quantized_model)
