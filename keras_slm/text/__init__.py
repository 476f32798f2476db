"""Tokenizers: word (MediaPipe regex compatible), CJK characters + words (`CjkCharTokenizer`), every character (`CodepointTokenizer`), WordPiece."""

from keras_slm.text.cjk_char_tokenizer import CharTokenizer, CjkCharTokenizer  # CharTokenizer: the old name
from keras_slm.text.codepoint_tokenizer import CharacterTokenizer, CodepointTokenizer  # CharacterTokenizer: the old name
from keras_slm.text.vocab_tokenizer import (
    PAD,
    PAD_ID,
    START,
    START_ID,
    UNKNOWN,
    UNKNOWN_ID,
    VocabTokenizer,
    load_tokenizer,
    tokenizer_from_config,
)
from keras_slm.text.subword_tokenizer import SubwordTokenizer
from keras_slm.text.word_tokenizer import WordTokenizer
from keras_slm.text.word_vectors import WORD_VECTORS, init_word_embedding, load_word_vectors
from keras_slm.text.wordpiece_tokenizer import WordPieceTokenizer

TOKENIZERS = {"word": WordTokenizer, "char": CjkCharTokenizer, "wordpiece": WordPieceTokenizer}


def make_tokenizer(kind):
    """The tokenizer class for `kind` ("word" or "char")."""
    if kind not in TOKENIZERS:
        raise ValueError(f"`tokenizer` must be one of {sorted(TOKENIZERS)}, received {kind!r}.")
    return TOKENIZERS[kind]


def __getattr__(name):
    # The Keras layer imports TensorFlow; load it only when asked for.
    if name == "TextToIds":
        from keras_slm.text.text_to_ids import TextToIds

        return TextToIds
    raise AttributeError(name)
