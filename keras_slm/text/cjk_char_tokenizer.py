"""`CjkCharTokenizer` (formerly `CharTokenizer`): each Chinese/Japanese character is a token, other words stay whole."""

import re

from keras_slm.text.conventions import CJK_CLASS, CJK_RANGES, DELIMITER  # noqa: F401
from keras_slm.text.vocab_tokenizer import VocabTokenizer, register_tokenizer

_CJK_RE = re.compile(f"({CJK_CLASS})")
_DELIMITER_RE = re.compile(DELIMITER)


@register_tokenizer
class CjkCharTokenizer(VocabTokenizer):
    """Splits CJK text into single characters and keeps Latin words and numbers whole.

    Args:
        vocabulary: list of tokens (index = id), starting with `<PAD>`, `<START>`,
            `<UNKNOWN>`. Learn one with `CjkCharTokenizer.fit(texts, min_count, max_size)`.
        lowercase: lowercase Latin words.

    Example:
    >>> CjkCharTokenizer().tokenize("我喜欢吃苹果")
    ['我', '喜', '欢', '吃', '苹', '果']
    >>> CjkCharTokenizer().tokenize("iPhone 13很好用！")
    ['iphone', '13', '很', '好', '用']
    """

    kind = "char"

    def tokenize(self, text):
        if self.lowercase:
            text = text.lower()
        text = _CJK_RE.sub(r" \1 ", text)
        return [t for t in _DELIMITER_RE.split(text) if t]


# The old name, kept working: it read like `CodepointTokenizer`'s ("every character").
CharTokenizer = CjkCharTokenizer
