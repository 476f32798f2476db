"""Word tokenizer compatible with MediaPipe's regex tokenizer."""

import re

from keras_slm.text.conventions import DELIMITER
from keras_slm.text.vocab_tokenizer import VocabTokenizer, register_tokenizer

_DELIMITER_RE = re.compile(DELIMITER)


@register_tokenizer
class WordTokenizer(VocabTokenizer):
    """Lowercases, splits on `[^\\w']+`, maps words to ids.

    Args:
        vocabulary: list of tokens (index = id), starting with `<PAD>`, `<START>`,
            `<UNKNOWN>`. Learn one with `WordTokenizer.fit(texts, min_count, max_size)`.
        lowercase: lowercase before splitting (MediaPipe does not; we ship lowercase vocab).

    Example:
    >>> tok = WordTokenizer.fit(["It's a good film!", "a bad film"], max_size=100)
    >>> tok.tokenize("It's a GOOD film!")
    ["it's", 'a', 'good', 'film']
    >>> tok.encode(["a good film"], seq_len=5).shape
    (1, 5)
    """

    kind = "word"

    def tokenize(self, text):
        if self.lowercase:
            text = text.lower()
        return [t for t in _DELIMITER_RE.split(text) if t]
