"""tf.data pipelines for id sequences: shuffling, length bucketing, dynamic padding."""

import numpy as np
import tensorflow as tf


def _lengths(ids):
    return np.maximum((ids != 0).sum(axis=1), 1)


def _trimmed_width(lengths, seq_len):
    # Round up to a multiple of 16 so only a few shapes get traced.
    return min(seq_len, -(-int(lengths.max()) // 16) * 16)


def predict_by_length(model, inputs, batch_size=256):
    """`model.predict(inputs)` with rows batched by length, each batch trimmed to its longest row.

    For models that mask padding (every classifier and encoder in `keras_slm.models`) the
    scores equal those of the padded rows (float round-off aside) and come several times
    faster on short texts: MiniLM on 2,000 SST-2 training rows at length 128, 55 s -> 10 s.
    Rows come back in input order.

    Args:
        model: a Keras model.
        inputs: int32 array `[n, seq_len]`, end-padded with 0, or a list of such arrays that
            are trimmed alike (BERT-style word ids, mask and segment ids: lengths from the first).
        batch_size: rows per batch.

    Example:
    >>> import keras, numpy as np
    >>> from keras_slm.models.classifiers import build_classifier
    >>> net = build_classifier("awe", vocab_size=10, num_classes=2)
    >>> ids = np.array([[4, 5, 0, 0], [6, 0, 0, 0]], np.int32)
    >>> np.allclose(predict_by_length(net, ids), net.predict(ids, verbose=0), atol=1e-6)
    True
    """
    arrays = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    n, seq_len = arrays[0].shape
    if n == 0:  # Keras' predict fails on no rows: take the output shape from one padding row
        one = [np.zeros((1, 1), a.dtype) for a in arrays]
        return np.asarray(model.predict(one if len(one) > 1 else one[0], verbose=0))[:0]
    lengths = _lengths(arrays[0])
    order = np.argsort(lengths, kind="stable")
    out = None
    for start in range(0, n, batch_size):
        index = order[start : start + batch_size]
        width = _trimmed_width(lengths[index], seq_len)
        batch = [a[index, :width] for a in arrays]
        # `predict`, not `predict_on_batch`: under a MirroredStrategy the latter returns each
        # replica's rows for the whole batch (twice the rows with 2 replicas). Both are as fast.
        scores = np.asarray(model.predict(batch if len(batch) > 1 else batch[0], batch_size=len(index), verbose=0))
        if out is None:
            out = np.empty((n,) + scores.shape[1:], scores.dtype)
        out[index] = scores
    return out


def make_dataset(ids, labels=None, batch_size=32, shuffle=False, seed=0, bucket=True, alternatives=None):
    """A `tf.data.Dataset` of (ids, labels) batches.

    With `bucket=True`, rows of similar length are batched together and each batch is
    trimmed to its longest row, which cuts RNN training time several-fold on data with
    many short texts. Models built by `keras_slm.models` accept any length (they are
    exported with a fixed one).

    Args:
        ids: int32 array `[n, seq_len]`, end-padded with 0.
        labels: int array `[n]` (or `[n, ...]`), or None for prediction.
        batch_size: rows per batch.
        shuffle: shuffle rows (seeded) and batches every epoch.
        seed: shuffle seed.
        bucket: batch by length and trim padding.
        alternatives: int32 array `[k, n, seq_len]`, other versions of every row (noisy copies for
            `--augment noise`; a row equal to its `ids` row where it has none). With `shuffle`, each
            epoch takes row i from `ids` with probability 1 / (k + 1), else from one of its k
            alternatives (seeded per epoch): the epoch keeps n rows. Ignored without `shuffle`.

    Example:
    >>> import numpy as np
    >>> ds = make_dataset(np.array([[1, 5, 0, 0], [1, 6, 7, 0]], np.int32), np.array([0, 1]), 2)
    >>> [x.shape for x, y in ds]
    [TensorShape([2, 4])]
    """
    ids = np.asarray(ids, dtype=np.int32)
    n, seq_len = ids.shape
    versions = None
    if alternatives is not None and shuffle:
        versions = np.concatenate([ids[None], np.asarray(alternatives, dtype=np.int32)])
        if versions.shape[1:] != ids.shape:
            raise ValueError(f"`alternatives` must have shape [k, {n}, {seq_len}], received {np.shape(alternatives)}.")
    current = {"ids": ids, "lengths": _lengths(ids)}
    labels_arr = None if labels is None else np.asarray(labels)
    epoch = [0]

    def batches():
        order = np.arange(n)
        if shuffle:
            epoch[0] += 1
            order = np.random.default_rng([seed, epoch[0]]).permutation(n)
        if versions is not None:
            pick = np.random.default_rng([seed, epoch[0], 2]).integers(0, len(versions), n)
            current["ids"] = versions[pick, np.arange(n)]
            current["lengths"] = _lengths(current["ids"])
        lengths = current["lengths"]
        if bucket:
            # Stable sort by length after the shuffle: equal-length rows stay shuffled.
            order = order[np.argsort(lengths[order], kind="stable")]
        chunks = [order[i : i + batch_size] for i in range(0, n, batch_size)]
        if shuffle:
            chunks = [chunks[i] for i in np.random.default_rng([seed, epoch[0], 1]).permutation(len(chunks))]
        return chunks

    def generator():
        for index in batches():
            width = _trimmed_width(current["lengths"][index], seq_len) if bucket else seq_len
            x = current["ids"][index, :width]
            if labels_arr is None:
                yield (x,)
            else:
                yield x, labels_arr[index]

    x_spec = tf.TensorSpec([None, None], tf.int32)
    if labels is None:
        signature = (x_spec,)
    else:
        y_spec = tf.TensorSpec([None] + list(labels_arr.shape[1:]), tf.as_dtype(labels_arr.dtype))
        signature = (x_spec, y_spec)
    dataset = tf.data.Dataset.from_generator(generator, output_signature=signature)
    # A known length lets Keras show real progress and not warn that the data "ran out".
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(-(-n // batch_size)))
    return dataset.prefetch(2)
