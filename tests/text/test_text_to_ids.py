import keras
import numpy as np
import tensorflow as tf

from keras_slm.text import CharTokenizer, TextToIds, WordTokenizer

TEXTS = [
    "It's a GREAT film, isn't it?",
    "snake_case and   spaces",
    "Café au lait: très bon",
    "我喜欢吃苹果 and iPhone 13！",
    "",
    "word " * 40,
]


def test_word_layer_matches_python_encode():
    tok = WordTokenizer.fit(TEXTS)
    layer = tok.as_layer(seq_len=16)
    np.testing.assert_array_equal(layer(tf.constant(TEXTS)).numpy(), tok.encode(TEXTS, 16))


def test_char_layer_matches_python_encode():
    tok = CharTokenizer.fit(TEXTS)
    layer = tok.as_layer(seq_len=16)
    np.testing.assert_array_equal(layer(tf.constant(TEXTS)).numpy(), tok.encode(TEXTS, 16))


def test_layer_serializes_in_a_model(tmp_path):
    tok = WordTokenizer.fit(TEXTS)
    inputs = keras.Input(shape=(), dtype="string")
    model = keras.Model(inputs, tok.as_layer(seq_len=8)(inputs))
    path = str(tmp_path / "pre.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded.layers[-1], TextToIds)
    np.testing.assert_array_equal(loaded(tf.constant(TEXTS)).numpy(), tok.encode(TEXTS, 8))


def test_layer_in_tf_data_pipeline():
    tok = WordTokenizer.fit(TEXTS)
    layer = tok.as_layer(seq_len=12)
    ds = tf.data.Dataset.from_tensor_slices(TEXTS).batch(3).map(layer)
    got = np.concatenate([b.numpy() for b in ds])
    np.testing.assert_array_equal(got, tok.encode(TEXTS, 12))
