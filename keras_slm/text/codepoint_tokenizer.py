"""`CodepointTokenizer` (formerly `CharacterTokenizer`): every character, spaces and newlines too, is a token (language models)."""

from keras_slm.text.vocab_tokenizer import VocabTokenizer, register_tokenizer


@register_tokenizer
class CodepointTokenizer(VocabTokenizer):
    """One token per Unicode character, nothing dropped, so `decode(encode(t)) == t`.

    Unlike `CjkCharTokenizer` (CJK characters, whole Latin words, for classifiers), this is
    the tokenizer of character-level language models: punctuation, case, spaces and
    newlines are all tokens the model learns to predict.

    Args:
        vocabulary: list of characters (index = id), starting with `<PAD>`, `<START>`,
            `<UNKNOWN>`. Learn one with `CodepointTokenizer.fit(texts)`.
        lowercase: lowercase before splitting (default False: case is part of the text).

    Example:
    >>> tok = CodepointTokenizer.fit(["To be, or not"])
    >>> tok.tokenize("To be")
    ['T', 'o', ' ', 'b', 'e']
    >>> tok.decode(tok.encode_stream("not to be"))
    'not to be'
    """

    kind = "character"

    def __init__(self, vocabulary=None, lowercase=False):
        super().__init__(vocabulary=vocabulary, lowercase=lowercase)

    def tokenize(self, text):
        return list(text.lower() if self.lowercase else text)

    def encode_stream(self, text):
        """Ids of every character of `text` (no `<START>`, no padding)."""
        return [self.token_to_id(c) for c in self.tokenize(text)]

    def decode(self, ids):
        """The text of `ids`; reserved ids are dropped, unknown characters become `\\ufffd`."""
        return "".join(
            "\ufffd" if i == 2 else self.vocabulary[i] for i in ids if i >= 2 and i < self.vocab_size
        )


# The old name, kept working: it read like `CjkCharTokenizer`'s ("CJK characters, whole words").
CharacterTokenizer = CodepointTokenizer
