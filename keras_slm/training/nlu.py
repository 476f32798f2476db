"""Training joint intent / slot models: CRF negative log-likelihood + intent cross-entropy."""

import time

import keras
import numpy as np
from keras import ops

from keras_slm.models.joint_nlu import INTENT, SLOTS
from keras_slm.models.taggers import EMISSIONS
from keras_slm.training.tagging import _batches


class JointTrainer(keras.Model):
    """Wraps a joint model (`keras_slm.models.joint_nlu`) for `fit`: one loss for both heads.

    The loss is the CRF slot negative log-likelihood plus `intent_weight` times the intent
    cross-entropy; targets are `(intent ids [batch], tag ids [batch, length])`. Padding
    (input id 0) is masked. Shares every weight with `network`; save the network.
    """

    def __init__(self, network, intent_weight=1.0, **kwargs):
        super().__init__(**kwargs)
        self.heads = keras.Model(network.inputs, [network.get_layer(INTENT).output,
                                                  network.get_layer(EMISSIONS).output])
        self.crf = network.get_layer(SLOTS)
        self.intent_weight = float(intent_weight)

    def call(self, inputs, training=False):
        return self.heads(inputs, training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        ids = x[0] if isinstance(x, (list, tuple)) else (x[..., 0] if len(x.shape) == 3 else x)
        intents, tags = y
        probabilities, emissions = y_pred
        intent_loss = ops.mean(keras.losses.sparse_categorical_crossentropy(intents, probabilities))
        return self.crf.loss(emissions, tags, ops.not_equal(ids, 0)) + self.intent_weight * intent_loss


def joint_dataset(x, intents, tags, lengths, batch_size, seed, rare=None, unk_replace=0.0, bert=False):
    """Length-bucketed shuffled batches `(ids, (intent ids, tag ids))` (BERT inputs with `bert`)."""
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    spec_x = tf.TensorSpec((None, None) + x.shape[2:], tf.int32)
    data = tf.data.Dataset.from_generator(
        lambda: _batches(x, (np.asarray(intents, np.int32), tags), np.asarray(lengths), batch_size, rng, rare,
                         unk_replace),
        output_signature=(spec_x, (tf.TensorSpec((None,), tf.int32), tf.TensorSpec((None, None), tf.int32))),
    )
    if bert:
        data = data.map(lambda ids, y: ((ids, tf.cast(tf.not_equal(ids, 0), tf.int32), tf.zeros_like(ids)), y))
    return data


def fit_joint(network, data, evaluate, epochs=10, learning_rate=1e-3, patience=3, time_budget=None,
              intent_weight=1.0, key="sentence_accuracy", verbose=1):
    """Trains `network` on `data` (`joint_dataset`); keeps the weights of the best epoch.

    Args:
        network: a joint model (`joint_bilstm_crf`, `joint_transformer_crf`).
        data: a `tf.data.Dataset` of `(inputs, (intent ids, tag ids))`.
        evaluate: callable returning validation metrics (a dict holding `key`) after each epoch.
        epochs, patience, time_budget: early stopping on `key`, and a wall-clock limit (seconds).
        learning_rate: Adam learning rate (gradients clipped to norm 5).
        intent_weight: weight of the intent cross-entropy next to the CRF loss.
        key: the validation metric that picks the best epoch.

    Returns:
        (history, best metrics): per-epoch records; the best epoch's metrics with
        `best_epoch`, `epochs_run` and `wall_time_s`.
    """
    trainer = JointTrainer(network, intent_weight)
    trainer.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=5.0))
    history, best, best_weights, waited = [], None, None, 0
    start = time.time()
    for epoch in range(1, epochs + 1):
        t0 = time.time()
        fit = trainer.fit(data, epochs=1, verbose=0)
        metrics = evaluate()
        record = {"epoch": epoch, "loss": float(fit.history["loss"][-1]), "seconds": round(time.time() - t0, 1),
                  **{f"val_{k}": metrics[k] for k in ("intent_accuracy", "slot_f1", "sentence_accuracy")}}
        history.append(record)
        if verbose:
            print(f"epoch {epoch}: loss {record['loss']:.4f}  val intent acc {metrics['intent_accuracy']:.4f}  "
                  f"slot F1 {metrics['slot_f1']:.4f}  sentence acc {metrics['sentence_accuracy']:.4f}  "
                  f"({record['seconds']}s)", flush=True)
        if best is None or metrics[key] > best[key]:
            best, best_weights, waited = dict(metrics, best_epoch=epoch), network.get_weights(), 0
        else:
            waited += 1
        if waited >= patience or (time_budget and time.time() - start > time_budget):
            break
    network.set_weights(best_weights)
    best.update(epochs_run=len(history), wall_time_s=round(time.time() - start, 1))
    return history, best
