"""Shared machinery of the id-vocabulary tokenizers (word and character).

Ids follow MediaPipe's regex-tokenizer convention so that an exported classifier gets
the same ids on the phone: `<PAD>`=0, `<START>`=1, `<UNKNOWN>`=2, then the vocabulary by
decreasing count. Every encoded sequence starts with `<START>`, is truncated to
`seq_len` and padded with `<PAD>` at the end.
"""

import collections
import json
import os

import numpy as np

from keras_slm import files
from keras_slm.errors import ModelDirError

from keras_slm.text.conventions import PAD, PAD_ID, RESERVED, START, START_ID, UNKNOWN, UNKNOWN_ID  # noqa: F401

TOKENIZER_FILE = "tokenizer.json"
VOCAB_FILE = "vocab.txt"

_REGISTRY = {}


def register_tokenizer(cls):
    """Makes a tokenizer class loadable by `load_tokenizer` through its `kind`."""
    _REGISTRY[cls.kind] = cls
    return cls


class VocabTokenizer:
    """Base class: text -> tokens (subclass) -> ids (here).

    Args:
        vocabulary: list of tokens; index = id. Must start with the reserved tokens
            `<PAD>`, `<START>`, `<UNKNOWN>`. None gives an empty (reserved-only) vocabulary;
            use `fit` to learn one from text.
        lowercase: lowercase text before splitting.
    """

    kind = None

    def __init__(self, vocabulary=None, lowercase=True):
        vocabulary = list(RESERVED) if vocabulary is None else list(vocabulary)
        if tuple(vocabulary[:3]) != RESERVED:
            raise ValueError(
                f"`vocabulary` must start with {list(RESERVED)}, received {vocabulary[:3]}."
            )
        if len(set(vocabulary)) != len(vocabulary):
            raise ValueError("`vocabulary` holds duplicate tokens.")
        self.vocabulary = vocabulary
        self.lowercase = lowercase
        self._ids = {token: i for i, token in enumerate(vocabulary)}

    # -- subclasses -----------------------------------------------------------------
    def tokenize(self, text):
        """Splits one text into a list of string tokens."""
        raise NotImplementedError

    # -- vocabulary -----------------------------------------------------------------
    @classmethod
    def fit(cls, texts, min_count=1, max_size=None, **kwargs):
        """Learns a vocabulary from `texts`.

        Args:
            texts: iterable of strings.
            min_count: drop tokens seen fewer times.
            max_size: cap on the vocabulary size, reserved tokens included.
            **kwargs: constructor options (e.g. `lowercase`).
        """
        if max_size is not None and max_size <= len(RESERVED):
            raise ValueError(f"`max_size` must be > {len(RESERVED)}, received {max_size}.")
        tokenizer = cls(**kwargs)
        counts = collections.Counter()
        for text in texts:
            counts.update(tokenizer.tokenize(text))
        for token in RESERVED:
            counts.pop(token, None)
        # Count first, then the token itself, so equal counts give the same order every run.
        ranked = sorted(
            (t for t, c in counts.items() if c >= min_count), key=lambda t: (-counts[t], t)
        )
        if max_size is not None:
            ranked = ranked[: max_size - len(RESERVED)]
        return cls(vocabulary=list(RESERVED) + ranked, **kwargs)

    @property
    def vocab_size(self):
        return len(self.vocabulary)

    def token_to_id(self, token):
        return self._ids.get(token, UNKNOWN_ID)

    # -- encoding -------------------------------------------------------------------
    def encode_one(self, text, seq_len):
        """Ids of one text: `<START>`, token ids, `<PAD>` up to `seq_len` (int32 array)."""
        ids = [START_ID] + [self.token_to_id(t) for t in self.tokenize(text)]
        out = np.zeros(seq_len, dtype=np.int32)
        ids = ids[:seq_len]
        out[: len(ids)] = ids
        return out

    def encode(self, texts, seq_len):
        """Ids of many texts as an int32 array of shape `[len(texts), seq_len]`.

        Example:
        >>> from keras_slm.text import WordTokenizer
        >>> tok = WordTokenizer.fit(["a good film", "a bad film"])
        >>> tok.encode(["a good day"], seq_len=6).tolist()
        [[1, 3, 6, 2, 0, 0]]
        """
        if isinstance(texts, str):
            raise TypeError("`texts` must be a list of strings; wrap a single text in a list.")
        if seq_len < 2:
            raise ValueError(f"`seq_len` must be >= 2, received {seq_len}.")
        out = np.zeros((len(texts), seq_len), dtype=np.int32)
        for i, text in enumerate(texts):
            out[i] = self.encode_one(text, seq_len)
        return out

    # -- persistence ----------------------------------------------------------------
    def get_config(self):
        return {"kind": self.kind, "lowercase": self.lowercase, "vocabulary": self.vocabulary}

    def save(self, directory):
        """Writes `tokenizer.json` (full config) and `vocab.txt` (MediaPipe `token id` lines)."""
        os.makedirs(directory, exist_ok=True)
        files.write_text_atomic(
            os.path.join(directory, TOKENIZER_FILE),
            json.dumps(self.get_config(), ensure_ascii=False, indent=1),
        )
        files.write_text_atomic(
            os.path.join(directory, VOCAB_FILE),
            "".join(f"{t} {i}\n" for i, t in enumerate(self.vocabulary)),
        )

    def as_layer(self, seq_len):
        """A Keras preprocessing layer (strings -> ids) that reproduces `encode`."""
        from keras_slm.text.text_to_ids import TextToIds

        return TextToIds(tokenizer_config=self.get_config(), seq_len=seq_len)

    def __repr__(self):
        return f"{type(self).__name__}(vocab_size={self.vocab_size}, lowercase={self.lowercase})"


def tokenizer_from_config(config):
    config = dict(config)
    kind = config.pop("kind", None)
    if kind not in _REGISTRY:
        raise ValueError(f"Unknown tokenizer kind {kind!r}; known: {sorted(_REGISTRY)}.")
    vocabulary = config.get("vocabulary")
    if vocabulary is not None and (not isinstance(vocabulary, list) or not all(isinstance(t, str) for t in vocabulary)):
        raise ValueError("`vocabulary` must be a list of token strings.")
    return _REGISTRY[kind](**config)


def load_tokenizer(directory):
    """Loads the tokenizer saved in `directory` by `VocabTokenizer.save`.

    Raises:
        ModelDirError: no tokenizer.json, or one that is not valid JSON or not a tokenizer
            config (names the file and what was expected).
    """
    path = os.path.join(directory, TOKENIZER_FILE)
    if not os.path.exists(path):
        raise ModelDirError(f"{directory}: no {TOKENIZER_FILE} (not a keras-slm model directory?)")
    config = files.read_json(path, 'a tokenizer config {"kind": ..., "vocabulary": [...]}')
    try:
        return tokenizer_from_config(config)
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        raise ModelDirError(f"{path}: {e} (expected the tokenizer.json keras-slm wrote)") from None
