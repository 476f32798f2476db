"""Trainable .tflite files: a frozen encoder plus a head that keeps learning on the phone.

One file holds six signatures that an app calls with LiteRT's `runSignature`:

    infer    token ids (+ mask)            -> scores, features
    train    token ids (+ mask), labels    -> loss        (one SGD step on the head)
    save     -                             -> kernel, bias, active   (the head's state)
    restore  kernel, bias, active          -> num_classes (assigns the state)
    reset    -                             -> num_classes (back to the head it was exported with)
    train_features  features, labels       -> loss        (the same step on `features` from `infer`)

`train_features` lets an app keep the features `infer` gave for the user's examples and run
further epochs without the encoder (the head's step alone costs microseconds).

Only the head (`kernel` [dim, C], `bias` [C], and `active` [C], the classes seen so far) is
stored in resource variables; the encoder is folded into constants, so it can be
dynamic-range quantized. The head's gradient is written out in the graph (softmax
cross-entropy: dL/dlogits = softmax - onehot), so the file has no gradient ops and needs no
Flex delegate: builtin ops only. Classes never trained on (and not active at export) get a
-1e9 logit, so a file exported with `max_classes` slots predicts among the user's classes only.

Saving to a checkpoint path inside the graph does not work builtin-only (measured, TF 2.21):
a restore signature with `tf.io.read_file` + `parse_tensor` fails to convert (ReadFile and
ParseTensor need Flex), and a save signature calling SaveV2 converts to an EMPTY graph (the
side-effecting op is dropped; nothing would be written). So `save` returns the state as
tensors, the app stores them, and `restore` takes them back.
"""

import os
import tempfile

import numpy as np
import tensorflow as tf

from keras_slm import files
from keras_slm.errors import ExportError
from keras_slm.export._convert import convert_saved_model
from keras_slm.export.inspection import inspect_tflite
from keras_slm.export.report import ExportReport
from keras_slm.export.unroll import has_rnn

SIGNATURES = ("infer", "train", "save", "restore", "reset")
TRAINABLE_QUANTIZE_MODES = ("none", "dynamic", "float16")
MASKED_LOGIT = -1e9


def input_specs(model, seq_len, batch=None):
    """Signature specs for a Keras model's int32 inputs, `[batch, seq_len]` each.

    RNN models get batch 1: a Keras RNN over a dynamic batch needs Flex ops.
    """
    batch = 1 if has_rnn(model) else batch
    return [tf.TensorSpec([batch, seq_len], tf.int32, name=t.name.split(":")[0]) for t in model.inputs]


def frozen_function(model, specs):
    """`model` (inference mode) as a TF function with its weights folded into constants."""
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    def call(*args):
        return model(list(args) if len(args) > 1 else args[0], training=False)

    concrete = tf.function(call).get_concrete_function(*specs)
    frozen = convert_variables_to_constants_v2(concrete)
    return lambda *args: frozen(*args)[0]


def cross_entropy_and_gradient(logits, onehot, weights=None):
    """(mean softmax cross-entropy, its gradient with respect to `logits`), written out: no gradient ops.

    dL/dlogits = (softmax - onehot) / total. `weights` (the shape of `logits` without its class axis)
    weigh each position and the mean divides by their sum (at least 1); None: each of the `[n]` rows once.
    """
    log_probs = tf.nn.log_softmax(logits)
    if weights is None:
        total = tf.cast(tf.shape(logits)[0], tf.float32)
        return -tf.reduce_sum(onehot * log_probs) / total, (tf.exp(log_probs) - onehot) / total
    total = tf.maximum(tf.reduce_sum(weights), 1.0)
    loss = -tf.reduce_sum(tf.reduce_sum(onehot * log_probs, axis=-1) * weights) / total
    return loss, (tf.exp(log_probs) - onehot) * tf.expand_dims(weights, -1) / total


class ClassifierHead(tf.Module):
    """A softmax head trained by SGD in the graph over a frozen feature function.

    Args:
        features: a function of the input tensors -> `[batch, dim]` float features.
        specs: the input `tf.TensorSpec`s (their names are the signature's input names).
        kernel, bias, active: the head at export (numpy `[dim, C]`, `[C]`, `[C]` of 0/1);
            `reset` goes back to them.
        learning_rate: SGD step size.
        l2: pull towards the exported head (`l2 / 2 * |W - W0|^2`), 0 to turn off.
    """

    def __init__(self, features, specs, kernel, bias, active, learning_rate=0.5, l2=0.0):
        super().__init__(name="classifier_head")
        self._features = features
        self._specs = list(specs)
        self._initial = [tf.constant(v, tf.float32) for v in (kernel, bias, active)]
        self.kernel = tf.Variable(kernel, dtype=tf.float32, name="kernel")
        self.bias = tf.Variable(bias, dtype=tf.float32, name="bias")
        self.active = tf.Variable(active, dtype=tf.float32, name="active")
        self.learning_rate = float(learning_rate)
        self.l2 = float(l2)
        self.num_classes = int(np.shape(bias)[0])

    def _logits(self, features):
        return tf.matmul(features, self.kernel) + self.bias + (1.0 - self.active) * MASKED_LOGIT

    def _num_classes(self):
        return {"num_classes": tf.cast(tf.reduce_sum(self.active), tf.int32)}

    def infer(self, *inputs):
        features = self._features(*inputs)
        return {"scores": tf.nn.softmax(self._logits(features)), "features": features}

    def train(self, *inputs):
        *inputs, labels = inputs
        return self.train_features(self._features(*inputs), labels)

    def train_features(self, features, labels):
        onehot = tf.one_hot(labels, self.num_classes)
        self.active.assign(tf.maximum(self.active, tf.reduce_max(onehot, axis=0)))
        loss, grad_logits = cross_entropy_and_gradient(self._logits(features), onehot)
        grad_kernel = tf.matmul(features, grad_logits, transpose_a=True)
        grad_bias = tf.reduce_sum(grad_logits, axis=0)
        if self.l2:
            grad_kernel += self.l2 * (self.kernel - self._initial[0])
            grad_bias += self.l2 * (self.bias - self._initial[1])
        self.kernel.assign_sub(self.learning_rate * grad_kernel)
        self.bias.assign_sub(self.learning_rate * grad_bias)
        return {"loss": loss}

    def save(self):
        return {"kernel": self.kernel.read_value(), "bias": self.bias.read_value(), "active": self.active.read_value()}

    def restore(self, kernel, bias, active):
        self.kernel.assign(kernel)
        self.bias.assign(bias)
        self.active.assign(active)
        return self._num_classes()

    def reset(self):
        for variable, value in zip((self.kernel, self.bias, self.active), self._initial):
            variable.assign(value)
        return self._num_classes()

    def signatures(self):
        """{name: concrete function} for the five signatures."""
        batch = self._specs[0].shape[0]
        labels = tf.TensorSpec([batch], tf.int32, name="labels")
        state = [tf.TensorSpec(v.shape, tf.float32, name=n) for n, v in
                 (("kernel", self.kernel), ("bias", self.bias), ("active", self.active))]
        return {
            "infer": tf.function(self.infer, input_signature=self._specs).get_concrete_function(),
            "train": tf.function(self.train, input_signature=self._specs + [labels]).get_concrete_function(),
            "train_features": tf.function(self.train_features, input_signature=[
                tf.TensorSpec([batch, self.kernel.shape[0]], tf.float32, name="features"), labels,
            ]).get_concrete_function(),
            "save": tf.function(self.save, input_signature=[]).get_concrete_function(),
            "restore": tf.function(self.restore, input_signature=state).get_concrete_function(),
            "reset": tf.function(self.reset, input_signature=[]).get_concrete_function(),
        }


def write_trainable(module, path, quantize="none", what="trainable model"):
    """Saves `module` (with a `signatures()` method) as a SavedModel, converts it builtin-only
    and writes `path` atomically; returns an `ExportReport` with the file's signatures."""
    if quantize not in TRAINABLE_QUANTIZE_MODES:
        raise ValueError(f"`quantize` must be one of {TRAINABLE_QUANTIZE_MODES}, received {quantize!r}.")
    with tempfile.TemporaryDirectory(prefix="keras_slm_trainable_") as tmp:
        saved = os.path.join(tmp, "saved_model")
        tf.saved_model.save(module, saved, signatures=module.signatures())
        try:
            data = convert_saved_model(saved, quantize=quantize)
        except Exception as e:  # the converter's message names the op
            raise ExportError(f"TFLite conversion ({quantize}) of the {what} failed: {str(e)[:500]}") from None
    info = inspect_tflite(data)
    if not info.android_compatible:
        raise ExportError(f"the {what} needs non-builtin ops {info.flex_ops + info.custom_ops}")
    missing = sorted(set(module.signatures()) - set(info.signatures))
    if missing:
        raise ExportError(f"the converted {what} lacks signature(s) {missing}")
    files.write_bytes_atomic(path, data)
    return ExportReport(
        path=str(path), size_bytes=len(data), quantize=quantize, ops=info.ops, num_subgraphs=info.num_subgraphs,
        unrolled=False, android_compatible=True, inputs=info.inputs, outputs=info.outputs,
        signatures=info.signatures,
    )


def export_trainable_classifier(features_model, path, num_classes=None, seq_len=128, kernel=None, bias=None,
                                active=None, learning_rate=0.5, l2=0.0, quantize="dynamic"):
    """Writes a trainable classifier file: frozen `features_model` + an SGD softmax head.

    Args:
        features_model: Keras model, int32 token-id inputs -> `[batch, dim]` features
            (e.g. a `SentenceEmbedder`'s model, or a classifier cut below its output layer).
        path: the .tflite file to write.
        num_classes: class slots (the most classes the user can have); with `kernel`, its width.
        seq_len: tokens per example in the signatures.
        kernel, bias: the head to start from (default zeros: an untrained head).
        active: which classes are live at export (default: all when `kernel` is given, else none;
            `train` switches a class on when it first sees it).
        learning_rate: SGD step of `train`.
        l2: pull towards the exported head in each step (keeps a refined head close to it).
        quantize: "none", "dynamic" (int8 encoder weights; the head stays float) or "float16".

    Returns:
        `ExportReport` (`signatures`: each signature's inputs and outputs).

    Example:
    >>> report = export_trainable_classifier(embedder.model, "user.tflite", num_classes=8)  # doctest: +SKIP
    >>> sorted(report.signatures)  # doctest: +SKIP
    ['infer', 'reset', 'restore', 'save', 'train']
    """
    dim = int(features_model.output.shape[-1])
    if kernel is None:
        if not num_classes or num_classes < 2:
            raise ValueError(f"`num_classes` must be >= 2, received {num_classes!r}.")
        kernel = np.zeros((dim, num_classes), np.float32)
        bias = np.zeros((num_classes,), np.float32) if bias is None else bias
        active = np.zeros((num_classes,), np.float32) if active is None else active
    else:
        kernel = np.asarray(kernel, np.float32)
        if kernel.shape[0] != dim or (num_classes and kernel.shape[1] != num_classes):
            raise ValueError(f"`kernel` must be [{dim}, {num_classes or 'C'}], received {list(kernel.shape)}.")
        num_classes = kernel.shape[1]
        bias = np.zeros((num_classes,), np.float32) if bias is None else bias
        active = np.ones((num_classes,), np.float32) if active is None else active
    specs = input_specs(features_model, seq_len)
    head = ClassifierHead(frozen_function(features_model, specs), specs, kernel, np.asarray(bias, np.float32),
                          np.asarray(active, np.float32), learning_rate, l2)
    return write_trainable(head, path, quantize, what="trainable classifier")
