"""int8 against dynamic for an RNN, from the two files' measured reports (issue 19.9)."""

import numpy as np

from keras_slm.export import convert
from keras_slm.export.advice import int8_advice
from keras_slm.models import build_classifier


def test_bilstm_int8_is_measured_against_dynamic(tmp_path):
    model = build_classifier("bilstm", 300, 2)
    ids = np.random.default_rng(0).integers(3, 300, size=(64, 24)).astype("int32")
    reports = {mode: convert(model, str(tmp_path / f"{mode}.tflite"), seq_len=24, quantize=mode,
                             representative_data=ids, sample_inputs=ids[:8], latency_threads=(1,), latency_runs=30)
               for mode in ("int8", "dynamic")}
    assert reports["int8"].unrolled and not reports["dynamic"].unrolled
    recommend, text = int8_advice(reports["int8"], reports["dynamic"])
    assert f"int8 {reports['int8'].size_bytes:,} bytes" in text and f"dynamic {reports['dynamic'].size_bytes:,} bytes" in text
    slower = reports["int8"].latency["1"]["median_ms"] > reports["dynamic"].latency["1"]["median_ms"]
    larger = reports["int8"].size_bytes > reports["dynamic"].size_bytes
    assert recommend == (slower or larger or (reports["int8"].xnnpack is False and reports["dynamic"].xnnpack is not False))
    assert ("use --quantize dynamic" in text) == recommend
    reports["int8"].advice = text
    assert "advice" in reports["int8"].to_text() and reports["int8"].to_dict()["advice"] == text
