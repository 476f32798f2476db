"""Layer-wise distillation: layer map, losses (zero for an exact copy, falling with training), head matching."""

import keras
import numpy as np
import pytest

from keras_slm.models.mobilebert_encoder import mobilebert_encoder
from keras_slm.models.transformer_encoder import transformer_encoder
from keras_slm.training.layerwise_distillation import LayerwiseDistiller, match_heads, uniform_layer_map


def _inputs(n=32, length=8, vocab=40, seed=0):
    ids = np.random.default_rng(seed).integers(5, vocab, size=(n, length)).astype(np.int32)
    ids[::2, 5:] = 0
    return [ids, (ids > 0).astype(np.int32), np.zeros_like(ids)]


def _teacher(seed=0):
    keras.utils.set_random_seed(seed)
    teacher = transformer_encoder(40, num_layers=4, hidden_dim=16, num_heads=4, intermediate_dim=32, max_length=8,
                                  dropout=0.0)
    for i in range(4):  # sharper attention than a fresh init, so the attention loss has something to learn
        query = teacher.get_layer(f"transformer_layer_{i}")._self_attention_layer._query_dense.kernel
        query.assign(query * 100.0)
    return teacher


def test_uniform_layer_map():
    assert uniform_layer_map(4, 12) == [3, 6, 9, 12]
    assert uniform_layer_map(4, 6) == [1, 3, 4, 6]
    assert uniform_layer_map(3, 3) == [1, 2, 3]
    with pytest.raises(ValueError, match="1 to 2 blocks"):
        uniform_layer_map(3, 2)


def test_losses_are_zero_for_an_exact_copy_and_positive_otherwise():
    teacher = _teacher()
    copy = keras.models.clone_model(teacher)
    copy.set_weights(teacher.get_weights())
    inputs = _inputs()
    losses = [float(v) for v in LayerwiseDistiller(copy, teacher).layer_losses(inputs)]
    assert losses == pytest.approx([0.0, 0.0, 0.0], abs=1e-6)
    other = transformer_encoder(40, num_layers=2, hidden_dim=8, num_heads=2, intermediate_dim=16, max_length=8)
    distiller = LayerwiseDistiller(other, teacher)
    assert distiller.layer_map == [2, 4] and distiller.hidden_projection is not None
    assert all(float(v) > 1e-3 for v in distiller.layer_losses(inputs))


@pytest.mark.parametrize("student_kind", ["transformer", "mobilebert"])
def test_training_lowers_every_loss(student_kind):
    teacher = _teacher()
    keras.utils.set_random_seed(1)
    if student_kind == "transformer":
        student = transformer_encoder(40, num_layers=2, hidden_dim=8, num_heads=2, intermediate_dim=16, max_length=8,
                                      dropout=0.0)
    else:  # 4 teacher heads onto 2 student heads, 16 -> 8 wide: both bridged
        student = mobilebert_encoder(40, num_layers=2, hidden_dim=8, intra_dim=12, num_heads=2, intermediate_dim=16,
                                     max_length=8, dropout=0.0)
    distiller = LayerwiseDistiller(student, teacher)
    inputs = _inputs()
    before = [float(v) for v in distiller.layer_losses(inputs)]
    distiller.compile(keras.optimizers.Adam(1e-2))
    history = distiller.fit(inputs, epochs=8, batch_size=16, verbose=0).history
    after = [float(v) for v in distiller.layer_losses(inputs)]
    assert all(a < 0.8 * b for a, b in zip(after, before)), (before, after)
    assert set(history) >= {"loss", "embedding_loss", "hidden_loss", "attention_loss"}
    assert history["loss"][-1] < history["loss"][0]
    frozen = [w.copy() for w in teacher.get_weights()]  # the teacher never moves
    distiller.fit(inputs, epochs=1, batch_size=16, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(frozen, teacher.get_weights()))


def test_match_heads_averages_groups():
    rng = np.random.default_rng(0)
    teacher = rng.random((1, 6, 3, 3)).astype("float32")
    student = rng.random((1, 2, 3, 3)).astype("float32")
    s, t = match_heads(student, teacher)
    np.testing.assert_allclose(t, teacher.reshape(1, 2, 3, 3, 3).mean(2), rtol=1e-6)
    s, t = match_heads(rng.random((1, 4, 3, 3)).astype("float32"), teacher)  # neither divides: one averaged map
    assert tuple(s.shape) == tuple(t.shape) == (1, 1, 3, 3)


def test_bad_layer_map_is_named():
    with pytest.raises(ValueError, match="layer_map"):
        LayerwiseDistiller(transformer_encoder(40, num_layers=2, hidden_dim=8, num_heads=2, intermediate_dim=8),
                           _teacher(), layer_map=[1, 5])
