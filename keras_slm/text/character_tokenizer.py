"""Deprecated module path: `CharacterTokenizer` is now `keras_slm.text.codepoint_tokenizer.CodepointTokenizer` (this alias stays for old imports)."""

from keras_slm.text.codepoint_tokenizer import *  # noqa: F401,F403
from keras_slm.text.codepoint_tokenizer import CharacterTokenizer, CodepointTokenizer  # noqa: F401
