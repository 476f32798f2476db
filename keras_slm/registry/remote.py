"""`ObjectStoreRegistry`: the same registry on an object store (S3 and S3-compatible), via fsspec.

Layout under the URL (e.g. s3://bucket/models-registry):
    blobs/sha256/<sha256>                     bundle files, content-addressed, written once
    models/<name>/<version>/record.json       the published record (created exclusively)
    models/<name>/<version>/deprecated.json   deprecation state (the only mutable object)

No server and no database: the bucket is the registry. Publishing writes record.json with a
conditional create (S3 `If-None-Match: *`), so of two pushes racing for one version exactly one
succeeds and the other recomputes its version; blobs go up before the record, so a record
never names missing content. Tested against moto's S3 server on 127.0.0.1.
"""

import json
import os

from keras_slm.errors import RegistryError
from keras_slm.registry.registry import Registry, VersionTaken
from keras_slm.registry.versions import check_name, parse_version


class ObjectStoreRegistry(Registry):
    """A registry at an fsspec URL (s3://bucket/prefix; any store with exclusive create).

    Args:
        url: where the registry lives, e.g. "s3://models/registry".
        **storage_options: passed to fsspec (for S3: `key`, `secret`, `endpoint_url`,
            `client_kwargs`, ...; credentials otherwise come from the usual AWS environment).

    Example:
    >>> reg = ObjectStoreRegistry("s3://models/registry", endpoint_url="http://127.0.0.1:9000")  # doctest: +SKIP
    >>> reg.push("runs/sst2", name="sst2", language="en").version  # doctest: +SKIP
    '1.0.0'
    """

    def __init__(self, url, **storage_options):
        import fsspec

        self.location = url
        try:
            self.fs, root = fsspec.core.url_to_fs(url, **storage_options)
        except (ImportError, ValueError) as e:
            raise RegistryError(f"{url}: cannot open this store ({e}); for s3:// install s3fs") from e
        self.root = root.rstrip("/")

    def _key(self, *parts):
        return "/".join((self.root,) + parts)

    def _blob_key(self, sha256):
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise RegistryError(f"bad blob name {sha256!r}")
        return self._key("blobs", "sha256", sha256)

    def _has_blob(self, sha256):
        return self.fs.exists(self._blob_key(sha256))

    def _put_blob(self, sha256, src):
        self.fs.put_file(src, self._blob_key(sha256))

    def _get_blob(self, sha256, dst):
        try:
            self.fs.get_file(self._blob_key(sha256), dst)
        except FileNotFoundError:
            raise RegistryError(f"{self.location}: blob {sha256[:16]}... is missing; the store was damaged") from None

    def _publish(self, record):
        key = self._key("models", record["name"], record["version"], "record.json")
        data = json.dumps(record, sort_keys=True).encode("utf-8")
        try:
            self.fs.pipe_file(key, data, mode="create")
        except FileExistsError:
            raise VersionTaken(record["version"]) from None
        self.fs.invalidate_cache()

    def _records(self, name=None):
        self.fs.invalidate_cache()  # other clients publish; never trust a cached listing
        base = self._key("models", name) if name else self._key("models")
        try:
            keys = self.fs.find(base)
        except FileNotFoundError:
            return []
        records, deprecations = {}, {}
        for key in keys:
            parts = key[len(self._key("models")) + 1:].split("/")
            if len(parts) != 3:
                continue
            model, version, leaf = parts
            try:
                check_name(model)
                parse_version(version)
            except RegistryError:
                continue  # not ours
            if leaf == "record.json":
                records[(model, version)] = key
            elif leaf == "deprecated.json":
                deprecations[(model, version)] = key
        if not records:
            return []
        blobs = self.fs.cat(list(records.values()) + list(deprecations.values()))
        out = []
        for ident, key in records.items():
            d = json.loads(blobs[key])
            state = json.loads(blobs[deprecations[ident]]) if ident in deprecations else {}
            d["deprecated"] = bool(state.get("deprecated", False))
            d["deprecation_reason"] = state.get("reason")
            out.append(d)
        return out

    def _set_deprecated(self, name, version, reason):
        key = self._key("models", name, version, "deprecated.json")
        self.fs.pipe_file(key, json.dumps({"deprecated": True, "reason": reason}).encode("utf-8"))
        self.fs.invalidate_cache()


def is_remote(location):
    """True for URLs with a scheme other than file:// (s3://, gs://, ...)."""
    location = os.fspath(location)
    return "://" in location and not location.startswith("file://")
