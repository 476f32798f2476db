"""Transformer taggers: a BERT-style encoder (WordPiece) + Dense emissions + CRF (or argmax),
with first-subword alignment between words and WordPiece tokens.

Alignment: each word's tag is read at its first WordPiece; continuation pieces are trained
with the word's inside tag (`I-X` inside an entity, `O` outside), so the CRF sees a valid BIO
sequence over pieces. `[CLS]`, `[SEP]` and padding are tagged `O`; padding is masked.
"""

import keras
import numpy as np

from keras_slm.layers import CRF, TagArgmax
from keras_slm.models.taggers import EMISSIONS


def transformer_tagger(encoder, num_tags, crf=True, dropout=0.1, name=None):
    """Encoder (`keras_slm.models.transformer_encoder`) -> Dense emissions -> CRF / argmax.

    Args:
        encoder: a functional encoder with inputs `input_word_ids`, `input_mask`,
            `input_type_ids` and output `[batch, length, hidden]` (e.g. `build_encoder`).
        num_tags: number of BIO tags, "O" = 0.
        crf: CRF output (Viterbi in the graph) or per-piece argmax.
        dropout: dropout before the emission layer.

    Returns:
        `keras.Model`: the three BERT inputs -> `[batch, length]` int32 tag ids per WordPiece.

    Example:
    >>> from keras_slm.models.transformer_encoder import build_encoder
    >>> model = transformer_tagger(build_encoder("tiny_2x128", vocab_size=500, max_length=32), num_tags=5)
    >>> tuple(model.output.shape)
    (None, None)
    """
    if not isinstance(num_tags, int) or num_tags < 2:
        raise ValueError(f"`num_tags` must be an integer >= 2, received {num_tags!r}.")
    inputs = [keras.Input(shape=(None,), dtype="int32", name=t.name.split(":")[0]) for t in encoder.inputs]
    x = encoder(inputs)
    x = keras.layers.Dropout(dropout, name="tagger_dropout")(x)
    x = keras.layers.Dense(num_tags, name=EMISSIONS)(x)
    mask = inputs[1]  # input_mask: 1 on [CLS] pieces [SEP]
    tags = CRF(num_tags, name="crf")(x, mask=mask) if crf else TagArgmax(name="argmax")(x, mask=mask)
    return keras.Model(inputs, tags, name=name or ("transformer_crf" if crf else "transformer_softmax"))


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


def word_tags(piece_tag_ids, word_starts, labels, lengths):
    """Word-level BIO tags read at each word's first piece; words cut by `seq_len` get "O"."""
    out = []
    for row, starts, length in zip(piece_tag_ids, word_starts, lengths):
        tags = [labels[int(row[s])] for s in starts]
        out.append(tags + ["O"] * (length - len(tags)))
    return out
