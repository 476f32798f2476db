"""Trainable classifier files: builtin ops only, the in-graph SGD step, save/restore, reset."""

import numpy as np
import pytest

from keras_slm.export import inspect_tflite
from keras_slm.export.ondevice_driver import OnDeviceModel
from keras_slm.export.trainable import SIGNATURES, export_trainable_classifier
from keras_slm.tasks.sentence_embedder import sentence_embedding_model
from keras_slm.models.transformer_encoder import build_encoder

SEQ_LEN = 8
CLASSES = 4


def _batch(rng, labels):
    """Token ids whose range depends on the label (class c uses ids 10+40c .. 49+40c)."""
    ids = np.stack([rng.integers(10 + 40 * c, 50 + 40 * c, SEQ_LEN) for c in labels]).astype(np.int32)
    return {"input_word_ids": ids, "input_mask": np.ones_like(ids), "input_type_ids": np.zeros_like(ids)}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    encoder = build_encoder({"num_layers": 1, "hidden_dim": 32, "num_heads": 2, "intermediate_dim": 64},
                            vocab_size=200, max_length=SEQ_LEN)
    path = tmp_path_factory.mktemp("trainable") / "head.tflite"
    report = export_trainable_classifier(sentence_embedding_model(encoder), path, num_classes=CLASSES,
                                         seq_len=SEQ_LEN, learning_rate=2.0, quantize="dynamic")
    return path, report


def test_file_has_every_signature_and_builtin_ops_only(exported):
    path, report = exported
    info = inspect_tflite(path)
    assert set(SIGNATURES) | {"train_features"} == set(info.signatures) == set(report.signatures)
    assert info.android_compatible and not info.flex_ops and not info.custom_ops
    assert info.signatures["train"]["inputs"] == ["input_mask", "input_type_ids", "input_word_ids", "labels"]
    assert info.signatures["train"]["outputs"] == ["loss"]
    assert "signatures:" in info.to_text() and "train(" in info.to_text()
    assert "FULLY_CONNECTED" in info.ops  # the encoder is folded into (quantized) constants


def test_train_step_is_the_softmax_sgd_step_and_unseen_classes_stay_masked(exported):
    model = OnDeviceModel(exported[0])
    rng = np.random.default_rng(0)
    labels = np.array([0, 1, 2, 0, 1, 2], np.int32)  # class 3 never seen
    batch = _batch(rng, labels)
    before = model.save()
    assert before["active"].tolist() == [0, 0, 0, 0]
    features = model.infer(batch)["features"]
    loss = model.train(batch, labels)
    after = model.save()
    # NumPy reference of one step: dL/dlogits = softmax - onehot over the active classes.
    onehot = np.eye(CLASSES)[labels]
    probs = np.zeros_like(onehot)
    probs[:, :3] = 1.0 / 3  # zero head: uniform over the three active classes
    grad = (probs - onehot) / len(labels)
    np.testing.assert_allclose(after["kernel"], before["kernel"] - 2.0 * features.T @ grad, atol=1e-5)
    np.testing.assert_allclose(after["bias"], before["bias"] - 2.0 * grad.sum(0), atol=1e-6)
    assert loss == pytest.approx(np.log(3), abs=1e-5)
    assert after["active"].tolist() == [1, 1, 1, 0]
    # Twenty more steps through the file, replayed in NumPy on the file's own features.
    kernel, bias = after["kernel"].astype(np.float64), after["bias"].astype(np.float64)
    for _ in range(20):
        step_labels = rng.integers(0, 3, 6).astype(np.int32)
        step = _batch(rng, step_labels)
        f = model.infer(step)["features"].astype(np.float64)
        logits = f @ kernel + bias
        logits[:, 3] = -1e9
        p = np.exp(logits - logits.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        g = (p - np.eye(CLASSES)[step_labels]) / len(step_labels)
        model.train(step, step_labels)
        kernel, bias = kernel - 2.0 * f.T @ g, bias - 2.0 * g.sum(0)
    np.testing.assert_allclose(model.save()["kernel"], kernel, atol=1e-4)
    # The same epochs from cached features (`train_features`) give the same head.
    state = model.save()
    model.fit(batch, labels, epochs=2, batch_size=3, seed=5)
    through_encoder = model.save()["kernel"]
    model.restore(state)
    model.fit(batch, labels, epochs=2, batch_size=3, seed=5, cache_features=True)
    np.testing.assert_allclose(model.save()["kernel"], through_encoder, atol=1e-5)
    scores = model.infer(batch)["scores"]
    assert np.all(scores[:, 3] == 0.0)  # masked out


def test_save_to_a_new_interpreter_restores_bit_identical_outputs_and_reset(exported, tmp_path):
    rng = np.random.default_rng(1)
    model = OnDeviceModel(exported[0])
    labels = np.array([0, 1, 2, 3], np.int32)
    model.fit(_batch(rng, labels), labels, epochs=3, batch_size=4)
    probe = _batch(rng, [0, 1, 2, 3])
    expected = model.infer(probe)["scores"]
    model.save_state(tmp_path / "state.npz")
    fresh = OnDeviceModel(exported[0])
    assert not np.array_equal(fresh.infer(probe)["scores"], expected)
    assert int(fresh.load_state(tmp_path / "state.npz")["num_classes"]) == 4
    assert np.array_equal(fresh.infer(probe)["scores"], expected)
    assert int(fresh.reset()["num_classes"]) == 0
    assert not fresh.save()["kernel"].any()


def test_refining_an_existing_head_starts_from_it(tmp_path):
    encoder = build_encoder({"num_layers": 1, "hidden_dim": 16, "num_heads": 2, "intermediate_dim": 32},
                            vocab_size=100, max_length=SEQ_LEN)
    kernel = np.random.default_rng(2).normal(size=(16, 2)).astype(np.float32)
    path = tmp_path / "refine.tflite"
    export_trainable_classifier(sentence_embedding_model(encoder), path, seq_len=SEQ_LEN, kernel=kernel,
                                bias=np.array([0.5, -0.5], np.float32), quantize="none", l2=0.1)
    model = OnDeviceModel(path)
    state = model.save()
    np.testing.assert_array_equal(state["kernel"], kernel)
    assert state["active"].tolist() == [1, 1]
    ids = np.full((1, SEQ_LEN), 5, np.int32)
    feeds = {"input_word_ids": ids, "input_mask": np.ones_like(ids), "input_type_ids": np.zeros_like(ids)}
    features = model.infer(feeds)["features"]
    logits = features @ kernel + [0.5, -0.5]
    np.testing.assert_allclose(model.infer(feeds)["scores"], np.exp(logits) / np.exp(logits).sum(), atol=1e-5)
    with pytest.raises(ValueError, match="num_classes"):
        export_trainable_classifier(sentence_embedding_model(encoder), tmp_path / "x.tflite", num_classes=1)
