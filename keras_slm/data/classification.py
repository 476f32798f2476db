"""Readers for text-classification files: TSV / CSV with a header, and JSONL.

Every row problem is reported as `file:line: what is wrong`, and with
`skip_bad_rows=True` such rows are counted, listed and skipped instead.
"""

import csv
import dataclasses
import io
import json
import os

from keras_slm.errors import DataError, no_usable_rows
from keras_slm.files import check_string, decode_lines, read_bytes

FORMATS = ("tsv", "csv", "jsonl")


@dataclasses.dataclass
class ClassificationData:
    """Texts and their (string) labels read from one file.

    Attributes:
        texts: list of str.
        labels: list of str (None for unlabelled data).
        path: the file read.
        lines: the 1-based line number of each row, for error messages.
        skipped: list of `DataError` for rows skipped with `skip_bad_rows=True`.
    """

    texts: list
    labels: list
    path: str = "<memory>"
    lines: list = None
    skipped: list = dataclasses.field(default_factory=list)

    def __post_init__(self):
        if self.lines is None:
            self.lines = list(range(1, len(self.texts) + 1))

    def __len__(self):
        return len(self.texts)

    def subset(self, indices):
        """A new `ClassificationData` holding the rows at `indices`."""
        return ClassificationData(
            texts=[self.texts[i] for i in indices],
            labels=None if self.labels is None else [self.labels[i] for i in indices],
            path=self.path,
            lines=[self.lines[i] for i in indices],
        )


def _detect_format(path, fmt):
    if fmt is not None:
        if fmt not in FORMATS:
            raise ValueError(f"`format` must be one of {FORMATS}, received {fmt!r}.")
        return fmt
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    if ext in ("tsv", "txt"):
        return "tsv"
    if ext == "csv":
        return "csv"
    if ext in ("jsonl", "ndjson"):
        return "jsonl"
    raise DataError(path, None, f"cannot tell the format from the extension; use one of {FORMATS}")


def _rows_delimited(path, raw, delimiter, text_column, label_column, require_label):
    """Yields (line, text, label, error) for a TSV/CSV file with a header row."""
    lines = list(decode_lines(path, raw))
    while lines and lines[-1][1] == "":
        lines.pop()  # trailing newline(s)
    if not lines:
        raise DataError(path, None, "the file is empty; expected a header row and data rows")
    number, header_line, error = lines[0]
    if error:
        raise error
    try:
        header = next(csv.reader([header_line], delimiter=delimiter))
    except csv.Error as e:
        raise DataError(path, number, f"unparseable header row ({e}); expected column names") from None
    header = [h.strip() for h in header]
    missing = [c for c in [text_column] + ([label_column] if require_label else []) if c not in header]
    if missing:
        raise DataError(
            path, number, f"missing column(s) {missing} in header {header}; "
            "set the column names with text_column= / label_column= (CLI: --text-column / --label-column)"
        )
    text_index = header.index(text_column)
    label_index = header.index(label_column) if label_column in header else None
    # TSV is read without quote handling (a `"` is an ordinary character), CSV with it.
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    if len(lines) == 1:
        raise DataError(path, None, "the file has a header but no data rows")
    for number, line, error in lines[1:]:
        if error:
            yield number, None, None, error
            continue
        if line.strip() == "":
            yield number, None, None, DataError(path, number, "blank line; expected a data row")
            continue
        try:
            fields = next(csv.reader(io.StringIO(line), delimiter=delimiter, quoting=quoting))
        except csv.Error as e:
            yield number, None, None, DataError(path, number, f"unparseable row ({e})")
            continue
        if len(fields) != len(header):
            yield number, None, None, DataError(
                path, number, f"expected {len(header)} fields {header}, found {len(fields)}"
            )
            continue
        label = fields[label_index] if label_index is not None else None
        yield number, fields[text_index], label, None


def _rows_jsonl(path, raw, text_column, label_column, require_label):
    rows = 0
    for number, line, error in decode_lines(path, raw):
        if error:
            yield number, None, None, error
            continue
        if line.strip() == "":
            continue
        rows += 1
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            yield number, None, None, DataError(path, number, f"invalid JSON ({e.msg} at column {e.colno})")
            continue
        except RecursionError:
            yield number, None, None, DataError(path, number, "JSON nested too deeply; expected a flat object")
            continue
        if not isinstance(obj, dict):
            yield number, None, None, DataError(path, number, "expected a JSON object per line")
            continue
        keys = [text_column] + ([label_column] if require_label else [])
        missing = [k for k in keys if k not in obj]
        if missing:
            yield number, None, None, DataError(
                path, number, f"missing key(s) {missing}; found {sorted(obj)}"
            )
            continue
        text, label = obj[text_column], obj.get(label_column)
        try:
            check_string(path, number, text, f"`{text_column}`")
            if isinstance(label, (int, float)) and not isinstance(label, bool):
                label = str(label)  # numeric class ids (0/1) are common in JSONL exports
            if label is not None:
                check_string(path, number, label, f"label `{label_column}`")
        except DataError as e:
            yield number, None, None, e
            continue
        yield number, text, label, None
    if rows == 0:
        raise DataError(path, None, "the file is empty; expected one JSON object per line")


def read_classification(
    path,
    text_column="text",
    label_column="label",
    format=None,
    skip_bad_rows=False,
    require_label=True,
):
    """Reads a classification file (TSV/CSV with a header, or JSONL).

    Args:
        path: file path; the format comes from the extension (.tsv/.txt, .csv, .jsonl).
        text_column: name of the text column / JSON key.
        label_column: name of the label column / JSON key.
        format: force "tsv", "csv" or "jsonl".
        skip_bad_rows: count and skip bad rows instead of raising on the first one.
        require_label: False reads unlabelled files (labels may be None).

    Returns:
        `ClassificationData`.

    Raises:
        DataError: naming the file and line of the first bad row.

    Example:
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "d.tsv")
    >>> _ = open(p, "w").write("text\\tlabel\\ngreat film\\tpositive\\n")
    >>> read_classification(p).labels
    ['positive']
    """
    path = os.fspath(path)
    fmt = _detect_format(path, format)
    raw = read_bytes(path, f"a {fmt.upper()} data file")
    if fmt == "jsonl":
        rows = _rows_jsonl(path, raw, text_column, label_column, require_label)
    else:
        delimiter = "\t" if fmt == "tsv" else ","
        rows = _rows_delimited(path, raw, delimiter, text_column, label_column, require_label)

    texts, labels, lines, skipped = [], [], [], []
    for number, text, label, error in rows:
        if error is None and text.strip() == "":
            error = DataError(path, number, f"empty text in column `{text_column}`")
        if error is None and require_label and (label is None or label.strip() == ""):
            error = DataError(path, number, f"empty label in column `{label_column}`")
        if error is not None:
            if not skip_bad_rows:
                raise error
            skipped.append(error)
            continue
        texts.append(text)
        labels.append(None if label is None else label.strip())
        lines.append(number)
    if not texts:
        raise no_usable_rows(path, skipped)
    return ClassificationData(texts, labels, path=path, lines=lines, skipped=skipped)
