"""Contrastive tuning of sentence encoders (the SetFit recipe's machinery; the recipe is keras_slm.tasks.few_shot).

1. Contrastive fine-tuning: pairs drawn from the few labelled examples (same class -> cosine 1,
   different classes -> cosine 0), mean squared error on the cosine of their mean-pooled,
   unit-length embeddings (sentence-transformers' `CosineSimilarityLoss`).
2. A logistic-regression head fitted on the tuned embeddings.
3. Optionally, end-to-end fine-tuning of encoder and head with cross-entropy.

The result is an ordinary transformer `TextClassifier` (encoder -> mean pooling -> unit length ->
softmax Dense "scores"): it saves, evaluates, predicts, exports (builtin ops, BERT metadata) and
serves like any other. Reference: Tunstall et al. 2022, "Efficient Few-Shot Learning Without
Prompts" (https://github.com/huggingface/setfit).
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_slm.data.pipeline import _trimmed_width

DEFAULT_ITERATIONS = 20


def contrastive_pairs(labels, iterations=DEFAULT_ITERATIONS, seed=0, max_pairs=None):
    """SetFit's pairs: per iteration, each example with one same-class and one other-class example.

    Args:
        labels: class ids `[n]` (each class at least twice, at least two classes).
        iterations: R, the rounds over the examples (2 * R * n pairs in all).
        seed: the draw's seed.
        max_pairs: keep at most this many (a seeded sample, half positive), for big K.

    Returns:
        (first, second, target): index arrays into `labels` and float32 targets (1 same class, 0 not).

    Example:
    >>> a, b, y = contrastive_pairs([0, 0, 1, 1], iterations=1)
    >>> len(a), y.tolist()
    (8, [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0])
    """
    labels = np.asarray(labels)
    classes, counts = np.unique(labels, return_counts=True)
    if len(classes) < 2 or counts.min() < 2:
        raise ValueError(f"`labels` needs >= 2 classes with >= 2 examples each, received counts {dict(zip(classes.tolist(), counts.tolist()))}.")
    rng = np.random.default_rng(seed)
    same = {c: np.flatnonzero(labels == c) for c in classes}
    other = {c: np.flatnonzero(labels != c) for c in classes}
    first, second, target = [], [], []
    for _ in range(iterations):
        for i, c in enumerate(labels):
            partners = same[c][same[c] != i]
            first += [i, i]
            second += [int(rng.choice(partners)), int(rng.choice(other[c]))]
            target += [1.0, 0.0]
    first, second, target = np.array(first, np.int64), np.array(second, np.int64), np.array(target, np.float32)
    if max_pairs is not None and len(first) > max_pairs:
        keep = np.sort(np.concatenate([rng.permutation(np.flatnonzero(target == t))[: max_pairs // 2] for t in (1.0, 0.0)]))
        first, second, target = first[keep], second[keep], target[keep]
    return first, second, target


@keras.saving.register_keras_serializable(package="keras_slm")
class CosinePairModel(keras.Model):
    """Training wrapper: (word ids A, word ids B) -> cosine of their sentence embeddings.

    Both sides go through `embedder` (a `sentence_embedding_model`) in one batch; the mask and
    segment ids come from the ids (`[PAD]` = 0). Trained with mean squared error against 1/0.

    Args:
        embedder: BERT inputs -> unit-length embedding model (its weights are the ones trained).

    Example:
    >>> from keras_slm.models.transformer_encoder import build_encoder
    >>> from keras_slm.tasks import sentence_embedding_model
    >>> pairs = CosinePairModel(sentence_embedding_model(build_encoder("tiny_2x128", vocab_size=50)))
    >>> pairs((np.array([[2, 7, 3]]), np.array([[2, 8, 3]]))).shape
    TensorShape([1])
    """

    def __init__(self, embedder, **kwargs):
        super().__init__(**kwargs)
        self.embedder = embedder

    def call(self, inputs, training=False):
        first, second = inputs
        ids = ops.concatenate([first, second], axis=0)
        mask = ops.cast(ops.not_equal(ids, 0), "int32")
        vectors = self.embedder([ids, mask, ops.zeros_like(ids)], training=training)
        n = ops.shape(first)[0]
        return ops.sum(vectors[:n] * vectors[n:], axis=-1)

    def get_config(self):
        return {**super().get_config(), "embedder": keras.saving.serialize_keras_object(self.embedder)}

    @classmethod
    def from_config(cls, config):
        config["embedder"] = keras.saving.deserialize_keras_object(config["embedder"])
        return cls(**config)


def pair_dataset(ids, first, second, target, batch_size=16, seed=0):
    """Shuffled batches `((ids A, ids B), target)`, each trimmed to its longest row (a multiple of 16)."""
    lengths = np.maximum((ids != 0).sum(axis=1), 1)
    pair_lengths = np.maximum(lengths[first], lengths[second])
    epoch = [0]

    def generator():
        epoch[0] += 1
        order = np.random.default_rng([seed, epoch[0]]).permutation(len(first))
        for start in range(0, len(order), batch_size):
            index = order[start : start + batch_size]
            width = _trimmed_width(pair_lengths[index], ids.shape[1])
            yield (ids[first[index], :width], ids[second[index], :width]), target[index]

    spec = tf.TensorSpec([None, None], tf.int32)
    dataset = tf.data.Dataset.from_generator(
        generator, output_signature=((spec, spec), tf.TensorSpec([None], tf.float32))
    )
    return dataset.apply(tf.data.experimental.assert_cardinality(-(-len(first) // batch_size))).prefetch(2)


def fit_logistic_head(vectors, y, seed=0):
    """(kernel `[dim, classes]`, bias `[classes]`) of a logistic regression fitted on `vectors`.

    scikit-learn's `LogisticRegression` (C=1, as SetFit's default head), written as the weights
    of a softmax Dense layer: softmax(x @ kernel + bias) equals its `predict_proba` (for two
    classes the first column is zero: sigmoid(z) = softmax([0, z])[1]).
    """
    from sklearn.linear_model import LogisticRegression

    head = LogisticRegression(max_iter=1000, random_state=seed).fit(vectors, y)
    coef, intercept = head.coef_, head.intercept_
    if coef.shape[0] == 1:
        coef = np.concatenate([np.zeros_like(coef), coef])
        intercept = np.concatenate([[0.0], intercept])
    return coef.T.astype(np.float32), intercept.astype(np.float32)
