"""Reversible, case-keeping WordPiece for generated text (the target side of translation)."""

from keras_slm.text.vocab_tokenizer import register_tokenizer
from keras_slm.text.wordpiece_tokenizer import UNK, WordPieceTokenizer


@register_tokenizer
class SubwordTokenizer(WordPieceTokenizer):
    """WordPiece over white-space words, keeping case and punctuation, so ids turn back into text.

    BERT's WordPiece lowercases and splits punctuation off, which cannot be undone; a model
    that *writes* text needs the way back. Here a word is whatever lies between white
    space ("What're", "you?"), cut into the longest vocabulary pieces (`##` marks a piece
    inside a word). `detokenize` joins pieces: a `##` piece glues to the one before, other
    pieces start a new word. Special tokens are the WordPiece ones (`[PAD]`=0, `[UNK]`,
    `[CLS]` starts a sentence, `[SEP]` ends it, `[MASK]`).

    Args:
        vocabulary: list of tokens (index = id) with the five special tokens, `[PAD]` first.
            Learn one with `SubwordTokenizer.fit(texts, vocab_size)`.
        lowercase: lowercase first (default False: generated text keeps its case).

    Example:
    >>> tok = SubwordTokenizer.fit(["What're you saying?", "I'm saying hi."] * 20, vocab_size=80)
    >>> tok.detokenize(tok.tokenize("What're you saying?"))
    "What're you saying?"
    """

    kind = "subword"

    def __init__(self, vocabulary, lowercase=False):
        super().__init__(vocabulary, lowercase=lowercase)

    @staticmethod
    def pre_tokenize(text, lowercase=False):
        """Words = runs of non-white-space characters."""
        return (text.lower() if lowercase else text).split()

    @classmethod
    def fit(cls, texts, vocab_size=8000, lowercase=False, max_size=None, min_count=None):
        """Learns a vocabulary from `texts` (see `WordPieceTokenizer.fit`)."""
        return super().fit(texts, vocab_size=vocab_size, lowercase=lowercase, max_size=max_size)

    def detokenize(self, tokens):
        """Pieces (strings or ids) -> text; special tokens other than `[UNK]` are dropped."""
        words = []
        for token in tokens:
            piece = self.vocabulary[int(token)] if not isinstance(token, str) else token
            if piece != UNK and piece.startswith("[") and piece.endswith("]") and piece in self._ids:
                continue
            if piece.startswith("##") and words:
                words[-1] += piece[2:]
            else:
                words.append(piece)
        return " ".join(words)
