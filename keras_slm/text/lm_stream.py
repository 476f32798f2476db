"""Text <-> one id stream for language models, for the word, character and WordPiece tokenizers.

A language model reads a text as one long sequence of ids. Each tokenizer kind maps to it:

- character (`CodepointTokenizer`): `<START>` then every character, newlines included;
  decoding joins characters, so `decode(encode(t)) == t` for known characters.
- word (`WordTokenizer`): each non-empty line is `<START>` and its words; decoding joins
  words with spaces and starts a new line at each `<START>`.
- wordpiece (`WordPieceTokenizer`): each non-empty line is `[CLS]` and its pieces;
  decoding glues `##` pieces onto the previous piece.
"""

import os

import numpy as np

from keras_slm import files
from keras_slm.errors import ModelDirError
from keras_slm.text.codepoint_tokenizer import CodepointTokenizer
from keras_slm.text.vocab_tokenizer import START_ID, TOKENIZER_FILE, UNKNOWN_ID, load_tokenizer

LM_TOKENIZERS = ("char", "word", "wordpiece")


def _wordpiece_class():
    from keras_slm.text.wordpiece_tokenizer import WordPieceTokenizer  # imports TF text tools

    return WordPieceTokenizer


def fit_lm_tokenizer(kind, text, max_vocab=20000, min_count=1):
    """Learns the vocabulary of an LM tokenizer of `kind` ("char", "word", "wordpiece") on `text`."""
    if kind == "char":
        return CodepointTokenizer.fit([text], min_count=min_count, max_size=max_vocab)
    if kind == "word":
        from keras_slm.text.word_tokenizer import WordTokenizer

        return WordTokenizer.fit(text.splitlines(), min_count=min_count, max_size=max_vocab)
    if kind == "wordpiece":
        return _wordpiece_class().fit(text.splitlines(), vocab_size=max_vocab)
    raise ValueError(f"`tokenizer` must be one of {LM_TOKENIZERS}, received {kind!r}.")


def lm_kind(tokenizer):
    """"char", "word" or "wordpiece" for a tokenizer object."""
    return {"character": "char", "word": "word", "wordpiece": "wordpiece"}[tokenizer.kind]


def start_id(tokenizer):
    """The id that opens a text (character) or a line (word, WordPiece)."""
    return tokenizer.cls_id if tokenizer.kind == "wordpiece" else START_ID


def blocked_ids(tokenizer):
    """Ids generation must never produce: padding, unknown tokens (and `<START>` for characters)."""
    if tokenizer.kind == "wordpiece":
        return [tokenizer.pad_id, tokenizer.unk_id, tokenizer.sep_id, tokenizer.mask_id]
    if tokenizer.kind == "character":
        return [0, START_ID, UNKNOWN_ID]  # <START> opens the text only; newlines are characters
    return [0, UNKNOWN_ID]


def encode_stream(tokenizer, text):
    """int32 ids of a whole text as one LM stream (see the module docstring).

    Example:
    >>> tok = CodepointTokenizer.fit(["ab"])
    >>> encode_stream(tok, "ab\\nb").tolist()
    [1, 3, 4, 2, 4]
    """
    if tokenizer.kind == "character":
        ids = [START_ID] + [tokenizer.token_to_id(c) for c in tokenizer.tokenize(text)]
    else:
        ids, first = [], start_id(tokenizer)
        for line in text.splitlines():
            tokens = tokenizer.tokenize(line)
            if tokens:
                ids.append(first)
                ids.extend(tokenizer.token_to_id(t) for t in tokens)
    return np.asarray(ids, dtype=np.int32)


def encode_prompt(tokenizer, prompt):
    """Ids a generation starts from: like `encode_stream`, and never empty."""
    ids = encode_stream(tokenizer, prompt).tolist()
    return ids or [start_id(tokenizer)]


def decode(tokenizer, ids, continuation=False):
    """Text of LM ids. `continuation=True` formats ids that follow a prompt (leading space for words)."""
    ids = [int(i) for i in ids]
    if tokenizer.kind == "character":
        return tokenizer.decode(ids)
    first = start_id(tokenizer)
    words = []
    for i in ids:
        if i == first:
            words.append("\n")
        elif 0 <= i < tokenizer.vocab_size and i not in blocked_ids(tokenizer)[:1]:
            token = tokenizer.vocabulary[i]
            if tokenizer.kind == "wordpiece" and token.startswith("##") and words and words[-1] != "\n":
                words[-1] += token[2:]
            else:
                words.append(token)
    text = ""
    for w in words:
        text += w if w == "\n" or not text or text.endswith("\n") else " " + w
    if continuation and text and not text.startswith("\n") and not (
        tokenizer.kind == "wordpiece" and tokenizer.vocabulary[ids[0]].startswith("##")
    ):
        text = " " + text
    return text.lstrip("\n") if not continuation else text


def is_word_piece_continuation(tokenizer, token_id):
    """True when `token_id` continues the current word (a character that is not a space, a `##` piece)."""
    token = tokenizer.vocabulary[token_id] if 0 <= token_id < tokenizer.vocab_size else ""
    if tokenizer.kind == "character":
        return token_id > UNKNOWN_ID and not token.isspace()
    if tokenizer.kind == "wordpiece":
        return token.startswith("##")
    return False


def load_lm_tokenizer(directory):
    """Loads the tokenizer saved in a language-model directory."""
    path = os.path.join(directory, TOKENIZER_FILE)
    if not os.path.exists(path):
        raise ModelDirError(f"{directory}: no {TOKENIZER_FILE} (not a keras-slm model directory?)")
    kind = files.read_json(path, 'a tokenizer config {"kind": ..., "vocabulary": [...]}').get("kind")
    if kind == "wordpiece":
        _wordpiece_class()  # registers the kind
    return load_tokenizer(directory)
