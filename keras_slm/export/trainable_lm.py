"""Trainable language-model files: a frozen LM body, an output layer that adapts on the phone.

Signatures (window form, `[batch, W]` token ids; batch 1 for LSTM bodies):

    infer    input_ids                      -> logits [batch, W, vocab]
    train    input_ids, targets, weights    -> loss   (one SGD step on the output layer)
    save     -                              -> kernel, bias
    restore  kernel, bias                   -> vocab_size
    reset    -                              -> vocab_size

`train` computes the weighted mean next-token cross-entropy and its gradient by hand
(dL/dlogits = softmax - onehot, times the target weight), then updates the output bias and,
with `train="output"`, the output kernel. Builtin ops only, no gradient ops.
"""

import numpy as np
import tensorflow as tf

from keras_slm.export.trainable import frozen_function, input_specs, write_trainable

TRAIN_PARTS = ("output", "bias")


class LMOutputHead(tf.Module):
    """The output Dense layer of an LM as variables, trained by SGD in the graph.

    Args:
        hidden: a function of `input_ids` -> `[batch, W, dim]` (the input of the output layer).
        spec: the `input_ids` `tf.TensorSpec`.
        kernel, bias: the output layer at export (`[dim, vocab]`, `[vocab]`).
        train: "output" (kernel and bias) or "bias".
        learning_rate: SGD step.
        l2: pull towards the exported layer.
    """

    def __init__(self, hidden, spec, kernel, bias, train="output", learning_rate=0.5, l2=0.0):
        super().__init__(name="lm_output_head")
        if train not in TRAIN_PARTS:
            raise ValueError(f"`train` must be one of {TRAIN_PARTS}, received {train!r}.")
        self._hidden = hidden
        self._spec = spec
        self._initial = [tf.constant(kernel, tf.float32), tf.constant(bias, tf.float32)]
        self.kernel = tf.Variable(kernel, dtype=tf.float32, name="kernel")
        self.bias = tf.Variable(bias, dtype=tf.float32, name="bias")
        self.train_part = train
        self.learning_rate = float(learning_rate)
        self.l2 = float(l2)

    def _vocab(self):
        return {"vocab_size": tf.shape(self.bias)[0]}

    def _logits(self, hidden):
        return tf.einsum("bwd,dv->bwv", hidden, self.kernel) + self.bias

    def infer(self, input_ids):
        return {"logits": self._logits(self._hidden(input_ids))}

    def train(self, input_ids, targets, weights):
        hidden = self._hidden(input_ids)
        vocab = tf.shape(self.bias)[0]
        dim = tf.shape(self.kernel)[0]
        log_probs = tf.nn.log_softmax(self._logits(hidden))
        onehot = tf.one_hot(targets, vocab)
        total = tf.maximum(tf.reduce_sum(weights), 1.0)
        loss = -tf.reduce_sum(tf.reduce_sum(onehot * log_probs, axis=-1) * weights) / total
        grad_logits = (tf.exp(log_probs) - onehot) * tf.expand_dims(weights, -1) / total
        flat_grad = tf.reshape(grad_logits, [-1, vocab])
        grad_bias = tf.reduce_sum(flat_grad, axis=0)
        if self.l2:
            grad_bias += self.l2 * (self.bias - self._initial[1])
        self.bias.assign_sub(self.learning_rate * grad_bias)
        if self.train_part == "output":
            grad_kernel = tf.matmul(tf.reshape(hidden, [-1, dim]), flat_grad, transpose_a=True)
            if self.l2:
                grad_kernel += self.l2 * (self.kernel - self._initial[0])
            self.kernel.assign_sub(self.learning_rate * grad_kernel)
        return {"loss": loss}

    def save(self):
        return {"kernel": self.kernel.read_value(), "bias": self.bias.read_value()}

    def restore(self, kernel, bias):
        self.kernel.assign(kernel)
        self.bias.assign(bias)
        return self._vocab()

    def reset(self):
        self.kernel.assign(self._initial[0])
        self.bias.assign(self._initial[1])
        return self._vocab()

    def signatures(self):
        shape = self._spec.shape
        targets = tf.TensorSpec(shape, tf.int32, name="targets")
        weights = tf.TensorSpec(shape, tf.float32, name="weights")
        state = [tf.TensorSpec(self.kernel.shape, tf.float32, name="kernel"),
                 tf.TensorSpec(self.bias.shape, tf.float32, name="bias")]
        return {
            "infer": tf.function(self.infer, input_signature=[self._spec]).get_concrete_function(),
            "train": tf.function(self.train, input_signature=[self._spec, targets, weights]).get_concrete_function(),
            "save": tf.function(self.save, input_signature=[]).get_concrete_function(),
            "restore": tf.function(self.restore, input_signature=state).get_concrete_function(),
            "reset": tf.function(self.reset, input_signature=[]).get_concrete_function(),
        }


def export_trainable_lm(model, path, window=64, train="output", learning_rate=0.5, l2=0.0, quantize="dynamic",
                        output_layer="logits"):
    """Writes a keyboard file: the LM body frozen, its output layer trainable through `train`.

    Args:
        model: a Keras LM from `keras_slm.models.language_models` (ids -> logits, Dense `logits`).
        path: the .tflite file to write.
        window: tokens per window in the signatures (the transformer's context at most).
        train: "output" (the whole output layer) or "bias" (the output bias only, V floats).
        learning_rate, l2: SGD step and pull towards the exported layer.
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
    head = LMOutputHead(frozen_function(body, [spec]), spec, kernel, bias, train, learning_rate, l2)
    return write_trainable(head, path, quantize, what="trainable language model")
