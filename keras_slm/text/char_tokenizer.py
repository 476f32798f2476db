"""Deprecated module path: `CharTokenizer` is now `keras_slm.text.cjk_char_tokenizer.CjkCharTokenizer` (this alias stays for old imports)."""

from keras_slm.text.cjk_char_tokenizer import *  # noqa: F401,F403
from keras_slm.text.cjk_char_tokenizer import _CJK_RE, CharTokenizer, CjkCharTokenizer  # noqa: F401
