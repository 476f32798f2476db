"""Reads a .tflite flatbuffer: tensors, op histogram, and whether Android can run it.

An Android app with the plain LiteRT runtime runs builtin ops only. Flex ops (TF kernels,
custom code `Flex...`) need the ~6 MB Flex delegate, other custom ops need their own
kernels: both are flagged.
"""

import collections
import dataclasses
import json
import os

from ai_edge_litert import schema_py_generated as schema

_BUILTIN_NAMES = {
    value: name for name, value in vars(schema.BuiltinOperator).items() if not name.startswith("_")
}


def _opcode_name(opcode):
    code = max(opcode.deprecatedBuiltinCode, opcode.builtinCode)
    if code == schema.BuiltinOperator.CUSTOM:
        custom = opcode.customCode.decode() if isinstance(opcode.customCode, bytes) else opcode.customCode
        return f"CUSTOM:{custom}"
    return _BUILTIN_NAMES.get(code, f"BUILTIN_{code}")


def _tensor_info(subgraph, index):
    tensor = subgraph.tensors[index]
    name = tensor.name.decode() if isinstance(tensor.name, bytes) else tensor.name
    dtype = {v: k for k, v in vars(schema.TensorType).items() if not k.startswith("_")}[tensor.type]
    shape = [] if tensor.shape is None else [int(d) for d in tensor.shape]
    return {"name": name, "dtype": dtype.lower(), "shape": shape}


@dataclasses.dataclass
class TFLiteInfo:
    """What a .tflite file holds, as `inspect_tflite` reads it."""

    path: str
    size_bytes: int
    inputs: list
    outputs: list
    num_subgraphs: int
    ops: dict
    flex_ops: list
    custom_ops: list
    has_metadata: bool
    signatures: dict = dataclasses.field(default_factory=dict)

    @property
    def android_compatible(self):
        """True when the plain LiteRT runtime (builtin ops only) can run the file."""
        return not self.flex_ops and not self.custom_ops

    @property
    def verdict(self):
        if self.android_compatible:
            return "Android-compatible: builtin ops only (plain LiteRT runtime)"
        parts = []
        if self.flex_ops:
            parts.append(f"needs the Flex delegate for {', '.join(self.flex_ops)}")
        if self.custom_ops:
            parts.append(f"needs custom op kernels for {', '.join(self.custom_ops)}")
        return "NOT Android-compatible with the plain LiteRT runtime: " + "; ".join(parts)

    def to_dict(self):
        out = dataclasses.asdict(self)
        out["android_compatible"] = self.android_compatible
        out["verdict"] = self.verdict
        return out

    def to_json(self):
        return json.dumps(self.to_dict(), indent=1)

    def to_text(self):
        lines = [f"{self.path}  ({self.size_bytes:,} bytes, {self.num_subgraphs} subgraph(s))"]
        for title, tensors in (("inputs", self.inputs), ("outputs", self.outputs)):
            lines.append(f"{title}:")
            lines += [f"  {t['name']:<28} {t['dtype']:<8} {t['shape']}" for t in tensors]
        if len(self.signatures) > 1 or (self.signatures and next(iter(self.signatures)) != "serving_default"):
            lines.append("signatures:")
            for key, sig in self.signatures.items():
                lines.append(f"  {key}({', '.join(sig['inputs'])}) -> {', '.join(sig['outputs'])}")
        lines.append("ops:")
        lines += [f"  {name:<40} {count}" for name, count in sorted(self.ops.items())]
        lines.append(f"metadata: {'yes' if self.has_metadata else 'no'}")
        lines.append(self.verdict)
        return "\n".join(lines)


def op_histogram(model_bytes):
    """Counts of each op over all subgraphs, e.g. {"FULLY_CONNECTED": 1, "WHILE": 1}."""
    model = schema.ModelT.InitFromPackedBuf(bytearray(model_bytes), 0)
    names = [_opcode_name(op) for op in model.operatorCodes]
    counts = collections.Counter()
    for subgraph in model.subgraphs:
        for op in subgraph.operators or []:
            counts[names[op.opcodeIndex]] += 1
    return dict(counts)


def _signatures(model):
    """{signature key: {"inputs": [names], "outputs": [names], "subgraph": index}} in file order."""
    def name(value):
        return value.decode() if isinstance(value, bytes) else value

    return {
        name(sig.signatureKey): {
            "inputs": sorted(name(t.name) for t in sig.inputs or []),
            "outputs": sorted(name(t.name) for t in sig.outputs or []),
            "subgraph": int(sig.subgraphIndex),
        }
        for sig in model.signatureDefs or []
    }


def inspect_tflite(path_or_bytes):
    """Describes a .tflite file (path or bytes) without running it.

    Example:
    >>> info = inspect_tflite("model.tflite")  # doctest: +SKIP
    >>> info.android_compatible  # doctest: +SKIP
    True
    """
    if isinstance(path_or_bytes, (bytes, bytearray)):
        path, data = "<bytes>", bytes(path_or_bytes)
    else:
        path = os.fspath(path_or_bytes)
        with open(path, "rb") as f:
            data = f.read()
    model = schema.ModelT.InitFromPackedBuf(bytearray(data), 0)
    main = model.subgraphs[0]
    ops = op_histogram(data)
    flex = sorted(n[len("CUSTOM:"):] for n in ops if n.startswith("CUSTOM:Flex"))
    custom = sorted(n[len("CUSTOM:"):] for n in ops if n.startswith("CUSTOM:") and not n.startswith("CUSTOM:Flex"))
    metadata_names = [m.name.decode() if isinstance(m.name, bytes) else m.name for m in model.metadata or []]
    return TFLiteInfo(
        path=path,
        size_bytes=len(data),
        inputs=[_tensor_info(main, i) for i in main.inputs],
        outputs=[_tensor_info(main, i) for i in main.outputs],
        num_subgraphs=len(model.subgraphs),
        ops=ops,
        flex_ops=flex,
        custom_ops=custom,
        has_metadata="TFLITE_METADATA" in metadata_names,
        signatures=_signatures(model),
    )
