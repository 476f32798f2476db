"""`ExportReport`: what an export produced and how faithful and fast it is."""

import dataclasses
import json


@dataclasses.dataclass
class ExportReport:
    """The result of `keras_slm.export.convert`.

    Attributes:
        path: the written .tflite file.
        size_bytes: its size.
        quantize: "none", "dynamic", "float16" or "int8".
        ops: op histogram over all subgraphs.
        num_subgraphs: 1 for a flat graph; more when RNNs are WHILE loops.
        unrolled: whether RNNs were unrolled for this file.
        android_compatible: builtin ops only.
        inputs / outputs: tensor names, dtypes and shapes.
        parity: {"n", "max_abs_diff", "argmax_agreement"} against Keras on real inputs.
        metric: {"name", "keras", "tflite", "drop", "n"} on the evaluation data, if given.
        latency: {"1": {"median_ms", "p90_ms", "runs"}, "2": {...}}.
        xnnpack: whether LiteRT's default XNNPACK delegate runs the file (None: not run). When
            False, apps must turn XNNPACK off (Interpreter.Options().setUseXNNPACK(false)).
        float_ops: with int8, the op types kept in float (selective quantization).
        int8_ops: with int8, the only op types quantized (AI Edge Quantizer); the rest is float.
        signatures: for files with several signatures (trainable files), each one's input and
            output names (`inspect_tflite`).
        advice: a measured recommendation (e.g. int8 vs dynamic for RNNs, `keras_slm.export.advice`).
    """

    path: str
    size_bytes: int
    quantize: str
    ops: dict
    num_subgraphs: int
    unrolled: bool
    android_compatible: bool
    inputs: list
    outputs: list
    parity: dict = None
    metric: dict = None
    latency: dict = None
    xnnpack: bool = None
    float_ops: list = None
    int8_ops: list = None
    signatures: dict = None
    advice: str = None

    def to_dict(self):
        return dataclasses.asdict(self)

    def to_json(self):
        return json.dumps(self.to_dict(), indent=1, ensure_ascii=False)

    def to_text(self):
        rows = [
            ("file", self.path),
            ("size", f"{self.size_bytes:,} bytes ({self.size_bytes / 2**20:.2f} MiB)"),
            ("quantization", self.quantize + (f" (kept in float: {', '.join(self.float_ops)})" if self.float_ops else "")
             + (f" (int8: {', '.join(self.int8_ops)}; other ops float)" if self.int8_ops else "")),
            ("subgraphs", f"{self.num_subgraphs}{' (RNNs unrolled)' if self.unrolled else ''}"),
            ("Android (builtin ops only)", "yes" if self.android_compatible else "NO"),
            *[(f"signature {key}", f"({', '.join(sig['inputs'])}) -> {', '.join(sig['outputs'])}")
              for key, sig in (self.signatures or {}).items()],
            ("ops", ", ".join(f"{k} x{v}" for k, v in sorted(self.ops.items()))),
        ]
        if self.xnnpack is False:
            rows.append(("XNNPACK delegate", "NO: fails to build; run without it (setUseXNNPACK(false))"))
        if self.parity and "tag_agreement" in self.parity:  # taggers: decoded tag ids, so no |diff| of scores
            p = self.parity
            rows.append(
                ("parity vs Keras", f"tag agreement {p['tag_agreement']:.5f} on {p.get('tokens', '?'):,} tokens"
                 + (f", identical sentences {p['sentence_agreement']:.4f}" if "sentence_agreement" in p else "")
                 + f" ({p['n']} sentences)")
            )
        elif self.parity:
            p = self.parity
            rows.append(
                ("parity vs Keras", f"max |diff| {p['max_abs_diff']:.3g}, argmax agreement "
                 f"{p['argmax_agreement']:.4f} on {p['n']} inputs")
            )
        if self.metric:
            m = self.metric
            rows.append(
                (f"{m['name']} (Keras -> TFLite)", f"{m['keras']:.4f} -> {m['tflite']:.4f} "
                 f"(drop {m['drop'] * 100:+.2f} points, n={m['n']})")
            )
        for threads, t in (self.latency or {}).items():
            rows.append(
                (f"latency {threads} thread(s)", f"median {t['median_ms']:.3f} ms, p90 {t['p90_ms']:.3f} ms ({t['runs']} runs)")
            )
        if self.advice:
            rows.append(("advice", self.advice))
        width = max(len(k) for k, _ in rows)
        return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)

    def __str__(self):
        return self.to_text()
