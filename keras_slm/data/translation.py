"""Reader for parallel (source, target) sentence files: TSV / CSV with a header, or JSONL.

Built on the classification reader (`read_classification`), so rows fail the same way:
`file:line: what is wrong`, naming the column (a missing column, an empty source or target).
"""

import dataclasses

from keras_slm.data.classification import read_classification
from keras_slm.errors import DataError


@dataclasses.dataclass
class ParallelData:
    """Sentence pairs read from one file.

    Attributes:
        sources: list of str.
        targets: list of str (None for source-only files).
        path: the file read.
        lines: the 1-based line number of each row.
    """

    sources: list
    targets: list
    path: str = "<memory>"
    lines: list = None

    def __post_init__(self):
        if self.lines is None:
            self.lines = list(range(1, len(self.sources) + 1))

    def __len__(self):
        return len(self.sources)

    def subset(self, indices):
        """A new `ParallelData` with the rows at `indices`."""
        return ParallelData([self.sources[i] for i in indices],
                            None if self.targets is None else [self.targets[i] for i in indices],
                            self.path, [self.lines[i] for i in indices])


def read_parallel(path, source_column="zh", target_column="en", format=None, require_target=True):
    """Reads sentence pairs (columns by name; other columns, e.g. attribution, are ignored).

    Args:
        path: .tsv/.txt, .csv (header row) or .jsonl (one object per line).
        source_column: the source-language column / key.
        target_column: the target-language column / key.
        format: force "tsv", "csv" or "jsonl".
        require_target: False reads files with sources only.

    Raises:
        DataError: naming the file and line (missing column, empty source or target, bad row).

    Example:
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "pairs.tsv")
    >>> _ = open(p, "w").write("zh\\ten\\n你好。\\tHello.\\n")
    >>> read_parallel(p).targets
    ['Hello.']
    """
    try:
        data = read_classification(path, text_column=source_column, label_column=target_column, format=format,
                                   require_label=require_target)
    except DataError as e:
        # The classification reader's hint names its own options; say ours.
        message = e.message.replace("text_column= / label_column= (CLI: --text-column / --label-column)",
                                    "source_column= / target_column= (CLI: --source-column / --target-column)")
        message = message.replace("empty label in column", "empty target in column")
        message = message.replace("empty text in column", "empty source in column")
        raise DataError(e.path, e.line, message) from None
    targets = None if data.labels is None or all(t is None for t in data.labels) else data.labels
    return ParallelData([t.strip() for t in data.texts], targets, data.path, data.lines)
