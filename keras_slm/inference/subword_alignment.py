"""Word-level tags on WordPiece inputs: each word is read at its first piece (NumPy, no Keras)."""

import numpy as np


def align_first_subword(sentences, tags, tokenizer, tag_ids, seq_len):
    """BERT inputs for word-tokenized sentences, piece-level tag ids, and each word's first piece.

    Args:
        sentences: list of token lists.
        tags: list of BIO tag lists (or None at prediction time).
        tokenizer: `keras_slm.text.WordPieceTokenizer`.
        tag_ids: dict tag -> id ("O" -> 0).
        seq_len: pieces per row, `[CLS]` and `[SEP]` included (words that do not fit are cut).

    Returns:
        (inputs, piece_tags, word_starts): inputs a dict of three `[n, seq_len]` int32
        arrays; piece_tags `[n, seq_len]` int32; word_starts a list (per sentence) of the
        first-piece position of each word that fit.

    Example:
    >>> from keras_slm.text import WordPieceTokenizer
    >>> tok = WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "new", "york", "##er", "is"])
    >>> x, y, starts = align_first_subword([["Yorker", "is"]], [["B-LOC", "O"]], tok, {"O": 0, "B-LOC": 1, "I-LOC": 2}, 6)
    >>> x["input_word_ids"].tolist(), y.tolist(), starts
    ([[2, 6, 7, 8, 3, 0]], [[0, 1, 2, 0, 0, 0]], [[1, 3]])
    """
    n = len(sentences)
    ids = np.zeros((n, seq_len), np.int32)
    piece_tags = np.zeros((n, seq_len), np.int32)
    starts = []
    for i, words in enumerate(sentences):
        row, row_tags, row_starts = [tokenizer.cls_id], [0], []
        for j, word in enumerate(words):
            pieces = [tokenizer.token_to_id(p) for p in tokenizer.tokenize(word)] or [tokenizer.unk_id]
            if len(row) + len(pieces) > seq_len - 1:
                break
            row_starts.append(len(row))
            row.extend(pieces)
            tag = tags[i][j] if tags is not None else "O"
            inside = "O" if tag == "O" else f"I-{tag[2:]}"
            row_tags.extend([tag_ids.get(tag, 0)] + [tag_ids.get(inside, 0)] * (len(pieces) - 1))
        row.append(tokenizer.sep_id)
        row_tags.append(0)
        ids[i, : len(row)] = row
        piece_tags[i, : len(row_tags)] = row_tags
        starts.append(row_starts)
    inputs = {"input_word_ids": ids, "input_mask": (ids != tokenizer.pad_id).astype(np.int32),
              "input_type_ids": np.zeros_like(ids)}
    return inputs, piece_tags, starts
