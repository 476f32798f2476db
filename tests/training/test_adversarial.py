"""FGM adversarial training: the perturbation raises the loss, is undone, and the model still learns."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_slm.models.classifiers import build_classifier
from keras_slm.models.taggers import bilstm_tagger
from keras_slm.training.adversarial import AdversarialTrainer, embedding_variables
from keras_slm.training.tagging import TaggerTrainer


def _data(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(3, 40, size=(n, 8)).astype("int32")
    return x, (x.mean(axis=1) > 21).astype("int32")


def test_wraps_a_crf_tagger_trainer_and_restores_the_embeddings_exactly():
    keras.utils.set_random_seed(0)
    tagger = bilstm_tagger(vocab_size=30, num_tags=3, crf=True, lstm_units=8, embedding_dim=8)
    trainer = AdversarialTrainer(TaggerTrainer(tagger), epsilon=2.0)  # the tagger's own CRF loss
    trainer.compile(keras.optimizers.SGD(0.0))
    x = np.random.default_rng(0).integers(2, 30, size=(16, 6)).astype("int32")
    y = (x % 3).astype("int32")
    before = [w.copy() for w in tagger.get_weights()]
    loss = trainer.train_on_batch(x, y)
    assert np.isfinite(loss) and loss > 0
    # With a zero learning rate nothing may move: the perturbed tables are put back bit for bit.
    assert all(np.array_equal(a, b) for a, b in zip(before, tagger.get_weights()))


def test_the_perturbation_raises_the_loss_and_training_still_learns(tmp_path):
    keras.utils.set_random_seed(0)
    net = build_classifier("awe", 40, 2, embedding_dim=8, hidden_dim=8, dropout=0.0)
    x, y = _data()
    loss = keras.losses.SparseCategoricalCrossentropy()
    (table,) = embedding_variables(net)
    with tf.GradientTape() as tape:
        clean = loss(y, net(x))
    g = tf.convert_to_tensor(tape.gradient(clean, table.value)).numpy()
    delta = 0.5 * g / np.maximum(np.linalg.norm(g, axis=-1, keepdims=True), 1e-12)
    table.assign(table.numpy() + delta)
    assert float(loss(y, net(x))) > float(clean)  # FGM's direction is uphill
    table.assign(table.numpy() - delta)

    trainer = AdversarialTrainer(net, epsilon=0.5)
    trainer.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = trainer.fit(x, y, epochs=10, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
    path = str(tmp_path / "net.keras")
    net.save(path)  # the trained model is the plain net: saved and loaded as usual
    again = keras.saving.load_model(path)
    np.testing.assert_allclose(again.predict(x, verbose=0), net.predict(x, verbose=0), atol=1e-6)


def test_rejects_a_model_without_embeddings_and_a_bad_epsilon():
    dense = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="no keras.layers.Embedding"):
        AdversarialTrainer(dense)
    with pytest.raises(ValueError, match="epsilon"):
        AdversarialTrainer(build_classifier("awe", 40, 2), epsilon=0)
