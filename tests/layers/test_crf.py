import itertools
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_slm.export import TFLiteModel
from keras_slm.layers import CRF, TagArgmax
from tests.harness import assert_builtin_only, assert_roundtrip


def numpy_viterbi(scores, transitions, start, end):
    """Reference Viterbi for one unpadded sequence."""
    score, pointers = start + scores[0], []
    for emission in scores[1:]:
        candidates = score[:, None] + transitions
        pointers.append(candidates.argmax(0))
        score = candidates.max(0) + emission
    path = [int((score + end).argmax())]
    for pointer in reversed(pointers):
        path.append(int(pointer[path[-1]]))
    return path[::-1]


def path_score(scores, tags, transitions, start, end):
    return (start[tags[0]] + end[tags[-1]] + sum(scores[t, tag] for t, tag in enumerate(tags))
            + sum(transitions[a, b] for a, b in zip(tags[:-1], tags[1:])))


@pytest.fixture(params=[256, None], ids=["fixed_point", "float"])
def crf(request):
    rng = np.random.default_rng(0)
    layer = CRF(4, decode_scale=request.param)
    layer.build((None, None, 4))
    layer.transitions.assign(rng.normal(size=(4, 4)).astype("float32"))
    layer.start.assign(rng.normal(size=4).astype("float32"))
    layer.end.assign(rng.normal(size=4).astype("float32"))
    return layer


def weights(layer):
    return [np.asarray(w) for w in (layer.transitions, layer.start, layer.end)]


def reference(layer, scores):
    """NumPy Viterbi on what the layer decodes: int32 scores x decode_scale (truncated), or floats."""
    arrays = [scores] + weights(layer)
    if layer.decode_scale:
        arrays = [(np.asarray(a, np.float32) * np.float32(layer.decode_scale)).astype(np.int32) for a in arrays]
    return numpy_viterbi(*arrays)


def batch(n=16, length=11, tags=4, seed=1):
    rng = np.random.default_rng(seed)
    scores = rng.normal(size=(n, length, tags)).astype("float32") * 2
    lengths = rng.integers(1, length + 1, size=n)
    mask = np.arange(length)[None, :] < lengths[:, None]
    return scores, mask, lengths


def test_decode_equals_numpy_viterbi_static_and_dynamic_length(crf):
    scores, mask, lengths = batch()
    static = np.asarray(crf(scores, mask))
    dynamic_fn = tf.function(lambda s, m: crf(s, m), input_signature=[
        tf.TensorSpec([None, None, 4], tf.float32), tf.TensorSpec([None, None], tf.bool)])
    dynamic = dynamic_fn(scores, mask).numpy()
    for i, n in enumerate(lengths):
        expected = reference(crf, scores[i, :n])
        assert static[i, :n].tolist() == expected
        assert dynamic[i, :n].tolist() == expected
        assert not static[i, n:].any() and not dynamic[i, n:].any()


def test_log_likelihood_equals_brute_force(crf):
    scores, mask, lengths = batch(n=6, length=4)
    tags = np.random.default_rng(2).integers(0, 4, size=(6, 4))
    got = np.asarray(crf.log_likelihood(scores, tags, mask))
    trans, start, end = weights(crf)
    for i, n in enumerate(lengths):
        paths = [path_score(scores[i, :n], p, trans, start, end) for p in itertools.product(range(4), repeat=n)]
        expected = path_score(scores[i, :n], tags[i, :n], trans, start, end) - np.logaddexp.reduce(paths)
        assert got[i] == pytest.approx(expected, abs=1e-4)


def test_training_learns_transitions():
    # Tag 1 is always followed by tag 2, whatever the scores say: only the transitions can learn it.
    rng = np.random.default_rng(0)
    tags = np.zeros((256, 6), np.int32)
    starts = rng.integers(0, 5, size=256)
    tags[np.arange(256), starts] = 1
    tags[np.arange(256), starts + 1] = 2
    scores = np.eye(3, dtype="float32")[np.where(tags == 2, 1, tags)] * 3  # tag 2 looks like tag 1
    crf = CRF(3)
    crf.build(scores.shape)
    optimizer = keras.optimizers.Adam(0.2)
    for _ in range(30):
        with tf.GradientTape() as tape:
            loss = crf.loss(scores, tags)
        grads = tape.gradient(loss, crf.trainable_variables)
        optimizer.apply_gradients(zip(grads, crf.trainable_variables))
    assert (np.asarray(crf(scores)) == tags).mean() > 0.99


def test_serialisation_round_trip(tmp_path):
    ids = keras.Input(shape=(None,), dtype="int32", name="input_ids")
    x = keras.layers.Embedding(30, 8, mask_zero=True)(ids)
    x = keras.layers.Dense(5, name="emissions")(x)
    model = keras.Model(ids, CRF(5, name="crf")(x))
    inputs = np.random.default_rng(0).integers(1, 30, size=(4, 9)).astype("int32")
    inputs[1, 5:] = 0
    loaded = assert_roundtrip(model, inputs, tmp_path, atol=0)
    assert loaded.get_layer("crf").get_config()["num_tags"] == 5
    assert loaded.get_layer("crf").decode_scale is None
    assert not np.asarray(loaded.predict(inputs, verbose=0))[1, 5:].any()
    with pytest.raises(ValueError, match="`num_tags` must be a positive integer"):
        CRF(0)
    with pytest.raises(ValueError, match="`decode_scale` must be None or a positive integer"):
        CRF(3, decode_scale=0.5)


@pytest.mark.parametrize("decoder", ["crf", "argmax"])
def test_tflite_decode_is_builtin_and_exact(tmp_path, crf, decoder):
    if decoder == "argmax" and crf.decode_scale is None:
        pytest.skip("argmax does not depend on the CRF's decode_scale")
    length = 32
    scores_in = keras.Input(shape=(length, 4), batch_size=1, name="scores")
    layer = crf if decoder == "crf" else TagArgmax()
    model = keras.Model(scores_in, layer(scores_in))
    path = os.path.join(str(tmp_path), "decode.tflite")
    model.export(path, format="litert", verbose=False, target_spec={"supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS]})
    info = assert_builtin_only(path)
    assert info.num_subgraphs == 1  # a flat loop of builtin ops, no WHILE
    scores, _, _ = batch(n=20, length=length, seed=3)
    got = TFLiteModel(path).predict(scores)
    for i in range(20):
        expected = reference(crf, scores[i]) if decoder == "crf" else scores[i].argmax(-1).tolist()
        assert got[i].tolist() == expected
