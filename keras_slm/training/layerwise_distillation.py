"""Layer-wise (TinyBERT-style) distillation: a student encoder learns the teacher's embeddings, hidden states and attention.

Jiao et al., 2020 (TinyBERT, arXiv:1909.10351) train a small transformer in two stages:

1. Intermediate layers (`LayerwiseDistiller`): for each student block `m` and its teacher block
   `g(m)` (`uniform_layer_map`: evenly spaced, last to last),
   loss = w_e * MSE(W_e s_emb, t_emb) + w_h * sum_m MSE(W_h s_m, t_g(m)) + w_a * sum_m att(S_m, T_g(m)),
   where `W_e` / `W_h` are learned projections (only when the widths differ; dropped after
   training) and `att` compares attention maps. Our blocks return softmax probabilities, so
   `att` is the KL divergence of each real query token's attention distribution (as MiniLM does;
   TinyBERT's MSE on pre-softmax scores needs scores the blocks do not expose). When the head
   counts differ, the heads of the larger side are averaged in groups (12 teacher heads onto 4
   student heads: groups of 3) or, if neither divides the other, all heads are averaged.
   Run it on unlabelled text (general distillation) and then on the task's texts (plus augmented
   copies: `augment_texts`).
2. Prediction layer: the usual `Distiller` (soft teacher scores at a temperature, plus labels) on
   the student classifier built on the distilled encoder.

Both encoders must read the same token ids (the student uses the teacher's WordPiece vocabulary).
"""

import keras
from keras import ops

from keras_slm.models.transformer_encoder import encoder_blocks, encoder_internals


def uniform_layer_map(student_layers, teacher_layers):
    """Teacher block (1-based) for each student block: `g(m) = floor(m * N / M)`, last onto last.

    Example:
    >>> uniform_layer_map(4, 12), uniform_layer_map(4, 6), uniform_layer_map(2, 2)
    ([3, 6, 9, 12], [1, 3, 4, 6], [1, 2])
    """
    if not 1 <= student_layers <= teacher_layers:
        raise ValueError(f"the student needs 1 to {teacher_layers} blocks (the teacher's), received {student_layers}.")
    return [(m * teacher_layers) // student_layers for m in range(1, student_layers + 1)]


def _group_heads(attention, heads):
    """`[b, h, q, k]` -> `[b, heads, q, k]` by averaging groups of `h // heads` neighbouring heads."""
    b, h, q, k = (ops.shape(attention)[i] for i in range(4))
    if h == heads:
        return attention
    return ops.mean(ops.reshape(attention, (b, heads, h // heads, q, k)), axis=2)


def match_heads(student, teacher):
    """Student and teacher attention maps `[b, h, q, k]` brought to the same number of heads."""
    s, t = int(student.shape[1]), int(teacher.shape[1])
    if s == t:
        return student, teacher
    if t % s == 0:
        return student, _group_heads(teacher, s)
    if s % t == 0:
        return _group_heads(student, t), teacher
    return ops.mean(student, axis=1, keepdims=True), ops.mean(teacher, axis=1, keepdims=True)


def masked_mse(student, teacher, mask):
    """Mean squared difference over the real tokens (`mask` `[b, length]`), averaged over features."""
    per_token = ops.mean(ops.square(student - teacher), axis=-1)
    return ops.sum(per_token * mask) / ops.maximum(ops.sum(mask), 1.0)


def attention_kl(student, teacher, mask, eps=1e-8):
    """KL(teacher || student) of each real query token's attention distribution, averaged over heads and tokens."""
    student, teacher = match_heads(student, teacher)
    kl = ops.sum(teacher * (ops.log(teacher + eps) - ops.log(student + eps)), axis=-1)  # [b, h, q]
    weights = ops.expand_dims(mask, 1)
    heads = ops.cast(ops.shape(kl)[1], "float32")
    return ops.sum(kl * weights) / ops.maximum(ops.sum(weights) * heads, 1.0)


def _width(encoder):
    return int(encoder.output.shape[-1])


class LayerwiseDistiller(keras.Model):
    """Trains `student_encoder` to reproduce `teacher_encoder`'s embeddings, hidden states and attention maps.

    Fit it on BERT inputs alone (`bert_dataset(ids)`: no labels); the loss is the weighted sum of
    the three losses, and `embedding_loss`, `hidden_loss`, `attention_loss` are logged. The
    student encoder (inside any classifier built on it) is what training changes; the
    projections `W_e`, `W_h` exist only while distilling. Not saved itself: save the student.

    Args:
        student_encoder / teacher_encoder: encoders from `transformer_encoder` or
            `mobilebert_encoder` (or a loaded BERT checkpoint) reading the same token ids; the
            teacher is frozen.
        layer_map: teacher block (1-based) for each student block; default `uniform_layer_map`.
        embedding_weight / hidden_weight / attention_weight: loss weights (0 turns one off).

    Example:
    >>> import numpy as np
    >>> from keras_slm.models.transformer_encoder import transformer_encoder
    >>> teacher = transformer_encoder(50, num_layers=2, hidden_dim=16, num_heads=2, intermediate_dim=32)
    >>> student = transformer_encoder(50, num_layers=1, hidden_dim=8, num_heads=2, intermediate_dim=16)
    >>> distiller = LayerwiseDistiller(student, teacher)
    >>> distiller.compile(keras.optimizers.Adam(1e-3))
    >>> ids = np.random.randint(1, 50, size=(8, 6)).astype("int32")
    >>> _ = distiller.fit([ids, np.ones_like(ids), np.zeros_like(ids)], epochs=1, verbose=0)
    """

    def __init__(self, student_encoder, teacher_encoder, layer_map=None, embedding_weight=1.0, hidden_weight=1.0,
                 attention_weight=1.0, **kwargs):
        super().__init__(**kwargs)
        self.student_encoder = student_encoder
        self.teacher_encoder = teacher_encoder
        teacher_encoder.trainable = False
        student_layers, teacher_layers = len(encoder_blocks(student_encoder)), len(encoder_blocks(teacher_encoder))
        self.layer_map = list(layer_map) if layer_map is not None else uniform_layer_map(student_layers, teacher_layers)
        if len(self.layer_map) != student_layers or not all(1 <= g <= teacher_layers for g in self.layer_map):
            raise ValueError(f"`layer_map` needs one teacher block in [1, {teacher_layers}] per student block "
                             f"({student_layers}), received {self.layer_map!r}.")
        self.weights_ = (float(embedding_weight), float(hidden_weight), float(attention_weight))
        self._student_run = encoder_internals(student_encoder)
        self._teacher_run = encoder_internals(teacher_encoder)
        same = _width(student_encoder) == _width(teacher_encoder)
        init = keras.initializers.TruncatedNormal(stddev=0.02)
        # Learned projections W_e, W_h (TinyBERT): only when the widths differ, so an identical student scores 0.
        self.embedding_projection = None if same else keras.layers.Dense(_width(teacher_encoder), kernel_initializer=init,
                                                                         name="embedding_projection")
        self.hidden_projection = None if same else keras.layers.Dense(_width(teacher_encoder), kernel_initializer=init,
                                                                      name="hidden_projection")
        self.trackers = {name: keras.metrics.Mean(name=name) for name in ("embedding_loss", "hidden_loss", "attention_loss")}

    def call(self, inputs, training=False):
        out = self._student_run(list(inputs), training=training)
        if self.embedding_projection is not None:
            out = {"hidden": [self.embedding_projection(out["hidden"][0])]
                   + [self.hidden_projection(h) for h in out["hidden"][1:]], "attention": out["attention"]}
        return out

    def layer_losses(self, inputs, student_out=None, training=False):
        """(embedding, hidden, attention) losses of the student on `inputs` (list of the three BERT inputs)."""
        inputs = list(inputs)
        student_out = self(inputs, training=training) if student_out is None else student_out
        teacher_out = self._teacher_run(inputs, training=False)
        mask = ops.cast(ops.not_equal(inputs[0], 0), "float32")
        sg = ops.stop_gradient
        embedding = masked_mse(student_out["hidden"][0], sg(teacher_out["hidden"][0]), mask)
        hidden = sum(masked_mse(student_out["hidden"][m], sg(teacher_out["hidden"][g]), mask)
                     for m, g in enumerate(self.layer_map, start=1))
        attention = sum(attention_kl(student_out["attention"][m - 1], sg(teacher_out["attention"][g - 1]), mask)
                        for m, g in enumerate(self.layer_map, start=1))
        return embedding, hidden, attention

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        losses = self.layer_losses(x, y_pred, training=training)
        for tracker, value in zip(self.trackers.values(), losses):
            tracker.update_state(value)
        return sum(w * value for w, value in zip(self.weights_, losses))

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        return self.get_metrics_result()

    @property
    def metrics(self):
        return [*super().metrics, *self.trackers.values()]
