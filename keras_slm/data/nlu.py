"""Joint intent / slot files (dialogue understanding): TSV `text<TAB>intent<TAB>slots`.

`slots` holds one BIO tag per token of `text`: per whitespace token (`unit="word"`), or per
non-space character (`unit="char"`, Chinese and other unsegmented scripts). Every row problem
(a missing column or field, a tag count that differs from the token count, an `I-X` that
continues no `X`) is a `DataError` naming file and line; with `skip_bad_rows=True` such rows
are counted, listed in `NluData.skipped` and left out. Tags in IOBES / BMES are converted to BIO
(`keras_slm.data.conll.to_bio`).
"""

import dataclasses

from keras_slm.data.classification import read_classification
from keras_slm.data.conll import _split_tag, detect_scheme, to_bio
from keras_slm.errors import DataError, no_usable_rows

UNITS = ("word", "char")


def split_tokens(text, unit="word"):
    """Tokens of `text` the slots are aligned with: whitespace tokens, or non-space characters.

    Example:
    >>> split_tokens("play jazz  now"), split_tokens("播放 音乐", "char")
    (['play', 'jazz', 'now'], ['播', '放', '音', '乐'])
    """
    if unit not in UNITS:
        raise ValueError(f"`unit` must be one of {UNITS}, received {unit!r}.")
    return [c for c in text if not c.isspace()] if unit == "char" else text.split()


def token_offsets(text, unit="word"):
    """`[(token, start, end)]` character offsets of `split_tokens(text, unit)` in `text`.

    Example:
    >>> token_offsets("play  jazz")
    [('play', 0, 4), ('jazz', 6, 10)]
    """
    out, position = [], 0
    for token in split_tokens(text, unit):
        start = text.index(token, position)
        out.append((token, start, start + len(token)))
        position = start + len(token)
    return out


@dataclasses.dataclass
class NluData:
    """Utterances with their intent and per-token BIO slot tags.

    Attributes:
        texts: list of str (the raw utterances).
        tokens: list of token lists (`split_tokens`).
        intents: list of intent strings.
        tags: list of BIO tag lists, one per token.
        path: the file read.
        lines: 1-based line of each row.
        unit: "word" or "char".
        skipped: `DataError`s of rows left out with `skip_bad_rows=True`.
    """

    texts: list
    tokens: list
    intents: list
    tags: list
    path: str = "<memory>"
    lines: list = None
    unit: str = "word"
    skipped: list = dataclasses.field(default_factory=list)

    def __post_init__(self):
        if self.lines is None:
            self.lines = list(range(1, len(self.texts) + 1))

    def __len__(self):
        return len(self.texts)

    def intent_set(self):
        return sorted(set(self.intents))

    def tag_set(self):
        """Sorted distinct tags, "O" first."""
        return ["O"] + sorted({t for sentence in self.tags for t in sentence} - {"O"})

    def subset(self, indices):
        return NluData([self.texts[i] for i in indices], [self.tokens[i] for i in indices],
                       [self.intents[i] for i in indices], [self.tags[i] for i in indices], self.path,
                       [self.lines[i] for i in indices], self.unit)


def read_nlu(path, unit="word", text_column="text", intent_column="intent", slots_column="slots",
             skip_bad_rows=False):
    """Reads a joint intent / slot TSV file (header row naming the three columns).

    Args:
        path: the .tsv file (UTF-8, no quoting).
        unit: "word" (one tag per whitespace token) or "char" (one tag per non-space character).
        text_column, intent_column, slots_column: header names of the three columns.
        skip_bad_rows: count and skip bad rows instead of raising on the first one.

    Returns:
        `NluData` with BIO tags.

    Raises:
        DataError: "file:line: what is wrong" for the first bad row (or the header).

    Example:
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "d.tsv")
    >>> _ = open(p, "w").write("text\\tintent\\tslots\\nplay jazz\\tPlayMusic\\tO B-genre\\n")
    >>> data = read_nlu(p)
    >>> data.intents, data.tags
    (['PlayMusic'], [['O', 'B-genre']])
    """
    split_tokens("", unit)  # validates `unit`
    # The classification reader checks the header, field counts, UTF-8 and empty text / intent.
    rows = read_classification(path, text_column=text_column, label_column=intent_column, format="tsv",
                               skip_bad_rows=True)
    slots = read_classification(path, text_column=slots_column, label_column=intent_column, format="tsv",
                                skip_bad_rows=True)
    slots_by_line = dict(zip(slots.lines, slots.texts))
    texts, tokens, intents, tags, lines, skipped = [], [], [], [], [], list(rows.skipped)
    raw = []
    for text, intent, line in zip(rows.texts, rows.labels, rows.lines):
        row_tokens = split_tokens(text, unit)
        row_tags = slots_by_line.get(line, "").split()
        error = None
        if not row_tags:
            error = DataError(path, line, f"empty `{slots_column}`; expected one BIO tag per "
                                          f"{'character' if unit == 'char' else 'token'}")
        elif len(row_tags) != len(row_tokens):
            what = "non-space characters" if unit == "char" else "whitespace tokens"
            error = DataError(path, line, f"{len(row_tags)} slot tag(s) for {len(row_tokens)} {what} of the text"
                                          + ("" if unit == "char" else " (Chinese without spaces? --tokenizer char)"))
        else:
            bad = next((t for t in row_tags if _split_tag(t) is None), None)
            if bad is not None:
                error = DataError(path, line, f"slot tag {bad!r} is not a BIO tag (expected O, B-TYPE or I-TYPE)")
        if error is not None:
            skipped.append(error)
            continue
        raw.append((text, row_tokens, intent, row_tags, line))
    scheme = detect_scheme([r[3] for r in raw])
    for text, row_tokens, intent, row_tags, line in raw:
        try:
            bio, _ = to_bio(row_tags, scheme, where=(path, [line] * len(row_tags)))
        except DataError as e:
            skipped.append(DataError(path, line, e.message.split("; fix the file")[0] + " (invalid BIO transition)"))
            continue
        texts.append(text)
        tokens.append(row_tokens)
        intents.append(intent)
        tags.append(bio)
        lines.append(line)
    skipped.sort(key=lambda e: e.line or 0)
    if skipped and not skip_bad_rows:  # the first bad row, in file order
        raise skipped[0]
    if not texts:
        raise no_usable_rows(path, skipped)
    return NluData(texts, tokens, intents, tags, str(path), lines, unit, skipped)
