"""BERT-compatible WordPiece tokenizer: train a vocabulary, encode to BERT's three inputs.

Text is cleaned, CJK characters are split into single tokens, words are lowercased and
stripped of accents (uncased BERT), split on punctuation, then cut into the longest
vocabulary pieces (`##` marks a piece inside a word), exactly as BERT's reference
tokenizer (and MediaPipe's BERT tokenizer on the phone) does. The vocabulary file is one
token per line (BERT format), so a published `vocab.txt` (e.g. MiniLM's) loads as it is.

`encode` gives what a BERT-style model takes: `input_word_ids` (`[CLS]` tokens `[SEP]`,
padded with `[PAD]`=0), `input_mask` (1 on real tokens) and `input_type_ids` (zeros).
"""

import json
import os
import unicodedata

import numpy as np

from keras_slm import files
from keras_slm.text.vocab_tokenizer import TOKENIZER_FILE, VOCAB_FILE, register_tokenizer

PAD, UNK, CLS, SEP, MASK = "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"
SPECIAL_TOKENS = (PAD, UNK, CLS, SEP, MASK)
INPUT_NAMES = ("input_word_ids", "input_mask", "input_type_ids")
MAX_CHARS_PER_WORD = 100


def _is_cjk(cp):
    # The CJK Unified Ideographs blocks, as in BERT's tokenizer (not Hangul or kana).
    return (
        0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F
    )


def _is_punctuation(char):
    cp = ord(char)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_whitespace(char):
    return char in " \t\n\r" or unicodedata.category(char) == "Zs"


def _is_control(char):
    if char in "\t\n\r":
        return False
    return unicodedata.category(char) in ("Cc", "Cf")


def basic_tokenize(text, lowercase=True):
    """BERT's pre-tokenization: words and punctuation marks, CJK characters one by one.

    Example:
    >>> basic_tokenize("Héllo, World! 我喜欢")
    ['hello', ',', 'world', '!', '我', '喜', '欢']
    """
    chars = []
    for char in text:
        cp = ord(char)
        if cp == 0 or cp == 0xFFFD or _is_control(char):
            continue
        if _is_cjk(cp):
            chars.extend((" ", char, " "))
        elif _is_whitespace(char):
            chars.append(" ")
        else:
            chars.append(char)
    words = []
    for word in "".join(chars).split():
        if lowercase:
            word = word.lower()
            word = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
        current = []
        for char in word:
            if _is_punctuation(char):
                if current:
                    words.append("".join(current))
                    current = []
                words.append(char)
            else:
                current.append(char)
        if current:
            words.append("".join(current))
    return words


@register_tokenizer
class WordPieceTokenizer:
    """BERT WordPiece tokenizer with `[PAD]`, `[UNK]`, `[CLS]`, `[SEP]`, `[MASK]`.

    Args:
        vocabulary: list of tokens (index = id) holding the five special tokens, with
            `[PAD]` at id 0. Learn one with `WordPieceTokenizer.fit(texts, vocab_size)` or
            read a BERT `vocab.txt` with `WordPieceTokenizer.from_vocab_file(path)`.
        lowercase: lowercase and strip accents (uncased BERT models).

    Example:
    >>> tok = WordPieceTokenizer.fit(["a good film", "a bad film", "films"] * 20, vocab_size=60)
    >>> tok.tokenize("A good FILM!")
    ['a', 'good', 'film', '!']
    >>> sorted(tok.encode(["a good film"], seq_len=8))
    ['input_mask', 'input_type_ids', 'input_word_ids']
    """

    kind = "wordpiece"
    input_names = INPUT_NAMES

    def __init__(self, vocabulary, lowercase=True):
        vocabulary = list(vocabulary)
        missing = [t for t in SPECIAL_TOKENS if t not in vocabulary]
        if missing:
            raise ValueError(f"`vocabulary` lacks the special token(s) {missing}.")
        if vocabulary[0] != PAD:
            raise ValueError(f"`vocabulary` must have {PAD} at id 0, received {vocabulary[0]!r}.")
        if len(set(vocabulary)) != len(vocabulary):
            raise ValueError("`vocabulary` holds duplicate tokens.")
        self.vocabulary = vocabulary
        self.lowercase = bool(lowercase)
        self._ids = {token: i for i, token in enumerate(vocabulary)}
        self.pad_id, self.unk_id = self._ids[PAD], self._ids[UNK]
        self.cls_id, self.sep_id, self.mask_id = self._ids[CLS], self._ids[SEP], self._ids[MASK]

    @staticmethod
    def pre_tokenize(text, lowercase=True):
        """Text -> words before WordPiece (BERT's `basic_tokenize`; subclasses may change it)."""
        return basic_tokenize(text, lowercase)

    # -- vocabulary -----------------------------------------------------------------
    @classmethod
    def fit(cls, texts, vocab_size=8000, lowercase=True, max_size=None, min_count=None):
        """Learns a WordPiece vocabulary from `texts` (tensorflow-text's BERT vocab learner).

        Args:
            texts: iterable of strings.
            vocab_size: the largest vocabulary to learn, special tokens included.
            lowercase: lowercase and strip accents first.
            max_size: alias of `vocab_size` (the word/char tokenizers' name).
            min_count: unused; accepted so all tokenizers share `fit`'s call.
        """
        import tensorflow as tf
        from keras_hub.tokenizers import compute_word_piece_vocabulary

        vocab_size = int(max_size or vocab_size)
        if vocab_size <= len(SPECIAL_TOKENS):
            raise ValueError(f"`vocab_size` must be > {len(SPECIAL_TOKENS)}, received {vocab_size}.")
        words = [w for text in texts for w in cls.pre_tokenize(text, lowercase)]
        if not words:
            raise ValueError("`texts` hold no words to learn a vocabulary from.")
        # Pre-tokenized here, so training and `tokenize` split text the same way.
        chunks = [words[i : i + 4096] for i in range(0, len(words), 4096)]
        data = tf.data.Dataset.from_generator(
            lambda: iter(chunks), output_signature=tf.TensorSpec([None], tf.string)
        )
        vocab = compute_word_piece_vocabulary(
            data, vocab_size, lowercase=False, strip_accents=False, split=False,
            reserved_tokens=list(SPECIAL_TOKENS),
        )
        return cls(vocabulary=vocab, lowercase=lowercase)

    @classmethod
    def from_vocab_file(cls, path, lowercase=True):
        """Reads a BERT `vocab.txt` (one token per line, line number = id)."""
        with open(path, encoding="utf-8") as f:
            return cls(vocabulary=[line.rstrip("\n") for line in f], lowercase=lowercase)

    @property
    def vocab_size(self):
        return len(self.vocabulary)

    def token_to_id(self, token):
        return self._ids.get(token, self.unk_id)

    # -- tokenization ---------------------------------------------------------------
    def _word_pieces(self, word):
        if len(word) > MAX_CHARS_PER_WORD:
            return [UNK]
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self._ids:
                    break
                end -= 1
            if end == start:
                return [UNK]  # BERT: a word with any unknown piece is one [UNK]
            pieces.append(piece)
            start = end
        return pieces

    def tokenize(self, text):
        """Splits one text into WordPiece tokens (no [CLS]/[SEP])."""
        return [p for word in self.pre_tokenize(text, self.lowercase) for p in self._word_pieces(word)]

    def encode_ids(self, text, seq_len):
        """int32 ids of one text: `[CLS]` pieces `[SEP]`, truncated and padded to `seq_len`."""
        pieces = [self.token_to_id(t) for t in self.tokenize(text)][: seq_len - 2]
        out = np.full(seq_len, self.pad_id, dtype=np.int32)
        ids = [self.cls_id, *pieces, self.sep_id]
        out[: len(ids)] = ids
        return out

    def encode(self, texts, seq_len):
        """BERT inputs for many texts: a dict of three int32 `[len(texts), seq_len]` arrays.

        Keys are `input_word_ids`, `input_mask` (1 on real tokens, 0 on padding) and
        `input_type_ids` (zeros: one segment), the input names of our transformer models.

        Example:
        >>> tok = WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "film"])
        >>> tok.encode(["Good film"], seq_len=6)["input_word_ids"].tolist()
        [[2, 5, 6, 3, 0, 0]]
        """
        if isinstance(texts, str):
            raise TypeError("`texts` must be a list of strings; wrap a single text in a list.")
        if seq_len < 3:
            raise ValueError(f"`seq_len` must be >= 3 ([CLS], a token, [SEP]), received {seq_len}.")
        ids = np.zeros((len(texts), seq_len), dtype=np.int32)
        for i, text in enumerate(texts):
            ids[i] = self.encode_ids(text, seq_len)
        mask = (ids != self.pad_id).astype(np.int32)
        return {"input_word_ids": ids, "input_mask": mask, "input_type_ids": np.zeros_like(ids)}

    # -- persistence ----------------------------------------------------------------
    def get_config(self):
        return {"kind": self.kind, "lowercase": self.lowercase, "vocabulary": self.vocabulary}

    def save(self, directory):
        """Writes `tokenizer.json` (config + vocabulary) and `vocab.txt` (one token per line, BERT)."""
        os.makedirs(directory, exist_ok=True)
        files.write_text_atomic(
            os.path.join(directory, TOKENIZER_FILE),
            json.dumps(self.get_config(), ensure_ascii=False, indent=1),
        )
        files.write_text_atomic(os.path.join(directory, VOCAB_FILE), "".join(t + "\n" for t in self.vocabulary))

    def __repr__(self):
        return f"WordPieceTokenizer(vocab_size={self.vocab_size}, lowercase={self.lowercase})"
