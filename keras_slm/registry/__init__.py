"""Model registry: checksummed bundles, semantic versions, metrics, lineage, local or object store.

    from keras_slm.registry import build_bundle, open_bundle, open_registry

    reg = open_registry("~/.keras_slm/registry")      # or "s3://bucket/prefix"
    reg.push("runs/sst2", name="sst2-sentiment", language="en", licence="Apache-2.0")
    reg.compare("sst2-sentiment")
    reg.pull("sst2-sentiment@1.0.1", "/tmp/sst2")
"""

import os

from keras_slm.registry.bundle import Bundle, build_bundle, open_bundle, verify_folder
from keras_slm.registry.record import ModelRecord
from keras_slm.registry.registry import Registry
from keras_slm.registry.store import LocalRegistry
from keras_slm.registry.versions import next_version, parse_ref, parse_version

DEFAULT_LOCATION = os.path.join("~", ".keras_slm", "registry")
ENV_VAR = "KERAS_SLM_REGISTRY"


def default_location():
    """$KERAS_SLM_REGISTRY, else ~/.keras_slm/registry."""
    return os.environ.get(ENV_VAR) or os.path.expanduser(DEFAULT_LOCATION)


def open_registry(location=None, **storage_options):
    """A `Registry` for a folder (SQLite-indexed) or an object-store URL (s3://bucket/prefix).

    Args:
        location: folder path, file:// URL, or fsspec URL; default `default_location()`.
        **storage_options: for object stores, passed to fsspec (e.g. `endpoint_url`, `key`, `secret`).
    """
    from keras_slm.registry.remote import ObjectStoreRegistry, is_remote

    location = os.fspath(location) if location is not None else default_location()
    endpoint = storage_options.pop("endpoint_url", None)
    if is_remote(location):
        if endpoint:
            storage_options.setdefault("client_kwargs", {})["endpoint_url"] = endpoint
        return ObjectStoreRegistry(location, **storage_options)
    if endpoint or storage_options:
        from keras_slm.errors import RegistryError

        raise RegistryError(f"{location}: a local registry folder takes no endpoint or storage options")
    if location.startswith("file://"):
        location = location[len("file://"):]
    return LocalRegistry(os.path.expanduser(location))


__all__ = [
    "Bundle", "LocalRegistry", "ModelRecord", "Registry", "build_bundle", "default_location", "next_version",
    "open_bundle", "open_registry", "parse_ref", "parse_version", "verify_folder",
]
