"""CRFTrainer: a tagger ending in a CRF trains with compile()/fit() (issue 19.11)."""

import keras
import numpy as np
import pytest

from keras_slm.layers import CRF, CRFTrainer


def _tagger():
    ids = keras.Input((None,), dtype="int32")
    emissions = keras.layers.Dense(3)(keras.layers.Embedding(30, 16, mask_zero=True)(ids))
    return keras.Model(ids, CRF(3)(emissions))


def test_fit_learns_tags_and_transitions():
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).integers(1, 30, (256, 10)).astype("int32")
    x[:, 7:] = 0  # padding at the end
    y = np.where(x > 0, x % 3, 0).astype("int32")
    tagger = _tagger()
    crf = tagger.layers[-1]
    transitions = np.array(crf.transitions)
    trainer = CRFTrainer(tagger)
    trainer.compile(optimizer=keras.optimizers.Adam(0.05))
    history = trainer.fit(x, y, batch_size=32, epochs=15, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] / 5
    assert not np.allclose(np.array(crf.transitions), transitions)  # the CRF trained with the rest
    tags = tagger.predict(x, verbose=0)
    assert np.mean(tags[:, :7] == y[:, :7]) > 0.95 and (tags[:, 7:] == 0).all()


def test_config_round_trip_and_no_crf_error():
    trainer = CRFTrainer(_tagger())
    rebuilt = CRFTrainer.from_config(trainer.get_config())
    assert isinstance(rebuilt.crf, CRF) and rebuilt.emitter.output.shape[-1] == 3
    plain = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="no CRF layer"):
        CRFTrainer(plain)
