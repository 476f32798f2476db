"""SavedModel -> .tflite bytes with the options keras-slm allows.

Kept free of Keras and of the rest of keras_slm so the isolated worker process
(`_convert_worker`) starts with TensorFlow alone.
"""

import numpy as np
import tensorflow as tf

QUANTIZE_MODES = ("none", "dynamic", "float16", "int8")


def representative_dataset(path, input_names):
    """A generator over the rows saved in `path` (.npz, one array per input name)."""
    arrays = np.load(path)
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
):
    """Converts a SavedModel; raises tf's ConverterError as is (the caller explains it)."""
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
    return converter.convert()
