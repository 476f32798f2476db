"""`CRFTrainer`: train any Keras tagger that ends in a `CRF` with `compile()` / `fit()`."""

import keras
from keras import ops

from keras_slm.layers.crf import CRF


@keras.saving.register_keras_serializable(package="keras_slm")
class CRFTrainer(keras.Model):
    """Wraps a tagger whose output is `CRF(...)(emissions)` so `fit` trains it on the CRF loss.

    The tagger returns decoded tag ids (Viterbi), which no loss can train on; this wrapper
    outputs the emission scores fed to the CRF and scores them with `CRF.loss` (negative
    log-likelihood; transitions learn with the rest). Padding (token id 0 in the first input)
    is masked. It shares every weight with `tagger`: train the wrapper, save and export the tagger.

    Args:
        tagger: a functional `keras.Model` whose last `CRF` layer decodes its emission scores.
        **kwargs: `keras.Model` arguments (name, ...).

    Example:
    >>> import keras, numpy as np
    >>> from keras_slm.layers import CRF, CRFTrainer
    >>> ids = keras.Input((None,), dtype="int32")
    >>> emissions = keras.layers.Dense(3)(keras.layers.Embedding(50, 16, mask_zero=True)(ids))
    >>> tagger = keras.Model(ids, CRF(3)(emissions))
    >>> trainer = CRFTrainer(tagger)
    >>> trainer.compile(optimizer="adam")  # no loss argument: the CRF's own
    >>> x = np.random.randint(1, 50, (64, 8)); y = (x % 3).astype("int32")
    >>> _ = trainer.fit(x, y, epochs=1, verbose=0)
    >>> tagger.predict(x[:1], verbose=0).shape  # decoded tag ids
    (1, 8)
    """

    def __init__(self, tagger, **kwargs):
        super().__init__(**kwargs)
        crfs = [layer for layer in tagger.layers if isinstance(layer, CRF)]
        if not crfs:
            raise ValueError("`tagger` has no CRF layer; CRFTrainer trains taggers ending in `CRF(...)(emissions)`.")
        self.tagger = tagger
        self.crf = crfs[-1]
        emissions = self.crf.input  # the scores the CRF decodes (first of its inputs when it also got a mask)
        emissions = emissions[0] if isinstance(emissions, (list, tuple)) else emissions
        self.emitter = keras.Model(tagger.inputs, emissions)

    def call(self, inputs, training=False):
        return self.emitter(inputs, training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if isinstance(x, dict):  # BERT-style inputs: [PAD] = 0 in input_word_ids
            ids = x.get("input_word_ids", next(iter(x.values())))
        elif isinstance(x, (list, tuple)):
            ids = x[0]
        else:
            ids = x
        if len(ids.shape) == 3:  # word + character features: the word ids come first
            ids = ids[..., 0]
        return self.crf.loss(y_pred, y, ops.not_equal(ids, 0))

    def get_config(self):
        return {**super().get_config(), "tagger": keras.saving.serialize_keras_object(self.tagger)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["tagger"] = keras.saving.deserialize_keras_object(config["tagger"])
        return cls(**config)
