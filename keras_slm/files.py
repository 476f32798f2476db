"""Atomic file writes: a reader sees the old file or the new one, never half of one.

Every file keras-slm writes for a user (models, vocabularies, TFLite files, reports)
goes through here, so a crash or a kill mid-write leaves what was there intact.
"""

import contextlib
import hashlib
import os
import tempfile


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
