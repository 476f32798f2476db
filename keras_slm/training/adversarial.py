"""Adversarial training on the embeddings (FGM, Miyato et al., 2017, arXiv:1605.07725).

Each step computes the loss and its gradient, moves every embedding row the batch used by
`epsilon` (L2, per row) in the direction that raises the loss, computes the loss again there,
puts the embeddings back and applies the sum of both gradients. Text inputs are discrete, so
the perturbation is applied to the embedding tables (only the rows in the batch have a
gradient), which works for any graph with `keras.layers.Embedding` layers: our RNN/AWE
classifiers, transformer classifiers (token, position and segment tables) and the taggers.
Costs about twice the compute of a plain step. TensorFlow backend.
"""

import keras
import tensorflow as tf


def embedding_variables(model):
    """The embedding tables of every `keras.layers.Embedding` (and subclass) inside `model`."""
    found, seen = [], set()
    for layer in model._flatten_layers(include_self=True, recursive=True):
        if isinstance(layer, keras.layers.Embedding) and id(layer.embeddings) not in seen:
            seen.add(id(layer.embeddings))
            found.append(layer.embeddings)
    return found


@keras.saving.register_keras_serializable(package="keras_slm")
class AdversarialTrainer(keras.Model):
    """Trains `model` with FGM perturbations of its embedding tables; save `trainer.model`.

    Compile the trainer as you would the model (its loss is used), or wrap a model that
    defines its own `compute_loss` (e.g. `keras_slm.training.tagging.TaggerTrainer`), whose
    loss is then used.

    Args:
        model: a Keras model with at least one `keras.layers.Embedding`.
        epsilon: L2 size of the perturbation of each embedding row used in a batch.
        adversarial_weight: weight of the adversarial loss's gradient (added to the clean one).

    Example:
    >>> import numpy as np
    >>> from keras_slm.models.classifiers import build_classifier
    >>> trainer = AdversarialTrainer(build_classifier("awe", vocab_size=50, num_classes=2), epsilon=0.5)
    >>> trainer.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    >>> x = np.random.randint(3, 50, size=(8, 6)).astype("int32")
    >>> _ = trainer.fit(x, np.zeros(8, "int32"), epochs=1, verbose=0)
    """

    def __init__(self, model, epsilon=0.5, adversarial_weight=1.0, **kwargs):
        super().__init__(**kwargs)
        if epsilon <= 0:
            raise ValueError(f"`epsilon` must be > 0, received {epsilon!r}.")
        self.model = model
        self.epsilon = float(epsilon)
        self.adversarial_weight = float(adversarial_weight)
        self._tables = embedding_variables(model)
        if not self._tables:
            raise ValueError(f"{model.name} has no keras.layers.Embedding to perturb.")
        self._own_loss = type(model).compute_loss is not keras.Model.compute_loss

    def call(self, inputs, training=False):
        return self.model(inputs, training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if self._own_loss:
            return self.model.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=training)
        return super().compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=training)

    def _loss_and_grads(self, x, y, sample_weight, variables):
        sources = [v.value for v in variables]  # the backing tf.Variables (frozen tables too)
        with tf.GradientTape() as tape:
            tape.watch(sources)
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=True)
        grads = tape.gradient(loss, sources)
        return y_pred, loss, [None if g is None else tf.convert_to_tensor(g) for g in grads]

    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        weights = list(self.trainable_weights)
        trained = {id(v) for v in weights}
        variables = weights + [t for t in self._tables if id(t) not in trained]
        y_pred, loss, grads = self._loss_and_grads(x, y, sample_weight, variables)
        self._loss_tracker.update_state(loss, sample_weight=tf.shape(tf.nest.flatten(x)[0])[0])
        index = {id(v): i for i, v in enumerate(variables)}
        deltas = []
        for table in self._tables:
            g = grads[index[id(table)]]
            if g is None:
                continue
            g = tf.stop_gradient(g)
            delta = self.epsilon * tf.math.divide_no_nan(g, tf.norm(g, axis=-1, keepdims=True))
            deltas.append((table, tf.identity(table.value)))  # restored exactly: (w + d) - d != w in floats
            table.assign_add(tf.cast(delta, table.dtype))
        _, _, adv_grads = self._loss_and_grads(x, y, sample_weight, variables)
        for table, original in deltas:
            table.assign(original)
        total = []
        for g, a in zip(grads[: len(weights)], adv_grads[: len(weights)]):
            total.append(g if a is None else a * self.adversarial_weight if g is None else g + self.adversarial_weight * a)
        self.optimizer.apply_gradients([(g, v) for g, v in zip(total, weights) if g is not None])
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def get_config(self):
        config = super().get_config()
        config.update(model=keras.saving.serialize_keras_object(self.model), epsilon=self.epsilon,
                      adversarial_weight=self.adversarial_weight)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["model"] = keras.saving.deserialize_keras_object(config["model"])
        return cls(**config)
