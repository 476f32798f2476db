"""Transformer taggers: a BERT-style encoder (WordPiece) + Dense emissions + CRF (or argmax),
with first-subword alignment between words and WordPiece tokens.

Alignment: each word's tag is read at its first WordPiece; continuation pieces are trained
with the word's inside tag (`I-X` inside an entity, `O` outside), so the CRF sees a valid BIO
sequence over pieces. `[CLS]`, `[SEP]` and padding are tagged `O`; padding is masked.
"""

import keras

from keras_slm.inference.subword_alignment import align_first_subword  # noqa: F401  (moved; the old path works)
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


def word_tags(piece_tag_ids, word_starts, labels, lengths):
    """Word-level BIO tags read at each word's first piece; words cut by `seq_len` get "O"."""
    out = []
    for row, starts, length in zip(piece_tag_ids, word_starts, lengths):
        tags = [labels[int(row[s])] for s in starts]
        out.append(tags + ["O"] * (length - len(tags)))
    return out
