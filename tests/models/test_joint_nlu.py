"""Joint intent / slot graphs: two outputs, save/load round trip, builtin-only TFLite with Keras parity."""

import numpy as np

from keras_slm.export import TFLiteModel, convert
from keras_slm.models.joint_nlu import joint_bilstm_crf, joint_transformer_crf
from keras_slm.models.transformer_encoder import build_encoder
from tests.harness import assert_builtin_only, assert_roundtrip


def _assert_roundtrip(model, inputs, tmp_path):
    assert_roundtrip(model, inputs, tmp_path)
    return model.predict(inputs, verbose=0)


def test_bilstm_crf_with_chars_and_intent_to_slots(tmp_path):
    model = joint_bilstm_crf(50, 4, 7, char_vocab_size=20, max_word_chars=5, embedding_dim=8, char_dim=4,
                             char_filters=4, lstm_units=8, intent_to_slots=True)
    x = np.random.default_rng(0).integers(1, 20, size=(3, 6, 6)).astype("int32")
    x[1, 3:] = 0  # a shorter utterance: padding is tagged 0 ("O")
    probs, tags = _assert_roundtrip(model, x, tmp_path)
    assert probs.shape == (3, 4) and np.allclose(probs.sum(1), 1, atol=1e-5)
    assert tags.shape == (3, 6) and tags.dtype == np.int32 and not tags[1, 3:].any()
    assert model.get_layer("intent_projection") is not None


def test_transformer_exports_two_outputs_builtin_only(tmp_path):
    encoder = build_encoder("tiny_2x128", vocab_size=60, max_length=10)
    model = joint_transformer_crf(encoder, num_intents=3, num_tags=5)
    ids = np.random.default_rng(1).integers(5, 60, size=(4, 10)).astype("int32")
    ids[:, 0], ids[:, 7:] = 2, 0
    inputs = [ids, (ids != 0).astype("int32"), np.zeros_like(ids)]
    probs, tags = _assert_roundtrip(model, inputs, tmp_path)
    path = str(tmp_path / "joint.tflite")
    report = convert(model, path, seq_len=10, latency_threads=())
    assert_builtin_only(path) and report.android_compatible
    lite = TFLiteModel(path)
    for i in range(len(ids)):
        out = lite.invoke(*(a[i : i + 1] for a in inputs))
        got_probs = next(o for o in out if o.dtype == np.float32)
        got_tags = next(o for o in out if o.dtype == np.int32)
        np.testing.assert_allclose(got_probs[0], probs[i], atol=1e-5)
        np.testing.assert_array_equal(got_tags[0], tags[i])
