"""Runs a .tflite file in the LiteRT interpreter, one example at a time (batch 1)."""

import os
import warnings

import numpy as np

from ai_edge_litert.interpreter import Interpreter, OpResolverType


# The converter does not keep the Keras input order of a multi-input model; BERT-style
# models (keras_slm.models.transformer_*) declare their inputs in this order.
BERT_INPUT_ORDER = ("input_word_ids", "input_mask", "input_type_ids")


def _ordered_inputs(details):
    """Input details in BERT order when the file has BERT-style inputs, else as the file has them."""
    def rank(detail):
        return next((i for i, name in enumerate(BERT_INPUT_ORDER) if name in detail["name"]), None)

    ranks = [rank(d) for d in details]
    if len(details) > 1 and None not in ranks and len(set(ranks)) == len(ranks):
        return [d for _, d in sorted(zip(ranks, details), key=lambda pair: pair[0])]
    return details


class TFLiteModel:
    """A batch-1 .tflite file run like a Keras model: `predict(ids) -> scores`.

    Quantized int8/uint8 outputs are dequantized, so scores are comparable with Keras.

    Args:
        path_or_bytes: the .tflite file or its bytes.
        num_threads: interpreter threads.

    Example:
    >>> runner = TFLiteModel("model.tflite")  # doctest: +SKIP
    >>> runner.predict(ids).shape  # doctest: +SKIP
    (8, 2)
    """

    def __init__(self, path_or_bytes, num_threads=1):
        self.path = None if isinstance(path_or_bytes, (bytes, bytearray)) else str(path_or_bytes)
        self.xnnpack = True
        try:
            self.interpreter = self._interpreter(path_or_bytes, num_threads)
            self.interpreter.allocate_tensors()
        except (RuntimeError, ValueError) as e:
            if "XNNPACK" not in str(e):
                raise self._bad_file(e) from None
            # XNNPACK (LiteRT's default CPU delegate) rejects some int8 graphs, e.g. unrolled
            # BiLSTMs at longer lengths, when it builds its runtime. LiteRT's builtin kernels
            # still run them; an app must then create its interpreter without XNNPACK too.
            warnings.warn(
                f"XNNPACK could not run {self.path or 'this model'}; using LiteRT's builtin kernels "
                "(on Android: Interpreter.Options().setUseXNNPACK(false))."
            )
            self.xnnpack = False
            self.interpreter = self._interpreter(
                path_or_bytes, num_threads, OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
            )
            self.interpreter.allocate_tensors()
        self.inputs = _ordered_inputs(self.interpreter.get_input_details())
        self.outputs = self.interpreter.get_output_details()
        self.seq_len = int(self.inputs[0]["shape"][-1])

    def _bad_file(self, error):
        from keras_slm.errors import ModelDirError

        if self.path is not None and not os.path.isfile(self.path):
            return ModelDirError(f"{self.path}: no such .tflite file")
        reason = " ".join(str(error).split())[:160]
        return ModelDirError(f"{self.path or '<tflite bytes>'}: not a valid TFLite model ({reason}); "
                             "expected a .tflite file written by keras-slm export")

    @staticmethod
    def _interpreter(path_or_bytes, num_threads, resolver=OpResolverType.AUTO):
        if isinstance(path_or_bytes, (bytes, bytearray)):
            return Interpreter(model_content=bytes(path_or_bytes), num_threads=num_threads,
                               experimental_op_resolver_type=resolver)
        return Interpreter(model_path=str(path_or_bytes), num_threads=num_threads,
                           experimental_op_resolver_type=resolver)

    def invoke(self, *arrays):
        """Runs one example; `arrays` are the model inputs, each `[1, seq_len]`."""
        for detail, array in zip(self.inputs, arrays):
            self.interpreter.set_tensor(detail["index"], np.asarray(array, dtype=detail["dtype"]))
        self.interpreter.invoke()
        results = []
        for detail in self.outputs:
            out = self.interpreter.get_tensor(detail["index"])
            scale, zero_point = detail["quantization"]
            if detail["dtype"] in (np.int8, np.uint8) and scale:
                out = (out.astype(np.float32) - zero_point) * scale
            results.append(out)
        return results

    def predict(self, *arrays):
        """Scores for a batch: each of `arrays` is `[n, seq_len]`; returns the first output `[n, ...]`."""
        n = len(arrays[0])
        rows = [self.invoke(*(a[i : i + 1] for a in arrays))[0] for i in range(n)]
        return np.concatenate(rows, axis=0) if rows else np.zeros((0,), np.float32)
