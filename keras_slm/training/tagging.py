"""Training NER taggers: CRF negative log-likelihood or masked softmax loss, best epoch by entity F1."""

import keras
import numpy as np
from keras import ops

from keras_slm.layers import CRF
from keras_slm.models.taggers import EMISSIONS, UNKNOWN_ID, bilstm_tagger, char_tagger

RNN_TAGGERS = ("bilstm_crf", "bilstm", "char_bilstm_crf", "char_bilstm")
TRANSFORMER_TAGGERS = ("transformer_crf", "transformer")
TAGGERS = RNN_TAGGERS + TRANSFORMER_TAGGERS


class TaggerTrainer(keras.Model):
    """Wraps a tagger for `fit`: outputs its emission scores and scores them with the tagger's loss.

    The CRF tagger is trained on the CRF negative log-likelihood (transitions learned with the
    rest); a softmax tagger on token cross-entropy. Padding (id 0) is masked. Shares every
    weight with `tagger`; save the tagger, not this wrapper.
    """

    def __init__(self, tagger, **kwargs):
        super().__init__(**kwargs)
        self.emitter = keras.Model(tagger.input, tagger.get_layer(EMISSIONS).output)
        self.decoder = tagger.layers[-1]

    def call(self, inputs, training=False):
        return self.emitter(inputs, training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if isinstance(x, dict):  # BERT-style inputs: [PAD] = 0 in input_word_ids
            ids = x["input_word_ids"]
        elif isinstance(x, (list, tuple)):
            ids = x[0]
        else:
            ids = x[..., 0] if len(x.shape) == 3 else x
        mask = ops.not_equal(ids, 0)
        if isinstance(self.decoder, CRF):
            return self.decoder.loss(y_pred, y, mask)
        losses = keras.losses.sparse_categorical_crossentropy(y, y_pred, from_logits=True)
        maskf = ops.cast(mask, "float32")
        return ops.sum(losses * maskf) / ops.maximum(ops.sum(maskf), 1.0)


def _batches(x, y, lengths, batch_size, rng, rare=None, unk_replace=0.0, multiple=8):
    """Length-bucketed, shuffled batches, each padded only to its own longest sentence.

    With `unk_replace`, each occurrence of a word seen once in training (`rare[id]`) becomes
    <UNKNOWN> with that probability, so the model learns to tag unseen words from their
    characters and context (Lample et al., 2016).
    """
    order = np.argsort(lengths + rng.uniform(0, 1, len(lengths)), kind="stable")
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(batches)
    for index in batches:
        width = int(min(x.shape[1], -(-max(lengths[index].max(), 1) // multiple) * multiple))
        xb = x[index, :width].copy()
        if unk_replace and rare is not None:
            words = xb[..., 0] if xb.ndim == 3 else xb
            words[rare[words] & (rng.random(words.shape) < unk_replace)] = UNKNOWN_ID
        # y: tag ids [n, length], or (per-row ids [n], tag ids) for joint intent / slot training
        yield xb, ((y[0][index], y[1][index, :width]) if isinstance(y, tuple) else y[index, :width])


def _dataset(x, y, lengths, batch_size, seed, rare=None, unk_replace=0.0, bert=False):
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    spec_x = tf.TensorSpec((None, None) + x.shape[2:], tf.int32)
    data = tf.data.Dataset.from_generator(
        lambda: _batches(x, y, lengths, batch_size, rng, rare, unk_replace),
        output_signature=(spec_x, tf.TensorSpec((None, None), tf.int32)),
    )
    # The batch count is known: Keras then shows a progress bar inside the epoch and does not
    # warn "Your input ran out of data" at its end.
    data = data.apply(tf.data.experimental.assert_cardinality(-(-len(lengths) // batch_size)))
    if bert:  # word-piece ids -> (ids, mask, segment ids), [PAD] = 0
        data = data.map(lambda ids, tags: ((ids, tf.cast(tf.not_equal(ids, 0), tf.int32), tf.zeros_like(ids)), tags))
    return data


def build_tagger(model, num_words, num_tags, num_chars=None, max_word_chars=16, **kwargs):
    """The named tagger ("bilstm_crf", "bilstm", "char_bilstm_crf", "char_bilstm")."""
    if model not in RNN_TAGGERS:
        raise ValueError(f"`model` must be one of {RNN_TAGGERS}, received {model!r}.")
    crf = model.endswith("_crf")
    if model.startswith("char_"):
        return char_tagger(num_words, num_tags, crf=crf, **kwargs)
    return bilstm_tagger(num_words, num_tags, char_vocab_size=num_chars, max_word_chars=max_word_chars, crf=crf, **kwargs)


def __getattr__(name):
    # Legacy alias (ARCHITECTURE.md): train_tagger moved to the task layer, which this module may not
    # import at load time. Resolved on first use only; .importlinter lists this import.
    if name == "train_tagger":
        from keras_slm.tasks import tagger_training

        return getattr(tagger_training, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
