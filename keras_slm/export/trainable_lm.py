"""Trainable language-model files: a frozen LM body, an output layer that adapts on the phone.

Signatures (window form, `[batch, W]` token ids; batch 1 for LSTM bodies):

    infer    input_ids                      -> logits [batch, W, vocab]
    train    input_ids, targets, weights    -> loss   (one SGD or Adam step on the output layer)
    save     -                              -> the state: bias, kernel (or lora_a, lora_b),
                                               with Adam also <name>_m, <name>_v, beta_powers
    restore  the state                      -> vocab_size
    reset    -                              -> vocab_size

`train` computes the weighted mean next-token cross-entropy and its gradient by hand
(dL/dlogits = softmax - onehot, times the target weight), then updates the output bias and,
with `train="output"`, the output kernel, or with `train="lora"` a low-rank update
`lora_a @ lora_b` of the frozen kernel (dL/dA = H^T G B^T, dL/dB = (H A)^T G). Adam's moments
live in resource variables beside the weights. Builtin ops only, no gradient ops.
"""

import numpy as np
import tensorflow as tf

from keras_slm.export.trainable import cross_entropy_and_gradient, frozen_function, input_specs, write_trainable

TRAIN_PARTS = ("output", "bias", "lora")
OPTIMIZERS = ("sgd", "adam")
ADAM_BETAS = (0.9, 0.999)
ADAM_EPSILON = 1e-7


class LMOutputHead(tf.Module):
    """The output Dense layer of an LM as variables, trained in the graph by SGD or Adam.

    Args:
        hidden: a function of `input_ids` -> `[batch, W, dim]` (the input of the output layer).
        spec: the `input_ids` `tf.TensorSpec`.
        kernel, bias: the output layer at export (`[dim, vocab]`, `[vocab]`).
        train: "output" (kernel and bias), "bias", or "lora" (bias and a rank-`rank` update
            `lora_a @ lora_b` added to the frozen kernel; `lora_b` starts at zero).
        learning_rate: step size.
        l2: pull towards the exported values (`l2 / 2 * |p - p0|^2` per trained variable).
        optimizer: "sgd" or "adam" (moments and beta powers in resource variables, part of the
            saved state).
        rank: rank of the `lora` update.
        clipnorm: clip the gradient's global norm to this (0: no clipping).
    """

    def __init__(self, hidden, spec, kernel, bias, train="output", learning_rate=0.5, l2=0.0, optimizer="sgd",
                 rank=8, clipnorm=0.0):
        super().__init__(name="lm_output_head")
        if train not in TRAIN_PARTS:
            raise ValueError(f"`train` must be one of {TRAIN_PARTS}, received {train!r}.")
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"`optimizer` must be one of {OPTIMIZERS}, received {optimizer!r}.")
        self._hidden = hidden
        self._spec = spec
        self.train_part, self.optimizer = train, optimizer
        self.learning_rate, self.l2, self.clipnorm = float(learning_rate), float(l2), float(clipnorm)
        initial = {"bias": np.asarray(bias, np.float32)}
        if train == "lora":
            self._kernel = tf.constant(kernel, tf.float32)
            dim, vocab = kernel.shape
            rng = np.random.default_rng(0)
            initial["lora_a"] = (rng.standard_normal((dim, rank)) / np.sqrt(dim)).astype(np.float32)
            initial["lora_b"] = np.zeros((rank, vocab), np.float32)
        else:
            initial["kernel"] = np.asarray(kernel, np.float32)
        self.trained = ["bias"] if train == "bias" else sorted(n for n in initial if n != "bias") + ["bias"]
        if optimizer == "adam":
            for name in self.trained:
                initial[f"{name}_m"] = np.zeros_like(initial[name])
                initial[f"{name}_v"] = np.zeros_like(initial[name])
            initial["beta_powers"] = np.ones([2], np.float32)
        self._initial = {name: tf.constant(value) for name, value in initial.items()}
        self.state = {name: tf.Variable(value, name=name) for name, value in initial.items()}
        if train != "lora":
            self._kernel = self.state["kernel"]

    def _vocab(self):
        return {"vocab_size": tf.shape(self.state["bias"])[0]}

    def _full_kernel(self):
        if self.train_part == "lora":
            return self._kernel + tf.matmul(self.state["lora_a"], self.state["lora_b"])
        return self._kernel

    def _logits(self, hidden):
        return tf.einsum("bwd,dv->bwv", hidden, self._full_kernel()) + self.state["bias"]

    def infer(self, input_ids):
        return {"logits": self._logits(self._hidden(input_ids))}

    def _gradients(self, hidden, grad_logits):
        """{trained variable: dL/dvariable}, written out (no gradient ops)."""
        state = self.state
        flat_hidden = tf.reshape(hidden, [-1, tf.shape(hidden)[-1]])
        grads = {"bias": tf.reduce_sum(grad_logits, axis=0)}
        if self.train_part == "output":
            grads["kernel"] = tf.matmul(flat_hidden, grad_logits, transpose_a=True)
        elif self.train_part == "lora":
            grads["lora_a"] = tf.matmul(flat_hidden, tf.matmul(grad_logits, state["lora_b"], transpose_b=True),
                                        transpose_a=True)
            grads["lora_b"] = tf.matmul(tf.matmul(flat_hidden, state["lora_a"]), grad_logits, transpose_a=True)
        if self.l2:
            grads = {n: g + self.l2 * (state[n] - self._initial[n]) for n, g in grads.items()}
        if self.clipnorm:
            norm = tf.sqrt(tf.add_n([tf.reduce_sum(tf.square(g)) for g in grads.values()]))
            scale = tf.minimum(1.0, self.clipnorm / tf.maximum(norm, 1e-12))
            grads = {n: g * scale for n, g in grads.items()}
        return grads

    def _apply(self, grads):
        state, lr = self.state, self.learning_rate
        if self.optimizer == "sgd":
            for name, grad in grads.items():
                state[name].assign_sub(lr * grad)
            return
        powers = state["beta_powers"] * tf.constant([ADAM_BETAS[0], ADAM_BETAS[1]])
        state["beta_powers"].assign(powers)
        step = lr * tf.sqrt(1.0 - powers[1]) / (1.0 - powers[0])
        for name, grad in grads.items():
            m = state[f"{name}_m"] * ADAM_BETAS[0] + (1.0 - ADAM_BETAS[0]) * grad
            v = state[f"{name}_v"] * ADAM_BETAS[1] + (1.0 - ADAM_BETAS[1]) * tf.square(grad)
            state[f"{name}_m"].assign(m)
            state[f"{name}_v"].assign(v)
            state[name].assign_sub(step * m / (tf.sqrt(v) + ADAM_EPSILON))

    def train(self, input_ids, targets, weights):
        hidden = self._hidden(input_ids)
        vocab = tf.shape(self.state["bias"])[0]
        loss, grad_logits = cross_entropy_and_gradient(self._logits(hidden), tf.one_hot(targets, vocab), weights)
        self._apply(self._gradients(hidden, tf.reshape(grad_logits, [-1, vocab])))
        return {"loss": loss}

    def save(self):
        return {name: variable.read_value() for name, variable in self.state.items()}

    def restore(self, *values):
        for variable, value in zip(self.state.values(), values):
            variable.assign(value)
        return self._vocab()

    def reset(self):
        for name, variable in self.state.items():
            variable.assign(self._initial[name])
        return self._vocab()

    def signatures(self):
        shape = self._spec.shape
        targets = tf.TensorSpec(shape, tf.int32, name="targets")
        weights = tf.TensorSpec(shape, tf.float32, name="weights")
        state = [tf.TensorSpec(v.shape, tf.float32, name=name) for name, v in self.state.items()]
        return {
            "infer": tf.function(self.infer, input_signature=[self._spec]).get_concrete_function(),
            "train": tf.function(self.train, input_signature=[self._spec, targets, weights]).get_concrete_function(),
            "save": tf.function(self.save, input_signature=[]).get_concrete_function(),
            "restore": tf.function(self.restore, input_signature=state).get_concrete_function(),
            "reset": tf.function(self.reset, input_signature=[]).get_concrete_function(),
        }


def export_trainable_lm(model, path, window=64, train="output", learning_rate=0.5, l2=0.0, quantize="dynamic",
                        output_layer="logits", optimizer="sgd", rank=8, clipnorm=0.0):
    """Writes a keyboard file: the LM body frozen, its output layer trainable through `train`.

    Args:
        model: a Keras LM from `keras_slm.models.language_models` (ids -> logits, Dense `logits`).
        path: the .tflite file to write.
        window: tokens per window in the signatures (the transformer's context at most).
        train: "output" (the whole output layer), "bias" (the output bias only, V floats) or
            "lora" (the bias and a rank-`rank` update of the output kernel).
        learning_rate, l2: step size and pull towards the exported layer.
        optimizer: "sgd" or "adam" (Adam's moments are part of the file's saved state).
        rank: rank of the `lora` update.
        clipnorm: clip each step's gradient to this global norm (0: off).
        quantize: "dynamic" (int8 body weights; the output layer stays float), "none" or "float16".

    Returns:
        `ExportReport` with `signatures`.

    Example:
    >>> export_trainable_lm(lm.model, "keyboard.tflite", window=64)  # doctest: +SKIP
    """
    import keras

    dense = model.get_layer(output_layer)
    body = keras.Model(model.inputs, dense.input, name="frozen_lm_body")
    (spec,) = input_specs(body, window)
    kernel, bias = (np.asarray(w, np.float32) for w in dense.get_weights())
    head = LMOutputHead(frozen_function(body, [spec]), spec, kernel, bias, train, learning_rate, l2, optimizer, rank,
                        clipnorm)
    return write_trainable(head, path, quantize, what="trainable language model")
