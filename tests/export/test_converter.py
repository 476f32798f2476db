"""The export matrix: every classifier family x every quantization mode, on real SST-2."""

import os
import subprocess
import sys
import textwrap
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_slm.data import read_classification
from keras_slm.errors import ExportError
from keras_slm.export import QUANTIZE_MODES, TFLiteModel, convert
from keras_slm.models import CLASSIFIERS, TextClassifier
from keras_slm.training import train_classifier
from tests.harness import assert_builtin_only, assert_tflite_parity

SEQ_LEN = 32


@pytest.fixture(scope="module")
def sst2(sst2_slices):
    train_path, test_path = sst2_slices
    return read_classification(train_path), read_classification(test_path)


@pytest.fixture(scope="module")
def classifiers(sst2):
    """Each family trained briefly on 4,000 SST-2 rows."""
    train, _ = sst2
    out = {}
    for family in sorted(CLASSIFIERS):
        clf, _, _ = train_classifier(train, model=family, seq_len=SEQ_LEN, epochs=2, verbose=0, patience=5)
        out[family] = clf
    return out


@pytest.mark.parametrize("quantize", QUANTIZE_MODES)
@pytest.mark.parametrize("family", sorted(CLASSIFIERS))
def test_export_matrix(classifiers, sst2, family, quantize, tmp_path):
    clf = classifiers[family]
    _, test = sst2
    ids = clf.encode(test.texts)  # 500 real held-out sentences
    path = str(tmp_path / f"{family}_{quantize}.tflite")
    report = convert(
        clf.model, path, seq_len=SEQ_LEN, quantize=quantize, representative_data=clf.encode(sst2[0].texts[:300]),
        sample_inputs=ids, latency_threads=(1,), latency_runs=200,
    )
    info = assert_builtin_only(path)
    assert report.android_compatible and report.size_bytes == os.path.getsize(path)
    assert report.parity["n"] == 500
    assert info.inputs[0]["shape"] == [1, SEQ_LEN] and info.inputs[0]["dtype"] == "int32"
    if quantize == "none":
        assert report.parity["max_abs_diff"] <= 1e-4
        assert_tflite_parity(clf.model, path, ids[:50], atol=1e-4)
    elif quantize == "float16":
        assert report.parity["max_abs_diff"] <= 1e-3
    else:
        # Two epochs on 4,000 rows leave many sentences near 0.5, where int8's rounding flips the
        # argmax either way; what users feel is the accuracy, so the drop is what must stay small.
        assert report.parity["argmax_agreement"] >= 0.95, report.parity
        lite = TextClassifier(TFLiteModel(path), clf.tokenizer, clf.labels, clf.seq_len)
        drop = clf.evaluate(test)["accuracy"] - lite.evaluate(test)["accuracy"]
        assert drop <= 0.01, (drop, report.parity)
    if quantize == "int8" and family != "awe":
        assert report.unrolled and report.num_subgraphs == 1  # no WHILE loop to calibrate
    latency = report.latency["1"]
    assert latency["runs"] == 200 and 0 < latency["median_ms"] <= latency["p90_ms"]


def test_single_subgraph_unrolls_rnn_with_same_outputs(classifiers, sst2, tmp_path):
    clf = classifiers["bilstm"]
    ids = clf.encode(sst2[1].texts[:100])
    report = convert(clf.model, str(tmp_path / "flat.tflite"), seq_len=SEQ_LEN, single_subgraph=True,
                     sample_inputs=ids, latency_threads=())
    assert report.num_subgraphs == 1 and "WHILE" not in report.ops
    assert report.parity["max_abs_diff"] <= 1e-4


def test_int8_io_output_is_int8_and_dequantizes(classifiers, sst2, tmp_path):
    clf = classifiers["awe"]
    ids = clf.encode(sst2[1].texts[:200])
    report = convert(clf.model, str(tmp_path / "io.tflite"), seq_len=SEQ_LEN, quantize="int8", int8_io=True,
                     representative_data=ids, latency_threads=())
    assert report.outputs[0]["dtype"] == "int8" and report.inputs[0]["dtype"] == "int32"
    assert report.parity["argmax_agreement"] >= 0.98


def test_eval_metric_in_report(classifiers, sst2, tmp_path):
    clf = classifiers["lstm"]
    _, test = sst2
    report = clf.export(str(tmp_path / "m.tflite"), quantize="dynamic", sample_texts=test.texts[:100],
                        eval_data=test, latency_threads=())
    m = report.metric
    assert m["n"] == 500 and abs(m["drop"] - (m["keras"] - m["tflite"])) < 1e-9
    assert "accuracy (Keras -> TFLite)" in report.to_text()
    assert '"quantize": "dynamic"' in report.to_json()


@keras.saving.register_keras_serializable(package="tests")
class Determinant(keras.layers.Layer):
    def call(self, x):
        return tf.linalg.det(tf.reshape(x, [-1, 2, 2]))[:, None]


def _odd_model():
    ids = keras.Input(shape=(None,), dtype="int32", name="input_ids")
    x = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(50, 4)(ids))
    x = Determinant(name="determinant")(x)
    return keras.Model(ids, keras.layers.Dense(2, activation="softmax")(x))


def test_unconvertible_layer_error_names_op_and_layer(tmp_path):
    path = tmp_path / "odd.tflite"
    with pytest.raises(ExportError) as info:
        convert(_odd_model(), str(path), seq_len=8, latency_threads=())
    message = str(info.value)
    assert "MatrixDeterminant" in message and "determinant (Determinant)" in message
    assert "allow_flex=True" in message
    assert not path.exists()


def test_allow_flex_is_explicit_and_flagged(tmp_path):
    report = convert(_odd_model(), str(tmp_path / "flex.tflite"), seq_len=8, allow_flex=True, latency_threads=())
    assert not report.android_compatible


def test_argument_errors(classifiers, tmp_path):
    model = classifiers["awe"].model
    with pytest.raises(ValueError, match="quantize"):
        convert(model, str(tmp_path / "a.tflite"), seq_len=8, quantize="int4")
    with pytest.raises(ValueError, match="representative_data"):
        convert(model, str(tmp_path / "a.tflite"), seq_len=8, quantize="int8")
    with pytest.raises(ValueError, match=".tflite"):
        convert(model, str(tmp_path / "a.bin"), seq_len=8)


KILL_SCRIPT = textwrap.dedent(
    """
    import sys
    from keras_slm.models import bilstm_classifier
    from keras_slm.export import convert
    import numpy as np
    model = bilstm_classifier(vocab_size=5000, num_classes=2)
    ids = np.ones((50, 64), np.int32)
    print("converting", flush=True)
    convert(model, sys.argv[1], seq_len=64, quantize="int8", representative_data=ids, latency_runs=2000)
    """
)


@pytest.mark.parametrize("delay", [0.5, 4.0, 9.0])
def test_killed_export_leaves_existing_file_intact(tmp_path, delay):
    target = tmp_path / "model.tflite"
    old = b"previous model bytes"
    target.write_bytes(old)
    script = tmp_path / "export.py"
    script.write_text(KILL_SCRIPT)
    proc = subprocess.Popen([sys.executable, str(script), str(target)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout.readline().strip() == b"converting"
    time.sleep(delay)
    proc.kill()
    proc.wait()
    data = target.read_bytes()
    if data != old:  # the export finished before the kill: then it must be a whole, runnable file
        assert TFLiteModel(str(target)).predict(np.ones((1, 64), np.int32)).shape == (1, 2)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name not in ("model.tflite", "export.py")]
    assert all(name.endswith(".tflite") and name.startswith(".model.tflite.partial-") for name in leftovers)


def test_native_converter_crash_becomes_an_error(classifiers, sst2, tmp_path):
    """Calibrating an LSTM's WHILE loop segfaults TF 2.21's converter; we must survive it.

    If this starts failing because the conversion succeeds, upstream fixed the crash and
    int8 RNNs no longer need unrolling.
    """
    clf = classifiers["lstm"]
    target = tmp_path / "crash.tflite"
    target.write_bytes(b"old")
    with pytest.raises(ExportError, match=r"crashed \(SIG"):
        convert(clf.model, str(target), seq_len=SEQ_LEN, quantize="int8", single_subgraph=False,
                representative_data=clf.encode(sst2[0].texts[:50]), latency_threads=())
    assert target.read_bytes() == b"old"
