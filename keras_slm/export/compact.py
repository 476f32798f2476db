"""Shrinks the bookkeeping of an unrolled .tflite file without touching its numbers.

Unrolling an RNN over 64 steps makes thousands of small tensors. Their debug names,
their empty buffers and their (mostly identical) quantization tables can weigh more than
the weights of a small model: for an int8 BiLSTM they were 35% of the file. This drops
intermediate tensor names (inputs and outputs keep theirs), points data-less tensors at
the shared empty buffer, writes each distinct quantization table once, and writes each
distinct intermediate tensor table once (the tensor list may point at one table many times:
tensors are read by index, and unrolled steps make thousands of identical ones).
"""

import flatbuffers
from ai_edge_litert import schema_py_generated as schema


class _Packed:
    """Stands in for an already-written table: `Pack` returns its offset."""

    def __init__(self, offset):
        self.offset = offset

    def Pack(self, builder):  # noqa: N802 (flatbuffers' naming)
        return self.offset


def _quantization_key(q):
    def tup(v):
        return None if v is None else tuple(v.tolist() if hasattr(v, "tolist") else v)

    return (tup(q.scale), tup(q.zeroPoint), tup(q.min), tup(q.max), q.quantizedDimension, q.detailsType)


def _tensor_key(t, quantization_offset):
    def tup(v):
        return None if v is None else tuple(v.tolist() if hasattr(v, "tolist") else v)

    return (tup(t.shape), t.type, t.buffer, quantization_offset, t.hasRank, tup(t.shapeSignature), t.externalBuffer)


def compact_tflite(data):
    """Returns smaller .tflite bytes that compute exactly what `data` computes.

    Example:
    >>> small = compact_tflite(open("model_int8.tflite", "rb").read())  # doctest: +SKIP
    """
    model = schema.ModelT.InitFromPackedBuf(bytearray(data), 0)
    if any(b.offset for b in model.buffers or []):
        return data  # external-buffer (>2 GB) files: leave as they are
    empty = {i for i, b in enumerate(model.buffers) if i > 0 and (b.data is None or len(b.data) == 0)}
    kept = [i for i in range(len(model.buffers)) if i not in empty]
    new_index = {old: new for new, old in enumerate(kept)}
    # Buffers referenced from outside tensors (e.g. metadata) must keep their data and index.
    referenced = {m.buffer for m in model.metadata or []}
    if referenced & empty:
        return data
    builder = flatbuffers.Builder(len(data))
    tables = {}
    for subgraph in model.subgraphs:
        keep_names = set(subgraph.inputs) | set(subgraph.outputs)
        for i, tensor in enumerate(subgraph.tensors):
            if i not in keep_names:
                tensor.name = None
            tensor.buffer = 0 if tensor.buffer in empty else new_index[tensor.buffer]
            q = tensor.quantization
            q_offset = None
            if q is not None:
                key = _quantization_key(q)
                if key not in tables:
                    tables[key] = q.Pack(builder)
                q_offset = tables[key]
                tensor.quantization = _Packed(q_offset)
            shareable = (
                tensor.name is None and tensor.buffer == 0 and not tensor.isVariable
                and tensor.sparsity is None and tensor.variantTensors is None
            )
            if shareable:
                key = ("tensor", _tensor_key(tensor, q_offset))
                if key not in tables:
                    tables[key] = tensor.Pack(builder)
                subgraph.tensors[i] = _Packed(tables[key])
    for m in model.metadata or []:
        m.buffer = new_index[m.buffer]
    model.buffers = [model.buffers[i] for i in kept]
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())
