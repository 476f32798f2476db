"""On-device personalisation: trainable .tflite files for classifiers and keyboards.

Three recipes, each a frozen encoder and a small trained part whose SGD step is written in
the graph (`keras_slm.export.trainable`), builtin ops only:

- `export_user_categories`: the user's own classes over a sentence embedder (MiniLM or ours),
  up to `max_classes` slots, unused ones masked out; optionally starting from a Keras head.
- `export_corrections`: a trained `TextClassifier` whose output layer keeps learning from the
  user's corrections (pulled towards the shipped head by `l2`).
- `export_keyboard`: a `LanguageModel` whose output layer (or bias) adapts to the user's text.

The files are run with `keras_slm.export.ondevice_driver.OnDeviceModel` (Python, LiteRT only)
or `Interpreter.runSignature` on Android (tflite/OnDeviceTraining.kt).
"""

import os

import keras
import numpy as np

from keras_slm.errors import ModelDirError
from keras_slm.export.trainable import export_trainable_classifier
from keras_slm.export.trainable_lm import export_trainable_lm


def export_user_categories(embedder, path, max_classes=16, kernel=None, bias=None, learning_rate=4.0, l2=0.0,
                           quantize="dynamic", write_vocab=True):
    """A file that learns the user's categories over a frozen `SentenceEmbedder`.

    Args:
        embedder: a Keras `SentenceEmbedder` (e.g. `SentenceEmbedder.from_encoder(*load_minilm())`).
        path: the .tflite file to write.
        max_classes: class slots fixed at export; `train` switches a slot on the first time it
            sees its label.
        kernel, bias: a head to start from (`[dim, max_classes]`, `[max_classes]`), e.g. from
            `fit_head`; all its classes are live. Default: an untrained (zero) head.
        learning_rate: SGD step of `train` (the embeddings are unit vectors: large steps are fine).
        l2: pull towards the exported head at every step.
        quantize: "dynamic" (int8 encoder weights, the default), "none" or "float16".
        write_vocab: also write the tokenizer (vocab.txt, tokenizer.json) beside the file.

    Returns:
        `ExportReport` with the file's `signatures` and `ops`.

    Example:
    >>> encoder, tokenizer = load_minilm(max_length=64)  # doctest: +SKIP
    >>> embedder = SentenceEmbedder.from_encoder(encoder, tokenizer, seq_len=64)  # doctest: +SKIP
    >>> export_user_categories(embedder, "app/user_categories.tflite", max_classes=8)  # doctest: +SKIP
    """
    if embedder.is_tflite:
        raise ModelDirError("export_user_categories needs the Keras embedder (a model directory), not a .tflite file")
    report = export_trainable_classifier(
        embedder.model, path, num_classes=max_classes, seq_len=embedder.seq_len, kernel=kernel, bias=bias,
        learning_rate=learning_rate, l2=l2, quantize=quantize,
    )
    if write_vocab:
        embedder.tokenizer.save(os.path.dirname(os.path.abspath(path)))
    return report


def classifier_head(classifier, layer="scores"):
    """(features model, kernel, bias) of a Keras `TextClassifier` cut below its Dense output layer.

    A sigmoid head (one unit, `binary_head=True`) becomes the equivalent two-class softmax head:
    logits `[0, z]` give softmax `[1 - sigmoid(z), sigmoid(z)]`.
    """
    model = classifier.model
    try:
        dense = model.get_layer(layer)
    except ValueError:
        raise ModelDirError(f"the classifier has no output layer {layer!r} to refine") from None
    if not isinstance(dense, keras.layers.Dense):
        raise ModelDirError(f"the classifier's {layer!r} layer is a {type(dense).__name__}, expected Dense")
    features = keras.Model(model.inputs, dense.input, name="frozen_features")
    kernel, bias = (np.asarray(w, np.float32) for w in dense.get_weights())
    if kernel.shape[1] == 1:
        kernel = np.concatenate([np.zeros_like(kernel), kernel], axis=1)
        bias = np.concatenate([np.zeros_like(bias), bias])
    return features, kernel, bias


def export_corrections(classifier, path, learning_rate=0.5, l2=0.01, quantize="dynamic", write_vocab=True):
    """A file whose output layer keeps learning from the user's corrections (same labels).

    Args:
        classifier: a Keras `TextClassifier` ending in a Dense "scores" layer (every family here).
        path: the .tflite file to write.
        learning_rate, l2: SGD step and pull towards the shipped head.
        quantize: "dynamic" (default), "none" or "float16".
        write_vocab: also write the tokenizer and labels.txt beside the file.

    Example:
    >>> export_corrections(TextClassifier.load("runs/sst2"), "app/sentiment.tflite")  # doctest: +SKIP
    """
    if classifier.is_tflite:
        raise ModelDirError("export_corrections needs the Keras classifier (model.keras), not a .tflite file")
    features, kernel, bias = classifier_head(classifier)
    report = export_trainable_classifier(features, path, seq_len=classifier.seq_len, kernel=kernel, bias=bias,
                                         learning_rate=learning_rate, l2=l2, quantize=quantize)
    if write_vocab:
        directory = os.path.dirname(os.path.abspath(path))
        classifier.tokenizer.save(directory)
        classifier.labels.save(directory)
    return report


def export_keyboard(lm, path, train="output", learning_rate=0.5, l2=0.0, quantize="dynamic", write_vocab=True,
                    optimizer="sgd", rank=8, clipnorm=0.0):
    """A language-model file whose output layer (`train="output"`), output bias (`"bias"`) or a
    low-rank update of the output layer (`"lora"`) adapts to what the user types, through its
    `train` signature (`optimizer` "sgd" or "adam"; see `export_trainable_lm`).

    Example:
    >>> export_keyboard(LanguageModel.load("runs/shakespeare"), "app/keyboard.tflite")  # doctest: +SKIP
    """
    if lm.is_tflite:
        raise ModelDirError("export_keyboard needs the Keras language model (model.keras), not a .tflite file")
    report = export_trainable_lm(lm.model, path, window=lm.seq_len, train=train, learning_rate=learning_rate,
                                 l2=l2, quantize=quantize, optimizer=optimizer, rank=rank, clipnorm=clipnorm)
    if write_vocab:
        lm.tokenizer.save(os.path.dirname(os.path.abspath(path)))
    return report


def fit_head(features, labels, num_classes, learning_rate=4.0, epochs=30, batch_size=8, seed=0):
    """The Keras twin of the file's `train`: a softmax Dense head trained by plain SGD on
    precomputed features, same batches as `OnDeviceModel.fit` with the same seed.

    Returns:
        (kernel `[dim, num_classes]`, bias `[num_classes]`).
    """
    features = np.asarray(features, np.float32)
    labels = np.asarray(labels, np.int32)
    head = keras.Sequential([keras.Input((features.shape[1],)),
                             keras.layers.Dense(num_classes, kernel_initializer="zeros")])
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    head.compile(optimizer=keras.optimizers.SGD(learning_rate), loss=loss)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(labels))
        for i in range(0, len(labels), batch_size):
            rows = order[i : i + batch_size]
            head.train_on_batch(features[rows], labels[rows])
    kernel, bias = head.layers[-1].get_weights()
    return np.asarray(kernel), np.asarray(bias)
