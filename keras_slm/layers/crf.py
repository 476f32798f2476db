"""`CRF`: a linear-chain conditional random field output layer for Keras 3."""

import keras
from keras import ops


def argmax_int32(x, axis):
    """int32 argmax that converts to TFLite's builtin ARG_MAX.

    `keras.ops.argmax` on TensorFlow adds a negative-zero fix (a BitwiseAnd, Flex-only in
    TFLite); plain `tf.argmax` is used there instead.
    """
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        return tf.argmax(x, axis=axis, output_type=tf.int32)
    return ops.cast(ops.argmax(x, axis=axis), "int32")


@keras.saving.register_keras_serializable(package="keras_slm")
class CRF(keras.layers.Layer):
    """Linear-chain CRF over per-token tag scores, with Viterbi decoding in the graph.

    Holds learnable `transitions[i, j]` (score of tag j following tag i), `start` and
    `end` scores. Calling the layer decodes: `[batch, length, num_tags]` scores (and an
    optional `[batch, length]` mask of real tokens, end-padded) give `[batch, length]`
    int32 tag ids of the best path (0 on padding). `loss` gives the masked negative
    log-likelihood to train with.

    When the length is static (an exported `[1, L]` model) decoding is a Python loop over
    the steps made of builtin TFLite ops (ADD, MAX, ARG_MAX, ONE_HOT, SUM, SELECT), so the
    file returns decoded tags with no custom op; otherwise `keras.ops.scan` is used.

    Args:
        num_tags: int, number of tags.
        decode_scale: None (default) decodes in float32 (fastest: ~0.09 ms for 64 steps, 1
            thread); an int, e.g. 256, decodes on int32 scores truncated to 1/decode_scale,
            an exact integer search that full-int8 files cannot perturb with per-step
            requantization (`SequenceTagger.export(quantize="int8")` sets 256).
        **kwargs: `keras.layers.Layer` arguments (name, dtype, ...).

    Training: a model ending in `CRF(...)(emissions)` outputs tag ids, so a plain
    `compile(loss=...)` cannot train it; wrap it in `keras_slm.layers.CRFTrainer`, which
    outputs the emissions and uses `CRF.loss` (the CRF's transitions train with the rest).

    Example:
    >>> import numpy as np
    >>> crf = CRF(num_tags=3)
    >>> tags = crf(np.random.randn(2, 5, 3).astype("float32"))
    >>> tuple(tags.shape)
    (2, 5)

    Training it inside your own model with `compile` / `fit`:
    >>> import keras
    >>> from keras_slm.layers import CRFTrainer
    >>> ids = keras.Input((None,), dtype="int32")
    >>> emissions = keras.layers.Dense(3)(keras.layers.Embedding(50, 16, mask_zero=True)(ids))
    >>> tagger = keras.Model(ids, CRF(3)(emissions))   # predicts tag ids; save / export this one
    >>> trainer = CRFTrainer(tagger)                   # outputs emissions; loss = CRF negative log-likelihood
    >>> trainer.compile(optimizer="adam")
    >>> x = np.random.randint(1, 50, (64, 8)); y = (x % 3).astype("int32")
    >>> _ = trainer.fit(x, y, epochs=1, verbose=0)
    """

    def __init__(self, num_tags, decode_scale=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(num_tags, int) or num_tags < 1:
            raise ValueError(f"`num_tags` must be a positive integer, received {num_tags!r}.")
        if decode_scale is not None and (not isinstance(decode_scale, int) or decode_scale < 1):
            raise ValueError(f"`decode_scale` must be None or a positive integer, received {decode_scale!r}.")
        self.num_tags = num_tags
        self.decode_scale = decode_scale
        self.supports_masking = True

    def build(self, input_shape):
        if input_shape[-1] is not None and input_shape[-1] != self.num_tags:
            raise ValueError(
                f"CRF(num_tags={self.num_tags}) expects scores with last dimension {self.num_tags}, "
                f"received shape {input_shape}."
            )
        init = keras.initializers.RandomUniform(-0.1, 0.1)
        self.transitions = self.add_weight(name="transitions", shape=(self.num_tags, self.num_tags), initializer=init)
        self.start = self.add_weight(name="start", shape=(self.num_tags,), initializer=init)
        self.end = self.add_weight(name="end", shape=(self.num_tags,), initializer=init)

    # -- decoding ---------------------------------------------------------------------
    def call(self, potentials, mask=None):
        potentials = ops.cast(potentials, "float32")
        mask = self._mask(potentials, mask)
        weights = (ops.convert_to_tensor(self.transitions), ops.convert_to_tensor(self.start),
                   ops.convert_to_tensor(self.end))
        if self.decode_scale:
            # Fixed point (int32): the search is exact whatever the file's quantization; a
            # quantized float search would tie and round differently step after step.
            def fixed(x):
                return ops.cast(x * float(self.decode_scale), "int32")

            potentials, weights = fixed(potentials), tuple(fixed(w) for w in weights)
        if potentials.shape[1] is not None:
            tags = self._viterbi_static(potentials, mask, *weights)
        else:
            tags = self._viterbi_scan(potentials, mask, *weights)
        return tags * ops.cast(mask, "int32")

    def compute_output_spec(self, potentials, mask=None):
        return keras.KerasTensor(tuple(potentials.shape[:2]), dtype="int32")

    def compute_mask(self, potentials, mask=None):
        return mask

    def _mask(self, potentials, mask):
        if mask is None:
            return ops.ones(ops.shape(potentials)[:2], dtype="bool")
        return ops.cast(mask, "bool")

    def _viterbi_static(self, potentials, mask, transitions, start, end):
        length = potentials.shape[1]
        trans = ops.expand_dims(transitions, 0)  # [1, T, T]
        score = ops.expand_dims(start, 0) + potentials[:, 0]  # [B, T]
        identity = ops.expand_dims(ops.arange(self.num_tags, dtype="int32"), 0)
        backpointers = []
        for t in range(1, length):
            candidates = ops.expand_dims(score, 2) + trans  # [B, from, to]
            best = ops.max(candidates, axis=1) + potentials[:, t]
            best = best - ops.max(best, axis=1, keepdims=True)  # bounded range (int8 friendly)
            pointer = argmax_int32(candidates, axis=1)
            step = ops.expand_dims(mask[:, t], 1)
            score = ops.where(step, best, score)
            backpointers.append(ops.where(step, pointer, identity))
        last = argmax_int32(score + ops.expand_dims(end, 0), axis=1)  # [B]
        path = [last]
        for pointer in reversed(backpointers):
            last = ops.sum(pointer * ops.one_hot(last, self.num_tags, dtype="int32"), axis=1)
            path.append(last)
        return ops.stack(path[::-1], axis=1)

    @staticmethod
    def _time_major(potentials, mask):
        """(emissions, steps): `[L, B, T]` scores and `[L, B, T + 1]` scores with the mask appended.

        One packed tensor, as Keras' TensorFlow `scan` mishandles several inputs of unknown length.
        """
        emissions = ops.transpose(potentials, (1, 0, 2))
        maskf = ops.expand_dims(ops.cast(ops.transpose(mask, (1, 0)), potentials.dtype), 2)
        return emissions, ops.concatenate([emissions, maskf], axis=2)

    def _viterbi_scan(self, potentials, mask, transitions, start, end):
        trans = ops.expand_dims(transitions, 0)
        identity = ops.expand_dims(ops.arange(self.num_tags, dtype="int32"), 0)
        emissions, steps = self._time_major(potentials, mask)

        def forward(score, inputs):
            emission, step = inputs[:, :-1], inputs[:, -1] > 0
            candidates = ops.expand_dims(score, 2) + trans
            best = ops.max(candidates, axis=1) + emission
            best = best - ops.max(best, axis=1, keepdims=True)
            pointer = argmax_int32(candidates, axis=1)
            step = ops.expand_dims(step, 1)
            # scan's outputs share the carry's dtype on TensorFlow: pointers travel in the score dtype
            return ops.where(step, best, score), ops.cast(ops.where(step, pointer, identity), score.dtype)

        init = ops.expand_dims(start, 0) + emissions[0]
        score, pointers = ops.scan(forward, init, steps[1:])
        pointers = ops.cast(pointers, "int32")
        last = argmax_int32(score + ops.expand_dims(end, 0), axis=1)

        def backward(tag, pointer):
            previous = ops.sum(pointer * ops.one_hot(tag, self.num_tags, dtype="int32"), axis=1)
            return previous, previous

        _, earlier = ops.scan(backward, last, pointers, reverse=True)
        path = ops.concatenate([earlier, ops.expand_dims(last, 0)], axis=0)
        return ops.transpose(path, (1, 0))

    # -- training ---------------------------------------------------------------------
    def log_likelihood(self, potentials, tags, mask=None):
        """log p(tags | potentials) per sequence, `[batch]`; `tags` int `[batch, length]`."""
        potentials = ops.cast(potentials, "float32")
        mask = self._mask(potentials, mask)
        return self._gold_score(potentials, tags, mask) - self._log_partition(potentials, mask)

    def loss(self, potentials, tags, mask=None):
        """Mean negative log-likelihood over the batch (the training loss)."""
        return -ops.mean(self.log_likelihood(potentials, tags, mask))

    def _gold_score(self, potentials, tags, mask):
        maskf = ops.cast(mask, "float32")
        onehot = ops.one_hot(ops.cast(tags, "int32"), self.num_tags, dtype="float32")  # [B, L, T]
        emission = ops.sum(ops.sum(onehot * potentials, axis=2) * maskf, axis=1)
        between = ops.einsum("bli,ij,blj->bl", onehot[:, :-1], self.transitions, onehot[:, 1:])
        transition = ops.sum(between * maskf[:, 1:], axis=1)
        start = ops.sum(onehot[:, 0] * self.start, axis=1)
        lengths = ops.cast(ops.sum(maskf, axis=1), "int32")
        last = ops.one_hot(ops.maximum(lengths - 1, 0), ops.shape(potentials)[1], dtype="float32")  # [B, L]
        last_tags = ops.sum(onehot * ops.expand_dims(last, 2), axis=1)  # [B, T]
        end = ops.sum(last_tags * self.end, axis=1)
        return emission + transition + start + end

    def _log_partition(self, potentials, mask):
        trans = ops.expand_dims(ops.convert_to_tensor(self.transitions), 0)
        emissions, steps = self._time_major(potentials, mask)

        def forward(alpha, inputs):
            emission, step = inputs[:, :-1], inputs[:, -1] > 0.5
            nxt = ops.logsumexp(ops.expand_dims(alpha, 2) + trans, axis=1) + emission
            alpha = ops.where(ops.expand_dims(step, 1), nxt, alpha)
            return alpha, alpha

        init = ops.expand_dims(self.start, 0) + emissions[0]
        alpha, _ = ops.scan(forward, init, steps[1:])
        return ops.logsumexp(alpha + ops.expand_dims(self.end, 0), axis=1)

    def get_config(self):
        config = super().get_config()
        config.update(num_tags=self.num_tags, decode_scale=self.decode_scale)
        return config
