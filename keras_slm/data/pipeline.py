"""tf.data pipelines for id sequences: shuffling, length bucketing, dynamic padding."""

import numpy as np
import tensorflow as tf


def _lengths(ids):
    return np.maximum((ids != 0).sum(axis=1), 1)


def make_dataset(ids, labels=None, batch_size=32, shuffle=False, seed=0, bucket=True):
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

    Example:
    >>> import numpy as np
    >>> ds = make_dataset(np.array([[1, 5, 0, 0], [1, 6, 7, 0]], np.int32), np.array([0, 1]), 2)
    >>> [x.shape for x, y in ds]
    [TensorShape([2, 4])]
    """
    ids = np.asarray(ids, dtype=np.int32)
    n, seq_len = ids.shape
    lengths = _lengths(ids)
    labels_arr = None if labels is None else np.asarray(labels)
    epoch = [0]

    def batches():
        order = np.arange(n)
        if shuffle:
            epoch[0] += 1
            order = np.random.default_rng([seed, epoch[0]]).permutation(n)
        if bucket:
            # Stable sort by length after the shuffle: equal-length rows stay shuffled.
            order = order[np.argsort(lengths[order], kind="stable")]
        chunks = [order[i : i + batch_size] for i in range(0, n, batch_size)]
        if shuffle:
            chunks = [chunks[i] for i in np.random.default_rng([seed, epoch[0], 1]).permutation(len(chunks))]
        return chunks

    def generator():
        for index in batches():
            width = seq_len
            if bucket:
                # Round up to a multiple of 16 so only a few shapes get traced.
                width = min(seq_len, -(-int(lengths[index].max()) // 16) * 16)
            x = ids[index, :width]
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
