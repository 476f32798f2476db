"""CJK-aware character tokenizer: each Chinese/Japanese character is a token."""

import re

from keras_slm.text.vocab_tokenizer import VocabTokenizer, register_tokenizer
from keras_slm.text.word_tokenizer import DELIMITER

# Han (CJK unified ideographs, extension A, compatibility) and kana. Hangul is written
# with spaces between words, so Korean words stay whole like Latin ones.
CJK_RANGES = (
    ("\u3040", "\u30ff"),
    ("\u3400", "\u4dbf"),
    ("\u4e00", "\u9fff"),
    ("\uf900", "\ufaff"),
)
CJK_CLASS = "[" + "".join(f"{a}-{b}" for a, b in CJK_RANGES) + "]"
_CJK_RE = re.compile(f"({CJK_CLASS})")
_DELIMITER_RE = re.compile(DELIMITER)


@register_tokenizer
class CharTokenizer(VocabTokenizer):
    """Splits CJK text into single characters and keeps Latin words and numbers whole.

    Args:
        vocabulary: list of tokens (index = id), starting with `<PAD>`, `<START>`,
            `<UNKNOWN>`. Learn one with `CharTokenizer.fit(texts, min_count, max_size)`.
        lowercase: lowercase Latin words.

    Example:
    >>> CharTokenizer().tokenize("我喜欢吃苹果")
    ['我', '喜', '欢', '吃', '苹', '果']
    >>> CharTokenizer().tokenize("iPhone 13很好用！")
    ['iphone', '13', '很', '好', '用']
    """

    kind = "char"

    def tokenize(self, text):
        if self.lowercase:
            text = text.lower()
        text = _CJK_RE.sub(r" \1 ", text)
        return [t for t in _DELIMITER_RE.split(text) if t]
