"""Keras preprocessing layer: raw strings -> token ids, inside a tf.data or Keras graph."""

import keras
import tensorflow as tf

from keras_slm.text.conventions import CJK_RANGES, RESERVED, START_ID, UNKNOWN_ID

# RE2 spelling of Python's Unicode `[^\w']+` (letters, numbers, underscore, apostrophe).
_TF_DELIMITER = r"[^\pL\pN_']+"
_TF_CJK = "([" + "".join(f"\\x{{{ord(a):04x}}}-\\x{{{ord(b):04x}}}" for a, b in CJK_RANGES) + "])"


@keras.saving.register_keras_serializable(package="keras_slm")
class TextToIds(keras.layers.Layer):
    """Tokenizes a batch of strings into `[batch, seq_len]` int32 ids with TF string ops.

    Gives the same ids as the tokenizer's Python `encode` (tested), so it can sit at the
    front of a training pipeline. It uses TF string ops, which LiteRT does not have:
    exported models take ids, and the app tokenizes (see tflite/README.md).

    Args:
        tokenizer_config: `tokenizer.get_config()` of a `WordTokenizer` or `CjkCharTokenizer`.
        seq_len: output length (`<START>` + tokens, truncated, `<PAD>`-padded).

    Example:
    >>> from keras_slm.text import WordTokenizer
    >>> tok = WordTokenizer.fit(["a good film", "a bad film"])
    >>> layer = tok.as_layer(seq_len=6)
    >>> layer(tf.constant(["A good day"])).numpy().tolist()
    [[1, 3, 6, 2, 0, 0]]
    """

    def __init__(self, tokenizer_config, seq_len, **kwargs):
        super().__init__(**kwargs)
        self.tokenizer_config = dict(tokenizer_config)
        self.seq_len = int(seq_len)
        # The config is `VocabTokenizer.get_config()`: read here, not through the tokenizer
        # classes, which import this layer for `as_layer` (no import cycle).
        vocabulary = list(self.tokenizer_config["vocabulary"])
        if tuple(vocabulary[:3]) != RESERVED:
            raise ValueError(f"`vocabulary` must start with {list(RESERVED)}, received {vocabulary[:3]}.")
        self._kind = self.tokenizer_config["kind"]
        self._lowercase = bool(self.tokenizer_config.get("lowercase", True))
        self._table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(
                tf.constant(vocabulary),
                tf.range(len(vocabulary), dtype=tf.int32),
            ),
            default_value=UNKNOWN_ID,
        )

    def call(self, texts):
        texts = tf.convert_to_tensor(texts, dtype=tf.string)
        if self._lowercase:
            texts = tf.strings.lower(texts, encoding="utf-8")
        if self._kind == "char":
            texts = tf.strings.regex_replace(texts, _TF_CJK, r" \1 ")
        texts = tf.strings.regex_replace(texts, _TF_DELIMITER, " ")
        tokens = tf.strings.split(texts)
        ids = tf.ragged.map_flat_values(self._table.lookup, tokens)
        start = tf.fill([tf.shape(texts)[0], 1], tf.constant(START_ID, tf.int32))
        ids = tf.concat([start, ids], axis=1)
        return ids.to_tensor(default_value=0, shape=[None, self.seq_len])

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.seq_len)

    def get_config(self):
        config = super().get_config()
        config.update({"tokenizer_config": self.tokenizer_config, "seq_len": self.seq_len})
        return config
