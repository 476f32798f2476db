"""User-facing errors.

Every error a user can fix (a bad input file, a wrong argument, a model that cannot be
exported as asked) is a `KerasSlmError`. The CLI prints these on one line, without a
traceback, and exits with status 2.
"""


class KerasSlmError(Exception):
    """Base class for errors the user can act on."""


class DataError(KerasSlmError):
    """Bad input data, located by file and line.

    Args:
        path: the file that holds the bad data.
        line: 1-based line number (None when the problem is the whole file).
        message: what is wrong and what was expected.

    Example:
    >>> str(DataError("train.tsv", 7, "empty text"))
    'train.tsv:7: empty text'
    """

    def __init__(self, path, line, message):
        self.path = str(path)
        self.line = line
        self.message = message
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {message}")


def no_usable_rows(path, skipped):
    """The `DataError` for a file whose every row was bad: located at the first bad row (`skipped`: their errors)."""
    if not skipped:
        return DataError(path, None, "no usable rows")
    first = min(skipped, key=lambda e: e.line or 0)
    return DataError(path, first.line, f"no usable rows ({len(skipped)} bad rows skipped; the first: {first.message})")


class ExportError(KerasSlmError):
    """A model could not be converted to TFLite as asked."""


class ModelDirError(KerasSlmError):
    """A model directory or file is missing parts or is not one of ours."""


class BundleError(KerasSlmError):
    """A model bundle is incomplete, unsafe (path traversal, symlinks) or fails its checksums."""


class RegistryError(KerasSlmError):
    """A registry operation was refused (unknown model or version, version already published, ...)."""
