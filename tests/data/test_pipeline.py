import numpy as np

from keras_slm.data import make_dataset


def make_ids(n=100, seq_len=64, seed=0):
    rng = np.random.default_rng(seed)
    ids = np.zeros((n, seq_len), np.int32)
    for i in range(n):
        k = int(rng.integers(2, seq_len))
        ids[i, 0] = 1
        ids[i, 1:k] = rng.integers(3, 50, k - 1)
    return ids


def test_bucketing_trims_padding_and_keeps_every_row():
    ids = make_ids()
    labels = np.arange(len(ids))
    seen = []
    for x, y in make_dataset(ids, labels, batch_size=16, shuffle=True):
        x, y = x.numpy(), y.numpy()
        assert x.shape[1] % 16 == 0 or x.shape[1] == 64
        np.testing.assert_array_equal(x, ids[y, : x.shape[1]])  # rows intact, only padding cut
        assert (ids[y, x.shape[1]:] == 0).all()
        seen.extend(y.tolist())
    assert sorted(seen) == list(range(len(ids)))


def test_shuffle_is_seeded_and_changes_per_epoch():
    ids = make_ids()
    labels = np.arange(len(ids))

    def epoch_orders(seed):
        ds = make_dataset(ids, labels, batch_size=16, shuffle=True, seed=seed)
        return [np.concatenate([y.numpy() for _, y in ds]).tolist() for _ in range(2)]

    a, b = epoch_orders(0), epoch_orders(0)
    assert a == b and a[0] != a[1]


def test_alternatives_swap_in_per_epoch_and_keep_the_epoch_length():
    """`--augment noise` on the fly: each epoch row i comes from ids or one of its k alternatives, seeded."""
    ids = make_ids(n=600)
    labels = np.arange(len(ids))
    alternatives = np.stack([np.where(ids > 0, ids + 100 * (c + 1), 0) for c in range(2)]).astype(np.int32)

    def epochs(seed):
        ds = make_dataset(ids, labels, batch_size=16, shuffle=True, seed=seed, alternatives=alternatives)
        out = []
        for _ in range(2):
            version = np.empty(len(ids), np.int64)
            for x, y in ds:
                x, y = x.numpy(), y.numpy()
                version[y] = x[:, 0] // 100  # the version each row came from: 0 clean, c + 1 copy c
                for row, i, v in zip(x, y, version[y]):  # whole rows, label kept
                    source = ids[i] if v == 0 else alternatives[v - 1, i]
                    np.testing.assert_array_equal(row, source[: len(row)])
            out.append(version)
        return out

    first, again = epochs(0), epochs(0)
    assert all((a == b).all() for a, b in zip(first, again))
    assert (first[0] != first[1]).any()  # a fresh draw each epoch
    for version in first:  # each version about 1 / 3 of the n rows the epoch still has
        assert all(150 < (version == v).sum() < 250 for v in range(3))
    first_ids = np.concatenate([x.numpy()[:, 0] for x, _ in make_dataset(ids, labels, 16, alternatives=alternatives)])
    assert (first_ids == 1).all()  # without shuffle (validation) the rows stay as they are


def test_no_bucketing_keeps_full_width_and_order():
    ids = make_ids(10)
    batches = list(make_dataset(ids, None, batch_size=4, bucket=False))
    assert [b[0].shape[1] for b in batches] == [64, 64, 64]
    np.testing.assert_array_equal(np.concatenate([b[0].numpy() for b in batches]), ids)


def test_predict_by_length_matches_padded_predictions_in_input_order():
    import pytest

    from keras_slm.data.pipeline import predict_by_length
    from keras_slm.models.classifiers import build_classifier
    from keras_slm.models.transformer_classifier import build_transformer_classifier

    ids = make_ids(n=300, seq_len=64, seed=3)  # lengths 2..63, shuffled, more than one batch
    bilstm = build_classifier("bilstm", vocab_size=50, num_classes=3)
    expected = bilstm.predict(ids, verbose=0)
    got = predict_by_length(bilstm, ids, batch_size=128)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    assert np.ptp(expected[:, 0]) > 1e-3  # rows differ, so a wrong order would show

    # BERT-style inputs (word ids, mask, segment ids) are trimmed alike.
    transformer = build_transformer_classifier("tiny_2x128", vocab_size=50, num_classes=2, max_length=64)
    arrays = [ids, (ids != 0).astype(np.int32), np.zeros_like(ids)]
    np.testing.assert_allclose(predict_by_length(transformer, arrays, batch_size=128),
                               transformer.predict(arrays, verbose=0), atol=1e-5)
    assert predict_by_length(bilstm, ids[:0]).shape[0] == 0
    with pytest.raises(Exception):
        predict_by_length(bilstm, np.zeros((2,), np.int32))  # not [n, seq_len]
