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


def test_no_bucketing_keeps_full_width_and_order():
    ids = make_ids(10)
    batches = list(make_dataset(ids, None, batch_size=4, bucket=False))
    assert [b[0].shape[1] for b in batches] == [64, 64, 64]
    np.testing.assert_array_equal(np.concatenate([b[0].numpy() for b in batches]), ids)
