"""`LocalRegistry`: the embedded default store, a folder with an SQLite index.

Layout:
    ROOT/index.sqlite                     one row per published version (UNIQUE name, version)
    ROOT/blobs/sha256/ab/abcdef...        bundle files, named by their sha256, written once

Two processes pushing at once are safe: blobs are written to a temporary name and renamed
(identical content, identical name), and a version is claimed by an INSERT inside
`BEGIN IMMEDIATE` against the UNIQUE constraint, so exactly one push gets each version and the
other recomputes the next one. SQLite's file locking needs a local filesystem (not NFS); past
one machine, use the object-store registry (`keras_slm.registry.remote`).
"""

import json
import os
import shutil
import sqlite3

from keras_slm import files
from keras_slm.errors import RegistryError
from keras_slm.registry.registry import Registry, VersionTaken

INDEX_FILE = "index.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    task TEXT, language TEXT, size_bytes INTEGER, digest TEXT, created TEXT,
    deprecated INTEGER NOT NULL DEFAULT 0,
    deprecation_reason TEXT,
    record TEXT NOT NULL,
    UNIQUE (name, version)
);
"""


class LocalRegistry(Registry):
    """A registry in a local folder (created on first use).

    Args:
        root: the registry folder.
        timeout: seconds to wait for another process's write lock.

    Example:
    >>> reg = LocalRegistry("/tmp/keras-slm-registry")  # doctest: +SKIP
    >>> [r.ref for r in reg.list()]  # doctest: +SKIP
    ['sentiment@1.0.0', 'sentiment@1.0.1']
    """

    def __init__(self, root, timeout=60.0):
        self.root = os.path.abspath(os.fspath(root))
        self.location = self.root
        self.timeout = timeout
        if os.path.exists(self.root) and not os.path.isdir(self.root):
            raise RegistryError(f"{self.root}: exists and is not a registry folder")
        os.makedirs(os.path.join(self.root, "blobs", "sha256"), exist_ok=True)
        with self._connect() as db:
            db.executescript(SCHEMA)

    def _connect(self):
        db = sqlite3.connect(os.path.join(self.root, INDEX_FILE), timeout=self.timeout, isolation_level=None)
        db.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        return _Closing(db)

    def _blob_path(self, sha256):
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise RegistryError(f"bad blob name {sha256!r}")
        return os.path.join(self.root, "blobs", "sha256", sha256[:2], sha256)

    def _has_blob(self, sha256):
        return os.path.isfile(self._blob_path(sha256))

    def _put_blob(self, sha256, src):
        path = self._blob_path(sha256)
        with files.atomic_path(path) as tmp:  # identical content under an identical name: racing writers agree
            with open(src, "rb") as f, open(tmp, "wb") as out:
                shutil.copyfileobj(f, out)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o444)

    def _get_blob(self, sha256, dst):
        path = self._blob_path(sha256)
        if not os.path.isfile(path):
            raise RegistryError(f"{self.root}: blob {sha256[:16]}... is missing; the registry folder was damaged")
        shutil.copyfile(path, dst)

    def _publish(self, record):
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute(
                    "INSERT INTO versions (name, version, task, language, size_bytes, digest, created, record) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (record["name"], record["version"], record["task"], record["language"], record["size_bytes"],
                     record["digest"], record["created"], json.dumps(record, sort_keys=True)),
                )
                db.execute("COMMIT")
            except sqlite3.IntegrityError:
                db.execute("ROLLBACK")
                raise VersionTaken(record["version"]) from None

    def _records(self, name=None):
        with self._connect() as db:
            if name is None:
                rows = db.execute("SELECT record, deprecated, deprecation_reason FROM versions").fetchall()
            else:
                rows = db.execute(
                    "SELECT record, deprecated, deprecation_reason FROM versions WHERE name = ?", (name,)
                ).fetchall()
        out = []
        for record, deprecated, reason in rows:
            d = json.loads(record)
            d["deprecated"], d["deprecation_reason"] = bool(deprecated), reason
            out.append(d)
        return out

    def _set_deprecated(self, name, version, reason):
        with self._connect() as db:
            db.execute(
                "UPDATE versions SET deprecated = 1, deprecation_reason = ? WHERE name = ? AND version = ?",
                (reason, name, version),
            )


class _Closing:
    """`with` for an sqlite3 connection that closes it (sqlite3's own `with` only commits)."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        return self.db

    def __exit__(self, *exc):
        self.db.close()
