"""How keras-slm reads and writes files.

Writes are atomic: a reader sees the old file (or model directory) or the new one, never
half of one, so a crash or a kill mid-write leaves what was there intact. Reads go through
one decoder, so every reader (classification, CoNLL, LM text, samples, model directories)
reports a missing file, a directory, bad UTF-8 or bad JSON the same way: a `DataError`
or `ModelDirError` naming the file (and line) and what was expected.
"""

import contextlib
import ctypes
import glob
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile

from keras_slm.errors import DataError, ModelDirError

BOM = b"\xef\xbb\xbf"


# ----------------------------------------------------------------------------- reading


def read_bytes(path, expected="a text file"):
    """The bytes of `path`; a `DataError` (not an OSError) when it cannot be read."""
    with open_binary(path, expected) as f:
        return f.read()


def open_binary(path, expected="a text file"):
    """`open(path, "rb")` for streaming readers; a `DataError` (not an OSError) when it cannot be opened."""
    path = os.fspath(path)
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise DataError(path, None, f"no such file; expected {expected}") from None
    except IsADirectoryError:
        raise DataError(path, None, f"is a directory; expected {expected}") from None
    except OSError as e:
        raise DataError(path, None, f"cannot be read ({e.strerror or e}); expected {expected}") from None


def _bad_byte(path, raw, error):
    line = raw[: error.start].count(b"\n") + 1
    column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
    return DataError(path, line, f"invalid UTF-8 byte {raw[error.start]:#04x} at column {column}; expected UTF-8 text")


def decode_text(path, raw):
    """UTF-8 text of `raw` with a leading byte-order mark dropped and line ends made `\\n`.

    `\\r\\n` (Windows) and bare `\\r` (old Mac) line ends both become `\\n`. A bad byte or a
    NUL byte (a binary file) is a `DataError` naming its line.
    """
    if raw.startswith(BOM):
        raw = raw[len(BOM):]
    raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise _bad_byte(path, raw, e) from None
    nul = text.find("\0")
    if nul >= 0:
        raise DataError(path, text.count("\n", 0, nul) + 1, "NUL byte (a binary file?); expected UTF-8 text")
    return text


def decode_lines(path, raw):
    """(line number, text, error) per line of `raw`: like `decode_text`, but a bad line is an error row.

    Readers that can skip bad rows use this; the others use `read_text`.
    """
    if raw.startswith(BOM):
        raw = raw[len(BOM):]
    raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as e:
            yield number, None, DataError(
                path, number, f"invalid UTF-8 byte {line[e.start]:#04x} at column {e.start + 1}; expected UTF-8 text"
            )
            continue
        if "\0" in text:
            yield number, None, DataError(path, number, "NUL byte (a binary file?); expected UTF-8 text")
            continue
        yield number, text, None


def stdin_lines(stream=None):
    """The lines of standard input (`stream`), decoded like a file: UTF-8, a leading byte-order
    mark dropped, line ends stripped; a bad byte or a NUL is a `DataError` at `<stdin>:LINE`."""
    stream = stream if stream is not None else sys.stdin
    for number, line in enumerate(getattr(stream, "buffer", stream), start=1):
        if isinstance(line, str):
            line = line.encode("utf-8", "surrogateescape")
        try:
            yield decode_text("<stdin>", line.rstrip(b"\r\n"))
        except DataError as e:
            raise DataError("<stdin>", number, e.message) from None


def read_text(path, expected="a UTF-8 text file"):
    """The whole text of `path` (see `decode_text`); a `DataError` names what is wrong."""
    return decode_text(os.fspath(path), read_bytes(path, expected))


def read_lines(path, expected="a UTF-8 text file, one text per line"):
    """The lines of `path` as (line number, text) pairs, empty lines dropped."""
    text = read_text(path, expected)
    return [(n, line) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]


def read_text_lines(path, expected="a UTF-8 text file, one text per line"):
    """The non-empty lines of `path` (texts for parity checks, calibration, prompts); a `DataError` if none."""
    lines = [line for _, line in read_lines(path, expected)]
    if not lines:
        raise DataError(os.fspath(path), None, f"holds no text; expected {expected}")
    return lines


def check_string(path, line, value, what):
    """`value` if it is a str that can be written as UTF-8 (no lone surrogates), else a `DataError`."""
    if not isinstance(value, str):
        raise DataError(path, line, f"{what} must be a string, found {type(value).__name__} {_short(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise DataError(path, line, f"{what} holds a lone surrogate {value[e.start]!r} (escaped as "
                        f"\\u{ord(value[e.start]):04x}); expected valid Unicode text") from None
    return value


def _short(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def fail(error, path, line, message):
    """An `error` instance: `DataError(path, line, message)` or `error("path[:line]: message")`."""
    if error is DataError:
        return DataError(path, line, message)
    return error(f"{path}{'' if line is None else f':{line}'}: {message}")


def read_json(path, expected="a JSON object", error=ModelDirError):
    """The JSON object in `path`; `error` (default `ModelDirError`) names the file when it is missing or bad."""
    path = os.fspath(path)
    try:
        text = read_text(path, expected)
    except DataError as e:
        raise fail(error, e.path, e.line, e.message) from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise fail(error, path, e.lineno, f"invalid JSON ({e.msg}); expected {expected}") from None
    except RecursionError:
        raise fail(error, path, None, f"JSON nested too deeply; expected {expected}") from None
    if not isinstance(value, dict):
        raise fail(error, path, None, f"holds a JSON {type(value).__name__}; expected {expected}")
    return value


# ----------------------------------------------------------------------------- writing


@contextlib.contextmanager
def atomic_path(path):
    """Yields a temporary path beside `path`; renames it onto `path` only on success.

    Example:
    >>> import os, tempfile
    >>> target = os.path.join(tempfile.mkdtemp(), "out.txt")
    >>> with atomic_path(target) as tmp:
    ...     _ = open(tmp, "w").write("done")
    >>> open(target).read()
    'done'
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise DataError(path, None, "is a directory; expected the path of a file to write")
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    # Same directory, so the final os.replace is a rename on one filesystem (atomic).
    # Keep the extension: some writers (keras `model.save`) insist on it.
    base = os.path.basename(path)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{base}.partial-", suffix=os.path.splitext(base)[1], dir=directory
    )
    os.close(fd)
    # mkstemp makes the file 0600; give it the mode a plain open() would (umask applied).
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_bytes_atomic(path, data):
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())


def write_text_atomic(path, text):
    write_bytes_atomic(path, text.encode("utf-8"))


def sha256_file(path):
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_RENAME_EXCHANGE = 2


def _exchange(a, b):
    """Atomically swaps two paths (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd = -100
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(pattern):
    """Removes directories matching `pattern` whose name ends in `p{PID}-{random}` (see `atomic_dir`,
    `temp_dir`) and whose process no longer runs (it was killed mid-write)."""
    for path in glob.glob(pattern):
        match = re.search(r"p(\d+)-\w+$", os.path.basename(path))
        if match is None:
            continue
        pid = int(match.group(1))
        if pid != os.getpid() and not _pid_alive(pid):
            shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def atomic_dir(path):
    """Yields an empty temporary directory beside `path`; on success it replaces `path` as a whole.

    A model directory is many files (model, tokenizer, labels, config, TFLite, metrics) that
    must come from one training. Writing them all into a sibling and swapping it in (one
    atomic rename exchange on Linux) means a crash, an error or a kill -9 leaves the old
    directory as it was or the new one complete, never a mix. Siblings left by killed
    processes are removed on the next write to `path`.

    Example:
    >>> import os, tempfile
    >>> target = os.path.join(tempfile.mkdtemp(), "model")
    >>> with atomic_dir(target) as tmp:
    ...     _ = open(os.path.join(tmp, "a.txt"), "w").write("new")
    >>> os.listdir(target)
    ['a.txt']
    """
    path = os.path.abspath(os.fspath(path))
    parent, base = os.path.split(path)
    os.makedirs(parent, exist_ok=True)
    if os.path.exists(path) and not os.path.isdir(path):
        raise DataError(path, None, "exists and is not a directory; expected a model directory (or a new path)")
    remove_stale(os.path.join(parent, f".{base}.partial-p*"))
    remove_stale(os.path.join(parent, f".{base}.old-p*"))
    tmp = tempfile.mkdtemp(prefix=f".{base}.partial-p{os.getpid()}-", dir=parent)
    os.chmod(tmp, 0o777 & ~_umask())
    try:
        yield tmp
        if not os.path.exists(path):
            os.rename(tmp, path)
        elif _exchange(tmp, path):
            shutil.rmtree(tmp, ignore_errors=True)  # now the old directory
        else:  # no renameat2: a short window in which `path` is missing, never mixed
            old = tempfile.mkdtemp(prefix=f".{base}.old-p{os.getpid()}-", dir=parent)
            os.rename(path, os.path.join(old, base))
            os.rename(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if os.path.exists(tmp):
            shutil.rmtree(tmp, ignore_errors=True)


def _umask():
    umask = os.umask(0)
    os.umask(umask)
    return umask


@contextlib.contextmanager
def temp_dir(prefix):
    """A temporary directory removed on every exit path; ones left by killed processes are swept.

    The name carries the process id (`{prefix}p{pid}-...`), so the next call removes the
    directories of processes that died on a signal (kill -9 during a conversion).
    """
    root = tempfile.gettempdir()
    remove_stale(os.path.join(root, f"{prefix}p*"))
    path = tempfile.mkdtemp(prefix=f"{prefix}p{os.getpid()}-")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
