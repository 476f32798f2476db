"""Model bundles: a trained model directory as one shareable, checksummed folder or archive.

A bundle holds model.keras, model.tflite and its quantized variants (model_<mode>.tflite),
tokenizer.json, vocab.txt, labels.txt, config.json, metrics.json, a model card
(model_card.json + MODEL_CARD.md) and manifest.json: the sha256 and size of every other file.
A bundle is a folder, or a `.tar.gz` of that folder's files.

Opening a bundle refuses, with a one-line `BundleError`: archive members or manifest paths that
leave the bundle (absolute, `..`), symlinks and hard links, devices, files missing from or not
listed in the manifest, and any size or sha256 mismatch.
"""

import fnmatch
import io
import json
import os
import posixpath
import shutil
import tarfile
import tempfile

from keras_slm import __version__, files
from keras_slm.errors import BundleError, ModelDirError
from keras_slm.files import sha256_file  # noqa: F401  (also this module's public name)
from keras_slm.registry import card as card_lib

MANIFEST_FILE = "manifest.json"
FORMAT = "keras-slm-bundle"
FORMAT_VERSION = 1
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz")
# Files taken from a model directory; calibration.txt (training texts) stays behind on purpose.
INCLUDE = ("model.keras", "model.tflite", "model_*.tflite", "tokenizer.json", "vocab.txt", "labels.txt",
           "config.json", "metrics.json", "golden.json")
REQUIRED = ("config.json", "model.tflite", "tokenizer.json")
MAX_ARCHIVE_BYTES = 4 << 30


def is_archive(path):
    return str(path).endswith(ARCHIVE_SUFFIXES)


def check_member_path(name, where):
    """Raises `BundleError` unless `name` is a plain relative path that stays inside the bundle."""
    if not isinstance(name, str) or not name or "\\" in name or "\x00" in name:
        raise BundleError(f"{where}: bad file name {name!r}")
    if name.startswith("/") or posixpath.isabs(name) or (len(name) > 1 and name[1] == ":"):
        raise BundleError(f"{where}: {name!r} is an absolute path; bundles hold relative paths only")
    parts = name.split("/")
    if ".." in parts:
        raise BundleError(f"{where}: {name!r} climbs out of the bundle (path traversal)")
    if any(p in ("", ".") for p in parts):
        raise BundleError(f"{where}: {name!r} is not a normalized path")
    return name


class Bundle:
    """A verified bundle folder: its manifest, model card and config.

    Use `open_bundle` (which verifies) rather than the constructor.

    Args:
        path: the bundle folder.
        manifest: manifest.json contents.

    Example:
    >>> bundle = open_bundle("sentiment.tar.gz", "/tmp/sentiment")  # doctest: +SKIP
    >>> bundle.card["metrics"]["accuracy"], bundle.digest[:12]  # doctest: +SKIP
    (0.83, '3f2a9c1b7d40')
    """

    def __init__(self, path, manifest):
        self.path = os.fspath(path)
        self.manifest = manifest
        self.card = self._json(card_lib.CARD_FILE, {})
        self.config = self._json("config.json", {})

    def _json(self, name, default):
        path = os.path.join(self.path, name)
        if not os.path.exists(path):
            return default
        with open(path, encoding="utf-8") as f:
            return json.load(f)

    @property
    def files(self):
        """{relative path: {"sha256", "size"}} of every file but manifest.json."""
        return self.manifest["files"]

    @property
    def digest(self):
        """sha256 of manifest.json: names the bundle's exact contents."""
        return sha256_file(os.path.join(self.path, MANIFEST_FILE))

    @property
    def size_bytes(self):
        return sum(entry["size"] for entry in self.files.values())

    def tflite_path(self, variant=None):
        """Path of model.tflite, or of model_<variant>.tflite (e.g. "dynamic")."""
        name = "model.tflite" if variant in (None, "", "none", "float") else f"model_{variant}.tflite"
        if name not in self.files:
            available = sorted(n for n in self.files if n.endswith(".tflite"))
            raise BundleError(f"{self.path}: no {name}; the bundle has {available}")
        return os.path.join(self.path, name)

    def load_classifier(self, variant=None, keras_model=False):
        """A `TextClassifier` over the TFLite file (or model.keras, loaded with safe_mode=True)."""
        from keras_slm.tasks.text_classifier import TextClassifier

        try:
            if keras_model:
                return TextClassifier.load(os.path.join(self.path, "model.keras"))
            return TextClassifier.load(self.tflite_path(variant))
        except (ModelDirError, ValueError, TypeError) as e:  # Keras refuses unsafe content in safe mode
            raise BundleError(f"{self.path}: model refused on load: {str(e).splitlines()[0]}") from e


def _model_files(model_dir):
    names = sorted(
        n for n in os.listdir(model_dir)
        if any(fnmatch.fnmatch(n, pattern) for pattern in INCLUDE) and os.path.isfile(os.path.join(model_dir, n))
    )
    for required in REQUIRED:
        if required not in names:
            raise ModelDirError(f"{model_dir}: no {required}; train and export the model first (keras-slm train)")
    for name in names:
        if os.path.islink(os.path.join(model_dir, name)):
            raise BundleError(f"{model_dir}/{name}: is a symlink; copy the real file into the model directory")
    return names


def build_bundle(model_dir, out, *, name=None, overwrite=False, **card_fields):
    """Writes a bundle (folder, or archive when `out` ends in .tar.gz/.tgz) from a model directory.

    Args:
        model_dir: a directory written by `keras-slm train` / `TextClassifier.save` + `.export`.
        out: bundle folder, or `.tar.gz` / `.tgz` archive path.
        name: model name for the card (default: the directory's name).
        overwrite: replace an existing `out`.
        **card_fields: `language`, `licence`, `limitations`, `description`, `data`, `parent`,
            `extra_metrics` for the model card (see `keras_slm.registry.card.make_card`).

    Returns:
        `out`, the path written (open it with `open_bundle`).

    Example:
    >>> build_bundle("runs/sst2", "sst2.tar.gz", language="en", licence="Apache-2.0")  # doctest: +SKIP
    """
    model_dir, out = os.fspath(model_dir), os.fspath(out)
    if not os.path.isdir(model_dir):
        raise ModelDirError(f"{model_dir}: not a model directory")
    if os.path.lexists(out) and not overwrite:
        raise BundleError(f"{out}: already exists; pass overwrite=True (--overwrite) to replace it")
    names = _model_files(model_dir)
    config = files.read_json(os.path.join(model_dir, "config.json"), "the config.json keras-slm wrote")
    metrics_path = os.path.join(model_dir, "metrics.json")
    metrics = files.read_json(metrics_path, "the metrics.json keras-slm wrote") if os.path.exists(metrics_path) else {}
    labels = None
    if "labels.txt" in names:
        labels = [line for line in files.read_text(os.path.join(model_dir, "labels.txt")).split("\n") if line.strip()]
    sizes = {n: os.path.getsize(os.path.join(model_dir, n)) for n in names if n.endswith((".tflite", ".keras"))}
    card = card_lib.make_card(
        config, metrics, name=name or os.path.basename(os.path.abspath(model_dir)), labels=labels, files=sizes,
        **card_fields,
    )
    parent_dir = os.path.dirname(os.path.abspath(out))
    os.makedirs(parent_dir, exist_ok=True)
    stage = tempfile.mkdtemp(prefix=".bundle-", dir=parent_dir)
    try:
        for n in names:
            shutil.copyfile(os.path.join(model_dir, n), os.path.join(stage, n))
        if "metrics.json" not in names:
            with open(os.path.join(stage, "metrics.json"), "w", encoding="utf-8") as f:
                json.dump({"note": "no metrics.json in the model directory"}, f)
        with open(os.path.join(stage, card_lib.CARD_FILE), "w", encoding="utf-8") as f:
            f.write(card_lib.dumps(card))
        with open(os.path.join(stage, card_lib.CARD_MARKDOWN), "w", encoding="utf-8") as f:
            f.write(card_lib.render_markdown(card))
        write_manifest(stage)
        verify_folder(stage)
        if is_archive(out):
            _write_archive(stage, out)
            return out
        if os.path.lexists(out):
            shutil.rmtree(out) if os.path.isdir(out) and not os.path.islink(out) else os.remove(out)
        os.rename(stage, out)
        return out
    finally:
        if os.path.isdir(stage):
            shutil.rmtree(stage, ignore_errors=True)


def write_manifest(folder):
    """Writes manifest.json listing sha256 and size of every file under `folder`."""
    entries = {}
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for n in sorted(names):
            rel = os.path.relpath(os.path.join(root, n), folder).replace(os.sep, "/")
            if rel != MANIFEST_FILE:
                full = os.path.join(root, n)
                entries[rel] = {"sha256": sha256_file(full), "size": os.path.getsize(full)}
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "created_by": f"keras-slm {__version__}",
                "files": entries}
    files.write_text_atomic(os.path.join(folder, MANIFEST_FILE), json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def _write_archive(folder, out):
    with files.atomic_path(out) as tmp:
        with tarfile.open(tmp, "w:gz", format=tarfile.PAX_FORMAT) as tar:
            for n in sorted(os.listdir(folder)):
                data = open(os.path.join(folder, n), "rb").read()
                info = tarfile.TarInfo(n)
                info.size, info.mode, info.mtime = len(data), 0o644, 0
                tar.addfile(info, io.BytesIO(data))


def read_manifest(folder):
    path = os.path.join(folder, MANIFEST_FILE)
    if not os.path.isfile(path) or os.path.islink(path):
        raise BundleError(f"{folder}: no {MANIFEST_FILE}; not a keras-slm bundle (build one with `keras-slm registry bundle`)")
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (ValueError, UnicodeDecodeError) as e:
        raise BundleError(f"{path}: not valid JSON ({e})") from e
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
        raise BundleError(f"{path}: not a {FORMAT} manifest")
    if manifest.get("format_version", 0) > FORMAT_VERSION:
        raise BundleError(f"{path}: bundle format {manifest['format_version']} is newer than this keras-slm reads ({FORMAT_VERSION})")
    for name, entry in manifest["files"].items():
        check_member_path(name, path)
        if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str) or not isinstance(entry.get("size"), int):
            raise BundleError(f"{path}: entry {name!r} needs a sha256 string and an integer size")
    return manifest


def verify_folder(folder):
    """Checks a bundle folder against its manifest; returns the manifest or raises `BundleError`."""
    folder = os.fspath(folder)
    if os.path.islink(folder) or not os.path.isdir(folder):
        raise BundleError(f"{folder}: not a bundle folder")
    real_root = os.path.realpath(folder)
    manifest = read_manifest(folder)
    present = set()
    for root, dirs, names in os.walk(folder):
        for n in dirs + names:
            full = os.path.join(root, n)
            rel = os.path.relpath(full, folder).replace(os.sep, "/")
            if os.path.islink(full):
                target = os.path.realpath(full)
                where = "outside the bundle" if os.path.commonpath([real_root, target]) != real_root else "inside the bundle"
                raise BundleError(f"{folder}: {rel} is a symlink (-> {os.readlink(full)}, {where}); bundles hold regular files only")
            if n in names:
                if not os.path.isfile(full):
                    raise BundleError(f"{folder}: {rel} is not a regular file")
                present.add(rel)
    present.discard(MANIFEST_FILE)
    listed = set(manifest["files"])
    if listed - present:
        raise BundleError(f"{folder}: files listed in {MANIFEST_FILE} are missing: {sorted(listed - present)}")
    if present - listed:
        raise BundleError(f"{folder}: files not listed in {MANIFEST_FILE} (unverified content): {sorted(present - listed)}")
    for rel, entry in sorted(manifest["files"].items()):
        full = os.path.join(folder, *rel.split("/"))
        size = os.path.getsize(full)
        if size != entry["size"]:
            raise BundleError(f"{folder}: {rel} is {size} bytes, the manifest says {entry['size']}: modified or truncated")
        actual = sha256_file(full)
        if actual != entry["sha256"]:
            raise BundleError(
                f"{folder}: {rel} sha256 mismatch (manifest {entry['sha256'][:16]}..., file {actual[:16]}...): "
                "modified or corrupted"
            )
    missing = [r for r in REQUIRED if r not in listed]
    if missing:
        raise BundleError(f"{folder}: bundle lacks {missing}")
    return manifest


def extract_archive(archive, dest, max_bytes=MAX_ARCHIVE_BYTES):
    """Extracts a bundle archive's regular files into `dest` (new), refusing unsafe members."""
    archive, dest = os.fspath(archive), os.fspath(dest)
    if os.path.lexists(dest):
        raise BundleError(f"{dest}: already exists; choose a new folder to extract {archive} into")
    try:
        tar = tarfile.open(archive, "r:*")
    except (tarfile.TarError, OSError) as e:
        raise BundleError(f"{archive}: not a readable .tar.gz bundle ({e})") from e
    stage = tempfile.mkdtemp(prefix=".extract-", dir=os.path.dirname(os.path.abspath(dest)) or ".")
    try:
        with tar:
            total = 0
            for member in tar:
                check_member_path(member.name.rstrip("/") if member.isdir() else member.name, archive)
                if member.issym() or member.islnk():
                    raise BundleError(f"{archive}: {member.name!r} is a {'symlink' if member.issym() else 'hard link'} "
                                      f"(-> {member.linkname!r}); bundles hold regular files only")
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BundleError(f"{archive}: {member.name!r} is not a regular file")
                total += member.size
                if total > max_bytes:
                    raise BundleError(f"{archive}: unpacks to more than {max_bytes} bytes; refused")
                target = os.path.join(stage, *member.name.split("/"))
                if os.path.lexists(target):
                    raise BundleError(f"{archive}: {member.name!r} appears twice")
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with tar.extractfile(member) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
        verify_folder(stage)
        os.rename(stage, dest)
    except (tarfile.TarError, EOFError, OSError) as e:
        raise BundleError(f"{archive}: damaged archive ({e})") from e
    finally:
        if os.path.isdir(stage):
            shutil.rmtree(stage, ignore_errors=True)
    return dest


def open_bundle(path, dest=None):
    """Verifies and opens a bundle folder or archive; returns a `Bundle`.

    Args:
        path: bundle folder, or `.tar.gz` / `.tgz` archive.
        dest: for an archive, the new folder to extract into (default: a temporary folder).
    """
    path = os.fspath(path)
    if not os.path.lexists(path):
        raise BundleError(f"{path}: no such bundle")
    if os.path.islink(path):
        raise BundleError(f"{path}: is a symlink; pass the bundle itself")
    if os.path.isdir(path):
        return Bundle(path, verify_folder(path))
    if not is_archive(path):
        raise BundleError(f"{path}: expected a bundle folder or a .tar.gz / .tgz archive")
    if dest is None:
        return Bundle(*_extract_to_temp(path))
    extract_archive(path, dest)  # verifies before the folder appears at `dest`
    return Bundle(dest, read_manifest(dest))


def _extract_to_temp(archive):
    """(folder, manifest): `archive` extracted into a temporary folder removed when the process exits.

    The folder's name carries the process id, so folders of processes killed by a signal
    (no exit handler ran) are swept by the next extraction.
    """
    import atexit

    files.remove_stale(os.path.join(tempfile.gettempdir(), "keras-slm-bundle-p*"))
    root = tempfile.mkdtemp(prefix=f"keras-slm-bundle-p{os.getpid()}-")
    atexit.register(shutil.rmtree, root, True)
    dest = os.path.join(root, "bundle")
    try:
        extract_archive(archive, dest)
        return dest, read_manifest(dest)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
