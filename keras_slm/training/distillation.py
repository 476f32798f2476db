"""Knowledge distillation: a small student learns from a teacher's temperature-softened scores and the labels.

loss = alpha * CE(labels, student) + (1 - alpha) * T^2 * KL(softmax(t / T) || softmax(s / T))

`t` and `s` are the teacher's and student's logits (log-probabilities when the models end
in a softmax, as keras_slm classifiers do). Two ways to feed the teacher:

- `Distiller(student, teacher=teacher_model)`: the teacher runs on the same inputs every step.
- `Distiller(student)` with `y = (labels, teacher_scores)`: the teacher's scores were computed
  once beforehand (`teacher_targets`), which also works when teacher and student use different
  tokenizers (a WordPiece transformer teaching a word-level BiLSTM) and is much cheaper.

Taggers: pass the emission models (`[batch, length, tags]` logits) with `from_logits=True`,
`sequence=True`; padding (id 0) is left out of both losses.
"""

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="keras_slm")
class Distiller(keras.Model):
    """Trains `student` from soft teacher targets plus hard labels; save `distiller.student`.

    Args:
        student: the Keras model to train (its output: class probabilities, or logits with
            `from_logits=True`).
        teacher: a Keras model on the same inputs, frozen; None when `y` carries the
            teacher's scores as `(labels, teacher_scores)`.
        temperature: softening temperature T (> 0; 2-4 is usual).
        alpha: weight of the hard-label loss (0: soft targets only, 1: labels only).
        from_logits: the student and teacher outputs are logits, not probabilities.
        sequence: per-token outputs `[batch, length, classes]` (taggers); padding (input id 0)
            is masked out.

    Compile with an optimizer and metrics (metrics see the hard labels only):

    Example:
    >>> from keras_slm.models.classifiers import build_classifier
    >>> student = build_classifier("awe", vocab_size=50, num_classes=2)
    >>> distiller = Distiller(student, temperature=2.0, alpha=0.5)
    >>> distiller.compile(keras.optimizers.Adam(1e-3), metrics=["accuracy"])
    >>> x = np.random.randint(3, 50, size=(8, 6)).astype("int32")
    >>> soft = np.full((8, 2), 0.5, "float32")
    >>> _ = distiller.fit(x, (np.zeros(8, "int32"), soft), epochs=1, verbose=0)
    """

    def __init__(self, student, teacher=None, temperature=2.0, alpha=0.5, from_logits=False, sequence=False, **kwargs):
        super().__init__(**kwargs)
        if temperature <= 0:
            raise ValueError(f"`temperature` must be > 0, received {temperature!r}.")
        if not 0 <= alpha <= 1:
            raise ValueError(f"`alpha` must be in [0, 1], received {alpha!r}.")
        self.student = student
        self.teacher = teacher
        if teacher is not None:
            teacher.trainable = False
        self.temperature = float(temperature)
        self.alpha = float(alpha)
        self.from_logits = from_logits
        self.sequence = sequence

    def call(self, inputs, training=False):
        return self.student(inputs, training=training)

    def _split(self, y):
        if isinstance(y, (tuple, list)) and len(y) == 2:
            return y[0], y[1]
        return y, None

    def _log_probs(self, out):
        return ops.log_softmax(out, axis=-1) if self.from_logits else ops.log(ops.clip(out, 1e-7, 1.0))

    def _mask(self, x):
        ids = x[0] if isinstance(x, (list, tuple)) else x
        ids = ids[..., 0] if len(ids.shape) == 3 else ids
        return ops.cast(ops.not_equal(ids, 0), "float32")

    def _mean(self, values, x):
        if not self.sequence:
            return ops.mean(values)
        mask = self._mask(x)
        return ops.sum(values * mask) / ops.maximum(ops.sum(mask), 1.0)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        labels, soft = self._split(y)
        log_p = self._log_probs(y_pred)
        hard = -ops.take_along_axis(log_p, ops.expand_dims(ops.cast(labels, "int32"), -1), axis=-1)[..., 0]
        hard_loss = self._mean(hard, x)
        if soft is None and self.teacher is not None:
            soft = ops.stop_gradient(self.teacher(x, training=False))
        if soft is None:
            return hard_loss  # validation data with labels only
        t = self.temperature
        teacher_log = self._log_probs(ops.cast(soft, y_pred.dtype)) / t
        teacher_p = ops.softmax(teacher_log, axis=-1)
        student_log = ops.log_softmax(log_p / t, axis=-1)
        kl = ops.sum(teacher_p * (ops.log_softmax(teacher_log, axis=-1) - student_log), axis=-1)
        soft_loss = self._mean(kl, x) * t * t
        return self.alpha * hard_loss + (1 - self.alpha) * soft_loss

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        labels, _ = self._split(y)
        return super().compute_metrics(x, labels, y_pred, sample_weight)

    def get_config(self):
        config = super().get_config()
        config.update(
            student=keras.saving.serialize_keras_object(self.student),
            teacher=None if self.teacher is None else keras.saving.serialize_keras_object(self.teacher),
            temperature=self.temperature, alpha=self.alpha, from_logits=self.from_logits, sequence=self.sequence,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["student"] = keras.saving.deserialize_keras_object(config["student"])
        if config.get("teacher") is not None:
            config["teacher"] = keras.saving.deserialize_keras_object(config["teacher"])
        return cls(**config)


def teacher_targets(teacher, inputs, batch_size=64):
    """The teacher's scores on `inputs`, computed once (Keras model, TFLiteModel or `TextClassifier`).

    For a `TextClassifier`, `inputs` are raw texts (the teacher tokenizes them itself).

    Example:
    >>> soft = teacher_targets(TextClassifier.load("runs/teacher"), train.texts)  # doctest: +SKIP
    """
    if hasattr(teacher, "predict_scores"):
        return np.asarray(teacher.predict_scores(list(inputs)), dtype="float32")
    if isinstance(teacher, keras.Model):
        return np.asarray(teacher.predict(inputs, verbose=0, batch_size=batch_size), dtype="float32")
    arrays = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    return np.asarray(teacher.predict(*arrays), dtype="float32")


def tagger_emissions(tagger):
    """The emission-score model (`[batch, length, tags]` logits) of a keras_slm tagger, for `Distiller(sequence=True)`."""
    from keras_slm.models.taggers import EMISSIONS

    return keras.Model(tagger.input, tagger.get_layer(EMISSIONS).output)


def augment_texts(texts, copies=1, seed=0, min_words=4, p_drop=0.1, p_ngram=0.25, max_ngram=5):
    """Perturbed copies of `texts` for the teacher to label (Tang et al., 2019, arXiv:1903.12136).

    Each copy of a text of at least `min_words` words drops every word with probability
    `p_drop` (the paper's [MASK]; a deletion here, so teacher and student read the same text)
    and then, with probability `p_ngram`, keeps only a random n-gram of 1 to `max_ngram` words.
    Copies equal to a given text or to an earlier copy are left out, so fewer than
    `copies * len(texts)` may come back. Words are split on white space: text written without
    spaces (Chinese) gets no copies.

    Example:
    >>> augment_texts(["a gorgeous , witty , seductive movie ."], copies=3, seed=0)
    ['a gorgeous , seductive movie .', 'a gorgeous witty seductive movie .', 'a gorgeous witty , seductive movie .']
    """
    rng = np.random.default_rng(seed)
    seen, out = set(texts), []
    for text in texts:
        words = text.split()
        if len(words) < min_words:
            continue
        for _ in range(copies):
            kept = [w for w in words if rng.random() >= p_drop] or words
            if rng.random() < p_ngram:
                n = int(rng.integers(1, max_ngram + 1))
                start = int(rng.integers(0, max(1, len(kept) - n + 1)))
                kept = kept[start : start + n]
            copy = " ".join(kept)
            if copy not in seen:
                seen.add(copy)
                out.append(copy)
    return out


def __getattr__(name):
    # Legacy alias (ARCHITECTURE.md): distill_classifier moved to the task layer, which this module may not
    # import at load time. Resolved on first use only; .importlinter lists this import.
    if name == "distill_classifier":
        from keras_slm.tasks import classifier_training

        return getattr(classifier_training, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
