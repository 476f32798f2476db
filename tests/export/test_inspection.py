import numpy as np

from keras_slm.export import convert, inspect_tflite, measure_latency, op_histogram
from keras_slm.models import gru_classifier


def test_inspect_reports_io_ops_and_verdict(tmp_path):
    path = str(tmp_path / "gru.tflite")
    convert(gru_classifier(vocab_size=50, num_classes=4), path, seq_len=12, latency_threads=())
    info = inspect_tflite(path)
    assert info.inputs == [{"name": "serving_default_input_ids:0", "dtype": "int32", "shape": [1, 12]}]
    assert info.outputs[0]["shape"] == [1, 4] and info.outputs[0]["dtype"] == "float32"
    assert info.ops["WHILE"] == 1 and info.num_subgraphs == 3
    assert info.ops == op_histogram(open(path, "rb").read())
    assert info.android_compatible and "builtin ops only" in info.to_text()
    assert '"android_compatible": true' in info.to_json()


def test_latency_percentiles(tmp_path):
    path = str(tmp_path / "gru.tflite")
    convert(gru_classifier(vocab_size=50, num_classes=2), path, seq_len=12, latency_threads=())
    result = measure_latency(path, threads=(1, 2), runs=200, warmup=5)
    assert set(result) == {"1", "2"}
    for t in result.values():
        assert t["runs"] == 200 and 0 < t["median_ms"] <= t["p90_ms"]
    ids = np.ones((1, 12), np.int32)
    assert measure_latency(path, threads=(1,), runs=200, inputs=[ids])["1"]["runs"] == 200


def test_latency_stops_at_its_time_budget_with_at_least_20_runs(tmp_path):
    path = str(tmp_path / "gru.tflite")
    convert(gru_classifier(vocab_size=50, num_classes=2), path, seq_len=12, latency_threads=())
    capped = measure_latency(path, threads=(1,), runs=100000, warmup=2, max_seconds=0.0)["1"]
    assert capped["runs"] == 20
    assert measure_latency(path, threads=(1,), runs=50, warmup=2, max_seconds=None)["1"]["runs"] == 50
