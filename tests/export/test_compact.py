import numpy as np

from keras_slm.export import TFLiteModel, convert, inspect_tflite
from keras_slm.export.compact import compact_tflite
from keras_slm.models import bilstm_classifier


def test_compact_keeps_outputs_and_io_names_and_shrinks(tmp_path):
    model = bilstm_classifier(vocab_size=300, num_classes=3)
    rng = np.random.default_rng(0)
    ids = rng.integers(3, 300, (40, 24)).astype(np.int32)
    ids[:, 0] = 1
    ids[:20, 12:] = 0
    # An unrolled int8 file, before compaction (compaction is what convert() does next).
    from keras_slm.export.converter import _input_specs, _save_model
    from keras_slm.export._convert import convert_saved_model
    from keras_slm.export.unroll import unrolled_copy

    flat = unrolled_copy(model, 24)
    _save_model(flat, _input_specs(flat, 24), str(tmp_path / "sm"))
    np.savez(tmp_path / "rep.npz", input_ids=ids)
    raw = convert_saved_model(str(tmp_path / "sm"), quantize="int8", representative_path=str(tmp_path / "rep.npz"),
                              input_names=["input_ids"])
    small = compact_tflite(raw)
    assert len(small) < 0.8 * len(raw)
    before, after = inspect_tflite(raw), inspect_tflite(small)
    assert after.inputs == before.inputs and after.outputs == before.outputs and after.ops == before.ops
    np.testing.assert_array_equal(TFLiteModel(small).predict(ids), TFLiteModel(raw).predict(ids))
    # Identical intermediate tensors share one table, but every tensor index still exists.
    from ai_edge_litert import schema_py_generated as schema

    def tensors(data):
        model = schema.Model.GetRootAsModel(bytearray(data), 0)
        graph = model.Subgraphs(0)
        return graph.TensorsLength(), len({graph.Tensors(i)._tab.Pos for i in range(graph.TensorsLength())})

    (n_raw, distinct_raw), (n_small, distinct_small) = tensors(raw), tensors(small)
    assert n_small == n_raw and distinct_raw == n_raw and distinct_small < n_small / 2


def test_convert_compacts_unrolled_files(tmp_path):
    model = bilstm_classifier(vocab_size=300, num_classes=2)
    ids = np.ones((10, 16), np.int32)
    report = convert(model, str(tmp_path / "m.tflite"), seq_len=16, single_subgraph=True, sample_inputs=ids,
                     latency_threads=())
    assert report.unrolled and report.parity["max_abs_diff"] <= 1e-5
    assert "input_ids" in report.inputs[0]["name"]
    from ai_edge_litert.interpreter import Interpreter

    signature = Interpreter(str(tmp_path / "m.tflite")).get_signature_list()["serving_default"]
    assert signature == {"inputs": ["input_ids"], "outputs": ["scores"]}
