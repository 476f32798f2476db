"""A translation .tflite file driven token by token, as an app would (LiteRT interpreter)."""

import time

import numpy as np
from ai_edge_litert.interpreter import Interpreter

from keras_slm.errors import ModelDirError
from keras_slm.inference.seq2seq_decoding import Seq2SeqDriver

ENCODE, DECODE = "encode", "decode"  # the file's signatures (keras_slm.export.seq2seq writes them)


def tflite_seq2seq_driver(path_or_bytes, num_threads=1):
    """A `Seq2SeqDriver` over the `encode` / `decode` signatures of a file from `convert_steps`.

    The family comes from the decode signature: `token`, `h`, `c` inputs (LSTM) or
    `target_ids`, `index` (transformer).

    Example:
    >>> driver = tflite_seq2seq_driver("zh_en/model.tflite")  # doctest: +SKIP
    >>> greedy_decode(driver, [12, 40, 7], bos_id=2, eos_id=3)  # doctest: +SKIP
    """
    if isinstance(path_or_bytes, (bytes, bytearray)):
        interpreter = Interpreter(model_content=bytes(path_or_bytes), num_threads=num_threads)
        name = "<bytes>"
    else:
        interpreter = Interpreter(model_path=str(path_or_bytes), num_threads=num_threads)
        name = str(path_or_bytes)
    signatures = interpreter.get_signature_list()
    if ENCODE not in signatures or DECODE not in signatures:
        raise ModelDirError(f"{name}: not a translation model file (signatures {sorted(signatures)}, "
                            f"expected {ENCODE!r} and {DECODE!r})")
    encoder, decoder = interpreter.get_signature_runner(ENCODE), interpreter.get_signature_runner(DECODE)
    inputs = decoder.get_input_details()
    family = "lstm" if "token" in inputs else "transformer"
    source_len = int(encoder.get_input_details()["source_ids"]["shape"][-1])
    target_len = int(inputs["target_ids"]["shape"][-1]) if family == "transformer" else None
    driver = Seq2SeqDriver(family, lambda feed: encoder(**feed), lambda feed: decoder(**feed), source_len, target_len)
    driver.interpreter = interpreter
    return driver


def time_per_token(driver, sources, bos_id, eos_id, max_tokens=32):
    """Milliseconds per generated token (decode steps) and per sentence encode, greedy, medians."""
    from keras_slm.inference.seq2seq_decoding import greedy_decode

    steps, encodes = [], []
    encode, decode = driver._encode, driver._decode

    def timed(store, fn):
        def run(feed):
            start = time.perf_counter()
            out = fn(feed)
            store.append(time.perf_counter() - start)
            return out

        return run

    driver._encode, driver._decode = timed(encodes, encode), timed(steps, decode)
    try:
        for source in sources:
            greedy_decode(driver, source, max_tokens, bos_id, eos_id)
    finally:
        driver._encode, driver._decode = encode, decode
    return {"decode_step_median_ms": round(float(np.median(steps)) * 1e3, 4),
            "decode_step_p90_ms": round(float(np.percentile(steps, 90)) * 1e3, 4),
            "encode_median_ms": round(float(np.median(encodes)) * 1e3, 4), "steps": len(steps)}
