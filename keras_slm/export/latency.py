"""Latency of a .tflite file: warm-up, many `invoke()` calls, median and p90."""

import time

import numpy as np

from keras_slm.inference.tflite_model import TFLiteModel


def measure_latency(path_or_bytes, threads=(1, 2), runs=200, warmup=20, inputs=None, max_seconds=10.0):
    """Median / p90 milliseconds of one `invoke()` for each thread count.

    Args:
        path_or_bytes: the .tflite file or its bytes.
        threads: thread counts to time.
        runs: timed invocations per thread count (>= 200 for stable percentiles).
        warmup: untimed invocations first.
        inputs: arrays to feed (default: `<START>` followed by token 3s, a realistic id row).
        max_seconds: stop timing a thread count after this long once 20 runs are in (a 100 M
            parameter file at ~250 ms a run would otherwise spend a minute per thread count);
            the result says how many runs it took. None: always `runs`.

    Returns:
        {"1": {"median_ms": .., "p90_ms": .., "runs": ..}, "2": {...}}

    Example:
    >>> measure_latency("model.tflite", threads=(1,))  # doctest: +SKIP
    {'1': {'median_ms': 0.15, 'p90_ms': 0.17, 'runs': 200}}
    """
    result = {}
    for n in threads:
        runner = TFLiteModel(path_or_bytes, num_threads=n)
        if inputs is None:
            feed = []
            for detail in runner.inputs:
                # BERT-style inputs: a mask of ones, segment ids of zeros (3 is out of range).
                fill = 0 if "type_ids" in detail["name"] else 1 if "mask" in detail["name"] else 3
                row = np.full(detail["shape"], fill, dtype=detail["dtype"])
                row.reshape(-1)[0] = 1 if fill == 3 else fill
                feed.append(row)
        else:
            feed = [np.asarray(a) for a in inputs]
        began = time.perf_counter()
        for i in range(max(warmup, 1)):
            runner.invoke(*feed)
            if max_seconds is not None and i >= 1 and time.perf_counter() - began > max_seconds / 4:
                break
        times = []
        began = time.perf_counter()
        for _ in range(runs):
            start = time.perf_counter()
            runner.interpreter.invoke()
            times.append(time.perf_counter() - start)
            if max_seconds is not None and len(times) >= 20 and start - began > max_seconds:
                break
        result[str(n)] = {
            "median_ms": round(float(np.median(times) * 1e3), 4),
            "p90_ms": round(float(np.percentile(times, 90) * 1e3), 4),
            "runs": len(times),
        }
    return result
