"""What to serve: a model directory, a .tflite file in one, a bundle (folder or archive), or a
registry reference ("name@version"), resolved to a folder, a .tflite file and an identity."""

import dataclasses
import json
import os

from keras_slm.errors import KerasSlmError, ModelDirError


@dataclasses.dataclass
class ServedModel:
    """The files and identity of the model a server runs.

    Attributes:
        directory: folder with config.json, tokenizer and labels.
        tflite: the .tflite file served.
        name / version: reported in responses and in /metrics; a model without a registry
            version is reported as "sha256:<first 12 hex digits of its .tflite file>".
        sha256: of the .tflite file.
        verified: True when the files were checked against a bundle manifest.
    """

    directory: str
    tflite: str
    name: str
    version: str
    sha256: str
    verified: bool

    def info(self, task):
        return {"name": self.name, "version": self.version, "task": task,
                "file": os.path.basename(self.tflite), "sha256": self.sha256}


def _tflite_name(variant):
    return "model.tflite" if variant in (None, "", "none", "float") else f"model_{variant}.tflite"


def resolve(source, variant=None, registry=None, cache_dir=None, name=None, version=None):
    """Resolves `source` to a `ServedModel`, verifying bundles (and registry pulls) first.

    Args:
        source: model directory, DIR/<file>.tflite, bundle folder, bundle .tar.gz, or
            "name[@version]" in `registry`.
        variant: which TFLite file of a directory or bundle ("dynamic" -> model_dynamic.tflite).
        registry: a `Registry`, or its location, for name@version sources (default: the default registry).
        cache_dir: where registry pulls are kept (default: ~/.cache/keras_slm/models).
        name / version: override the reported identity.
    """
    from keras_slm.registry import bundle as bundle_lib

    source = os.fspath(source)
    verified, reg_name, reg_version = False, None, None
    if os.path.isfile(source) and source.endswith(".tflite"):
        if variant:
            raise KerasSlmError(f"{source}: a .tflite file was given; --variant applies to folders and bundles")
        directory, tflite = os.path.dirname(os.path.abspath(source)), source
    else:
        if os.path.isdir(source):
            directory = source
            if os.path.exists(os.path.join(source, bundle_lib.MANIFEST_FILE)):
                bundle_lib.verify_folder(source)
                verified = True
        elif os.path.isfile(source) and bundle_lib.is_archive(source):
            directory = bundle_lib.open_bundle(source).path
            verified = True
        elif not os.path.exists(source) and "/" not in source and os.sep not in source:
            directory, reg_name, reg_version = _pull(source, registry, cache_dir)
            verified = True
        else:
            raise ModelDirError(f"{source}: expected a model directory, a .tflite file, a bundle "
                                "(folder or .tar.gz) or a registry reference name@version")
        tflite = os.path.join(directory, _tflite_name(variant))
        if not os.path.isfile(tflite):
            have = sorted(n for n in os.listdir(directory) if n.endswith(".tflite"))
            raise ModelDirError(f"{directory}: no {os.path.basename(tflite)}; TFLite files here: {have}")
    sha = bundle_lib.sha256_file(tflite)
    card = {}
    card_path = os.path.join(directory, "model_card.json")
    if os.path.isfile(card_path):
        with open(card_path, encoding="utf-8") as f:
            card = json.load(f)
    return ServedModel(
        directory=directory, tflite=tflite,
        name=name or reg_name or card.get("name") or os.path.basename(os.path.abspath(directory)),
        version=version or reg_version or f"sha256:{sha[:12]}", sha256=sha, verified=verified,
    )


def _pull(ref, registry, cache_dir):
    """Pulls name[@version] into the cache (once; a cached copy is re-verified)."""
    from keras_slm.registry import bundle as bundle_lib
    from keras_slm.registry import Registry, open_registry

    reg = registry if isinstance(registry, Registry) else open_registry(registry)
    record = reg.show(ref)
    cache_dir = cache_dir or os.path.join(os.path.expanduser("~"), ".cache", "keras_slm", "models")
    dest = os.path.join(cache_dir, record.name, record.version)
    if os.path.isdir(dest):
        bundle_lib.verify_folder(dest)
        if bundle_lib.sha256_file(os.path.join(dest, bundle_lib.MANIFEST_FILE)) != record.digest:
            raise KerasSlmError(f"{dest}: cached copy differs from {record.ref} in {reg.location}; delete it and retry")
    else:
        reg.pull(record.ref, dest)
    return dest, record.name, record.version
