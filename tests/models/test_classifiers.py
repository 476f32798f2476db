import numpy as np
import pytest

from keras_slm.models import CLASSIFIERS, build_classifier
from tests.harness import assert_roundtrip


def ids(n=6, seq_len=12, vocab=40, seed=0):
    rng = np.random.default_rng(seed)
    out = np.zeros((n, seq_len), np.int32)
    for i in range(n):
        k = int(rng.integers(2, seq_len))
        out[i, 0] = 1
        out[i, 1:k] = rng.integers(3, vocab, k - 1)
    return out


@pytest.mark.parametrize("family", sorted(CLASSIFIERS))
def test_builds_predicts_and_roundtrips(family, tmp_path):
    model = build_classifier(family, vocab_size=40, num_classes=3)
    scores = model.predict(ids(), verbose=0)
    assert scores.shape == (6, 3)
    np.testing.assert_allclose(scores.sum(axis=1), 1.0, rtol=1e-5)
    assert_roundtrip(model, ids(), tmp_path)


@pytest.mark.parametrize("family", sorted(CLASSIFIERS))
def test_padding_is_masked(family):
    """Extra end padding must not change the prediction (masking is on)."""
    model = build_classifier(family, vocab_size=40, num_classes=2)
    x = ids(seq_len=10)
    padded = np.concatenate([x, np.zeros((len(x), 20), np.int32)], axis=1)
    np.testing.assert_allclose(model.predict(x, verbose=0), model.predict(padded, verbose=0), atol=1e-5)


def test_binary_head():
    model = build_classifier("awe", vocab_size=40, num_classes=2, binary_head=True)
    assert model.output_shape == (None, 1)
    with pytest.raises(ValueError, match="num_classes=2"):
        build_classifier("awe", vocab_size=40, num_classes=3, binary_head=True)


def test_argument_errors():
    with pytest.raises(ValueError, match="`model` must be one of"):
        build_classifier("cnn", vocab_size=40, num_classes=2)
    with pytest.raises(ValueError, match="num_classes"):
        build_classifier("lstm", vocab_size=40, num_classes=1)
    with pytest.raises(ValueError, match="vocab_size"):
        build_classifier("lstm", vocab_size=2, num_classes=2)
