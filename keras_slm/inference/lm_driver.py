"""`TFLiteLMDriver`: runs an exported language model (.tflite) token by token, as an app would."""

import time

import numpy as np
from ai_edge_litert.interpreter import Interpreter

from keras_slm.inference.generation import StepDecoder, WindowDecoder

SIGNATURE = "serving_default"


class TFLiteLMDriver:
    """Next-token decoding over a .tflite language model from `keras_slm.export.lm.export_lm`.

    Two file layouts are recognised from the signature:
    - step (LSTM): inputs `token` `[1]` and `h_i`/`c_i` `[1, units]`; outputs `logits`
      `[1, vocab]` and `h_i_out`/`c_i_out`. The app keeps the state between calls.
    - window (transformer): input `input_ids` `[1, W]`; output `logits` `[1, W, vocab]`.

    Args:
        path_or_bytes: the .tflite file or its bytes.
        num_threads: interpreter threads.

    Example:
    >>> driver = TFLiteLMDriver("lm/model.tflite")  # doctest: +SKIP
    >>> generate_ids(driver.decoder(), [1, 20, 5], max_tokens=10)  # doctest: +SKIP
    """

    def __init__(self, path_or_bytes, num_threads=1):
        if isinstance(path_or_bytes, (bytes, bytearray)):
            self.interpreter = Interpreter(model_content=bytes(path_or_bytes), num_threads=num_threads)
        else:
            self.interpreter = Interpreter(model_path=str(path_or_bytes), num_threads=num_threads)
        signatures = self.interpreter.get_signature_list()
        if SIGNATURE not in signatures:
            raise ValueError(f"no {SIGNATURE!r} signature in the file; found {sorted(signatures)}")
        self.runner = self.interpreter.get_signature_runner(SIGNATURE)
        inputs = self.runner.get_input_details()
        if "token" in inputs:
            self.mode = "step"
            self.state_names = sorted((n for n in inputs if n != "token"), key=lambda n: (int(n.split("_")[1]), n[0] != "h"))
            self.zero_state = [np.zeros(inputs[n]["shape"], np.float32) for n in self.state_names]
        elif "input_ids" in inputs:
            self.mode = "window"
            self.window = int(inputs["input_ids"]["shape"][-1])
        else:
            raise ValueError(f"not a keras-slm language model file: inputs {sorted(inputs)}")
        self.vocab_size = int(self.runner.get_output_details()["logits"]["shape"][-1])

    def step(self, token, state):
        """One step: (logits `[vocab]`, new state)."""
        feed = dict(zip(self.state_names, state))
        out = self.runner(token=np.array([token], np.int32), **feed)
        return out["logits"][0], [out[f"{n}_out"] for n in self.state_names]

    def window_logits(self, ids):
        """Logits `[1, W, vocab]` for one padded window `[1, W]`."""
        return self.runner(input_ids=np.asarray(ids, np.int32))["logits"]

    def decoder(self):
        """A decoder for `keras_slm.inference.generation.generate_ids` / `complete_word`."""
        if self.mode == "step":
            return StepDecoder(self.step, self.zero_state)
        return WindowDecoder(self.window_logits, self.window)

    def time_per_token(self, prompt_ids, tokens=100, warmup=10):
        """Median / p90 milliseconds of one decoding step through the driver (greedy feedback)."""
        decoder = self.decoder()
        logits = decoder.reset(prompt_ids)
        times = []
        for i in range(warmup + tokens):
            token = int(np.argmax(logits))
            start = time.perf_counter()
            logits = decoder.step(token)
            if i >= warmup:
                times.append(time.perf_counter() - start)
        times = np.asarray(times)
        return {
            "median_ms": round(float(np.median(times) * 1e3), 4),
            "p90_ms": round(float(np.percentile(times, 90) * 1e3), 4),
            "runs": int(tokens),
        }
