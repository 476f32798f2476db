"""Which quantization to ship: int8 against dynamic-range for one model, from their `ExportReport`s."""


def int8_advice(int8, dynamic):
    """One line comparing an int8 file with the dynamic-range file of the same model.

    Full-integer RNN files are unrolled (one copy of the cell per step) and often come out larger,
    slower and XNNPACK-less than dynamic-range files, whose RNNs stay WHILE loops (BiLSTM on SST-2:
    589,400 vs 455,272 bytes, 1.118 vs 0.281 ms). This says so, with both files' measured numbers.

    Args:
        int8: the `ExportReport` of the int8 file.
        dynamic: the `ExportReport` of the dynamic-range file.

    Returns:
        (recommend_dynamic: bool, text).

    Example:
    >>> recommend, text = int8_advice(int8_report, dynamic_report)  # doctest: +SKIP
    >>> text  # doctest: +SKIP
    'int8 589,400 bytes, 1.118 ms, no XNNPACK; dynamic 455,272 bytes, 0.281 ms: use --quantize dynamic ...'
    """

    def latency(report):
        one = (report.latency or {}).get("1") or (report.latency or {}).get(1)
        return one["median_ms"] if one else None

    def describe(name, report):
        ms = latency(report)
        return (f"{name} {report.size_bytes:,} bytes" + (f", {ms:.3f} ms" if ms is not None else "")
                + (", no XNNPACK" if report.xnnpack is False else ""))

    reasons = []
    if int8.size_bytes > dynamic.size_bytes:
        reasons.append("larger")
    if latency(int8) is not None and latency(dynamic) is not None and latency(int8) > latency(dynamic):
        reasons.append("slower")
    if int8.xnnpack is False and dynamic.xnnpack is not False:
        reasons.append("refused by XNNPACK")
    head = f"{describe('int8', int8)}; {describe('dynamic', dynamic)}"
    if reasons:
        return True, (f"{head}: the int8 file is {' and '.join(reasons)} (its RNNs are unrolled); "
                      "use --quantize dynamic for RNN models")
    return False, f"{head}: int8 is competitive for this model"
