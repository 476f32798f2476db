"""CoNLL-style NER files: one token per line, tag in a column, blank line between sentences.

`read_conll` accepts BIO (IOB2), IOB1, IOBES and BMES tags and always returns BIO, so every
tagger, metric and exported model sees one scheme. `-DOCSTART-` lines and `#` comment lines
are skipped. Malformed lines raise `DataError("file:line: ...")`; an invalid tag sequence
(`I-PER` after `O`, `E-LOC` without a start) raises too, or with `repair=True` is fixed
(the stray tag starts a new entity) and reported as a warning.
"""

import dataclasses
import re
import warnings

from keras_slm import files
from keras_slm.errors import DataError

SCHEMES = ("auto", "bio", "iob1", "iobes", "bmes")
DOCSTART = "-DOCSTART-"
_TAG = re.compile(r"^(?:O|([BIESM])-(.+))$")


@dataclasses.dataclass
class NerData:
    """Sentences of a CoNLL file, tags in BIO.

    Attributes:
        tokens: list of sentences, each a list of token strings.
        tags: list of sentences, each a list of BIO tag strings.
        path: the file read.
        lines: 1-based line of each sentence's first token.
        scheme: the scheme found in the file ("bio", "iob1", "iobes" or "bmes").
        repairs: `DataError`s describing each repaired tag (empty unless `repair=True`).
    """

    tokens: list
    tags: list
    path: str = "<memory>"
    lines: list = None
    scheme: str = "bio"
    repairs: list = dataclasses.field(default_factory=list)

    def __post_init__(self):
        if self.lines is None:
            self.lines = list(range(1, len(self.tokens) + 1))

    def __len__(self):
        return len(self.tokens)

    @property
    def num_tokens(self):
        return sum(len(s) for s in self.tokens)

    def tag_set(self):
        """Sorted distinct tags, "O" first."""
        tags = {t for sentence in self.tags for t in sentence}
        return ["O"] + sorted(tags - {"O"})

    def subset(self, indices):
        return NerData(
            [self.tokens[i] for i in indices], [self.tags[i] for i in indices], self.path,
            [self.lines[i] for i in indices], self.scheme, list(self.repairs),
        )


def _split_tag(tag):
    """("B", "PER") for "B-PER", ("O", None) for "O"; None when malformed."""
    match = _TAG.match(tag)
    if match is None:
        return None
    return ("O", None) if tag == "O" else (match.group(1), match.group(2))


def detect_scheme(tag_sequences):
    """"iobes" if E-/S- tags occur, "bmes" if M- tags occur, else "bio"."""
    prefixes = {t[0] for sentence in tag_sequences for t in sentence if t != "O"}
    if "M" in prefixes:
        return "bmes"
    if prefixes & {"E", "S"}:
        return "iobes"
    return "bio"


def to_bio(tags, scheme="bio", repair=False, where=None):
    """Converts one sentence's tags to BIO.

    Args:
        tags: list of tag strings in `scheme`.
        scheme: "bio", "iob1", "iobes" or "bmes".
        repair: turn an entity continuation that follows nothing it can continue (e.g.
            `I-PER` after `O`) into a start; otherwise raise.
        where: `(path, [line of each tag])` for error messages.

    Returns:
        (bio_tags, repairs): repairs is a list of `DataError` describing each fix.

    Example:
    >>> to_bio(["S-PER", "O", "B-LOC", "E-LOC"], "iobes")[0]
    ['B-PER', 'O', 'B-LOC', 'I-LOC']
    """
    if scheme not in SCHEMES[1:]:
        raise ValueError(f"`scheme` must be one of {SCHEMES[1:]}, received {scheme!r}.")
    path, lines = where or ("<tags>", list(range(1, len(tags) + 1)))
    allowed = {"bio": "BI", "iob1": "BI", "iobes": "BIES", "bmes": "BMES"}[scheme]
    out, repairs = [], []
    prev_prefix, prev_type = "O", None
    for i, tag in enumerate(tags):
        parts = _split_tag(tag)
        if parts is None or (parts[0] != "O" and parts[0] not in allowed):
            raise DataError(path, lines[i], f"tag {tag!r} is not a {scheme.upper()} tag (expected O or "
                            f"{'/'.join(allowed)}-TYPE)")
        prefix, type_ = parts
        inside = prev_prefix in ("B", "I", "M") and prev_type == type_  # an open entity of this type
        if prefix == "O":
            out.append("O")
        elif prefix in ("B", "S"):
            out.append(f"B-{type_}")
        else:  # I, M, E: continues an entity
            if scheme == "iob1":  # IOB1: I- starts an entity unless it continues one of its type
                out.append(f"I-{type_}" if inside else f"B-{type_}")
            elif inside:
                out.append(f"I-{type_}")
            else:
                after = "the start of the sentence" if i == 0 else repr(tags[i - 1])
                error = DataError(path, lines[i], f"{tag!r} after {after} continues no entity")
                if not repair:
                    raise DataError(path, lines[i], f"{error.message}; fix the file or pass repair=True "
                                    f"(CLI: --repair-tags) to start a new entity there")
                repairs.append(DataError(path, lines[i], f"{error.message}: repaired to 'B-{type_}'"))
                out.append(f"B-{type_}")
        prev_prefix, prev_type = prefix, type_
        if prefix in ("E", "S"):
            prev_prefix = "O"  # the entity is closed
    return out, repairs


def read_conll(path, token_column=0, tag_column=-1, scheme="auto", delimiter=None, repair=False,
               comment_prefix="#"):
    """Reads a CoNLL file into `NerData` with BIO tags.

    Args:
        path: the file (UTF-8).
        token_column: column index of the token (default 0).
        tag_column: column index of the NER tag (default -1, the last).
        scheme: "auto" (detect), "bio", "iob1", "iobes" or "bmes".
        delimiter: column separator; None splits on tabs when a line has one, else on spaces.
        repair: fix invalid tag sequences (with a warning) instead of raising.
        comment_prefix: lines starting with it whose tag column is not a tag are comments.

    Raises:
        DataError: a malformed line or invalid tag, as "file:line: message".

    Example:
    >>> data = read_conll("train.txt")  # doctest: +SKIP
    >>> data.tokens[0], data.tags[0]  # doctest: +SKIP
    (['EU', 'rejects', 'German'], ['B-ORG', 'O', 'B-MISC'])
    """
    if scheme not in SCHEMES:
        raise ValueError(f"`scheme` must be one of {SCHEMES}, received {scheme!r}.")
    path = str(path)
    sentences, current = [], []  # current: [(token, tag, line)]
    text = files.read_text(path, "a CoNLL file (token and tag columns, blank line between sentences)")
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            if current:
                sentences.append(current)
            current = []
            continue
        if delimiter is not None:
            cols = line.split(delimiter)
        else:
            cols = line.split("\t") if "\t" in line else line.split()
        if cols[0] == DOCSTART:
            if current:
                sentences.append(current)
            current = []
            continue
        if len(cols) < 2 and not (comment_prefix and line.startswith(comment_prefix)):
            raise DataError(path, number, f"expected a token and a tag, found 1 column: {line[:80]!r}")
        try:
            token, tag = cols[token_column], cols[tag_column].strip()
        except IndexError:
            if comment_prefix and line.startswith(comment_prefix):
                continue
            raise DataError(path, number, f"expected a token in column {token_column} and a tag in "
                            f"column {tag_column}, found {len(cols)} column(s): {line[:80]!r}") from None
        if _split_tag(tag) is None:
            if comment_prefix and line.startswith(comment_prefix) and not current:
                continue
            raise DataError(path, number, f"{tag!r} is not a tag (expected O or B-/I-/E-/S-/M-TYPE); "
                            f"line: {line[:80]!r}")
        if not token.strip():
            raise DataError(path, number, "empty token")
        current.append((token, tag, number))
    if current:
        sentences.append(current)
    if not sentences:
        raise DataError(path, None, "no sentences; expected `token TAG` lines, a blank line between sentences")
    raw_tags = [[t for _, t, _ in s] for s in sentences]
    if scheme == "auto":
        _check_one_scheme(path, sentences)
    found = detect_scheme(raw_tags) if scheme == "auto" else scheme
    tokens, tags, lines, repairs = [], [], [], []
    for sentence, sentence_tags in zip(sentences, raw_tags):
        bio, fixed = to_bio(sentence_tags, found, repair, (path, [n for _, _, n in sentence]))
        tokens.append([w for w, _, _ in sentence])
        tags.append(bio)
        lines.append(sentence[0][2])
        repairs += fixed
    if repairs:
        warnings.warn(f"{path}: repaired {len(repairs)} invalid tag(s), first: {repairs[0]}", stacklevel=2)
    return NerData(tokens, tags, path, lines, found, repairs)


def _check_one_scheme(path, sentences):
    """A `DataError` at the first tag of the rarer kind when BMES `M-` and BIO/IOBES `I-` tags mix."""
    counts = {"I": 0, "M": 0}
    for sentence in sentences:
        for _, tag, _ in sentence:
            if tag[:2] in ("I-", "M-"):
                counts[tag[0]] += 1
    if counts["I"] and counts["M"]:
        odd = "M" if counts["M"] <= counts["I"] else "I"
        tag, number = next((t, n) for s in sentences for _, t, n in s if t.startswith(f"{odd}-"))
        raise DataError(path, number, f"{tag!r} mixes tag schemes: the file has {counts['I']} I- tag(s) "
                        f"(BIO/IOBES) and {counts['M']} M- tag(s) (BMES); expected one scheme")


def write_conll(path, tokens, tags, extra_columns=None):
    """Writes sentences as `token<TAB>[extra...<TAB>]tag` lines, blank line between sentences.

    Args:
        path: target file (written atomically).
        tokens: list of token lists.
        tags: list of tag lists (any scheme; written as given).
        extra_columns: optional list (per sentence) of lists (per token) of extra column
            values written between token and tag (e.g. gold tags next to predictions).
    """
    out = []
    for i, (sentence, sentence_tags) in enumerate(zip(tokens, tags)):
        if len(sentence) != len(sentence_tags):
            raise ValueError(f"Sentence {i} has {len(sentence)} tokens but {len(sentence_tags)} tags.")
        for j, (token, tag) in enumerate(zip(sentence, sentence_tags)):
            extra = "".join(f"{v}\t" for v in extra_columns[i][j]) if extra_columns else ""
            out.append(f"{token}\t{extra}{tag}\n")
        out.append("\n")
    files.write_text_atomic(path, "".join(out))


def bio_spans(tags):
    """Entity spans `(type, start, end)` (end exclusive) of one BIO sentence.

    Follows seqeval's default (conlleval) reading: an `I-X` that continues no `X` entity
    starts one, so predicted sequences with invalid transitions are scored as seqeval does.

    Example:
    >>> bio_spans(["B-PER", "I-PER", "O", "I-LOC", "B-LOC"])
    [('PER', 0, 2), ('LOC', 3, 4), ('LOC', 4, 5)]
    """
    spans, start, current = [], None, None
    for i, tag in enumerate(list(tags) + ["O"]):
        prefix, type_ = ("O", None) if tag == "O" else (tag[0], tag[2:])
        if current is not None and (prefix in ("O", "B") or type_ != current):
            spans.append((current, start, i))
            current = None
        if prefix != "O" and current is None:
            start, current = i, type_
    return spans


def spans_to_bio(length, spans):
    """BIO tags of a sentence of `length` tokens holding `spans` `(type, start, end)`.

    Example:
    >>> spans_to_bio(4, [("PER", 0, 2), ("LOC", 3, 4)])
    ['B-PER', 'I-PER', 'O', 'B-LOC']
    """
    tags = ["O"] * length
    for type_, start, end in spans:
        if not 0 <= start < end <= length:
            raise ValueError(f"Span {(type_, start, end)} is outside a sentence of {length} tokens.")
        tags[start] = f"B-{type_}"
        for i in range(start + 1, end):
            tags[i] = f"I-{type_}"
    return tags
