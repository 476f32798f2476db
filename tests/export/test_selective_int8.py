"""int8 transformers: dense layers and embeddings int8, the rest float (TRANSFORMER_INT8_OPS, AI Edge Quantizer, the
default), or TensorFlow's selective int8 keeping the attention core and residual ops in float (TRANSFORMER_FLOAT_OPS)."""

import numpy as np
from ai_edge_litert.interpreter import Interpreter

from keras_slm.export import convert
from keras_slm.export._convert import TRANSFORMER_FLOAT_OPS, TRANSFORMER_INT8_OPS
from keras_slm.models import build_transformer_classifier


def _op_output_types(path):
    interpreter = Interpreter(model_path=str(path))
    tensors = {t["index"]: t for t in interpreter.get_tensor_details()}
    types = {}
    for op in interpreter._get_ops_details():
        types.setdefault(op["op_name"], set()).update(tensors[i]["dtype"].__name__ for i in op["outputs"])
    return types


def test_int8_transformer_keeps_attention_in_float(tmp_path):
    model = build_transformer_classifier("tiny_2x128", vocab_size=300, num_classes=2, max_length=16)
    rng = np.random.default_rng(0)
    ids = rng.integers(5, 300, size=(64, 16)).astype("int32")
    ids[:, 12:] = 0  # padding: the masked positions are what breaks full int8 attention
    ids[:, 0] = 2
    inputs = [ids, (ids != 0).astype("int32"), np.zeros_like(ids)]
    kwargs = dict(seq_len=16, quantize="int8", representative_data=inputs, sample_inputs=inputs, latency_threads=())

    selective = convert(model, tmp_path / "selective.tflite", float_ops=TRANSFORMER_FLOAT_OPS, **kwargs)
    assert selective.float_ops == list(TRANSFORMER_FLOAT_OPS) and selective.int8_ops is None
    assert selective.android_compatible
    types = _op_output_types(tmp_path / "selective.tflite")
    assert types["SOFTMAX"] == {"float32"} and types["BATCH_MATMUL"] == {"float32"} and "int8" not in types["ADD"]
    assert types["FULLY_CONNECTED"] == {"int8"}  # the weights and dense layers stay int8

    full = convert(model, tmp_path / "full.tflite", float_ops=(), **kwargs)
    assert full.float_ops is None
    assert _op_output_types(tmp_path / "full.tflite")["SOFTMAX"] == {"int8"}
    # Same weights (int8 either way), so the files are about the same size ...
    assert abs(selective.size_bytes - full.size_bytes) < 0.1 * full.size_bytes
    # ... but the selective file follows Keras far more closely.
    assert selective.parity["max_abs_diff"] < full.parity["max_abs_diff"]
    assert selective.parity["max_abs_diff"] < 0.05


def test_int8_transformer_default_quantizes_dense_layers_and_embeddings_only(tmp_path):
    model = build_transformer_classifier("tiny_2x128", vocab_size=300, num_classes=2, max_length=16)
    rng = np.random.default_rng(0)
    ids = rng.integers(5, 300, size=(64, 16)).astype("int32")
    ids[:, 12:] = 0
    ids[:, 0] = 2
    inputs = [ids, (ids != 0).astype("int32"), np.zeros_like(ids)]
    kwargs = dict(seq_len=16, representative_data=inputs, sample_inputs=inputs, latency_threads=())

    edge = convert(model, tmp_path / "edge.tflite", quantize="int8", **kwargs)
    assert edge.int8_ops == list(TRANSFORMER_INT8_OPS) and edge.float_ops is None
    assert edge.android_compatible and "int8: FULLY_CONNECTED, GATHER" in edge.to_text()
    types = _op_output_types(tmp_path / "edge.tflite")
    assert types["FULLY_CONNECTED"] == {"int8"} and types["GATHER"] == {"int8"}
    assert types["SOFTMAX"] == {"float32"} and "int8" not in types["ADD"]
    # int8 weights: about the size of the dynamic-range file, a quarter of the float one.
    dynamic = convert(model, tmp_path / "dynamic.tflite", quantize="dynamic", **kwargs)
    assert edge.size_bytes < 1.3 * dynamic.size_bytes
    assert edge.parity["max_abs_diff"] < 0.05 and edge.parity["argmax_agreement"] >= 0.95, edge.parity
