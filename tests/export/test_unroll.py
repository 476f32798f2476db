import numpy as np
import pytest

from keras_slm.export.unroll import has_rnn, unrolled_copy
from keras_slm.models import CLASSIFIERS, build_classifier


@pytest.mark.parametrize("family", sorted(CLASSIFIERS))
def test_unrolled_copy_shares_weights_and_outputs(family):
    model = build_classifier(family, vocab_size=60, num_classes=3)
    rng = np.random.default_rng(0)
    ids = rng.integers(3, 60, (5, 16)).astype(np.int32)
    ids[:, 0] = 1
    ids[2:, 9:] = 0
    flat = unrolled_copy(model, 16)
    assert has_rnn(model) == (family != "awe")
    rnns = [layer for layer in flat._flatten_layers() if hasattr(layer, "unroll")]
    assert all(layer.unroll for layer in rnns) and len(rnns) == {"awe": 0, "lstm": 1, "gru": 1, "bilstm": 2, "stacked_lstm": 2}[family]
    np.testing.assert_allclose(flat.predict(ids, verbose=0), model.predict(ids, verbose=0), atol=1e-5)


def test_unrolled_bidirectional_matches_on_padded_rows():
    import keras
    import numpy as np

    ids = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(20, 3, mask_zero=True)(ids)
    model = keras.Model(ids, keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True))(x))
    rows = np.array([[3, 4, 5, 6, 0, 0], [1, 2, 3, 4, 5, 6]], "int32")
    np.testing.assert_allclose(np.asarray(unrolled_copy(model, 6)(rows)), np.asarray(model(rows)), atol=1e-6)
