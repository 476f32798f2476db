"""`Registry`: publish, find, compare, fetch and deprecate model versions, over any store.

The logic (versioning, verification, search, compare, lineage) lives here; a subclass only
stores two kinds of thing: content-addressed blobs (bundle files named by their sha256) and
version records. Publishing a record is the single atomic step: it either claims a new
`name@version` or fails because another push got there first, in which case an automatic
version is recomputed and tried again. Blobs are uploaded before the record, so a record never
points at missing content, and identical files are stored once across versions.
"""

import datetime
import json
import os
import shutil
import tempfile

from keras_slm.errors import BundleError, RegistryError
from keras_slm.registry import bundle as bundle_lib
from keras_slm.registry import card as card_lib
from keras_slm.registry.record import ModelRecord
from keras_slm.registry.versions import check_name, next_version, parse_ref, parse_version, version_key

MAX_PUBLISH_ATTEMPTS = 50


class VersionTaken(Exception):
    """Raised by `_publish` when `name@version` already exists."""


class Registry:
    """Base class: subclasses implement the `_`-prefixed storage methods.

    Example:
    >>> from keras_slm.registry import open_registry
    >>> reg = open_registry("/tmp/registry")  # doctest: +SKIP
    >>> rec = reg.push("runs/sst2", name="sst2-sentiment", language="en")  # doctest: +SKIP
    >>> reg.pull("sst2-sentiment@1.0.0", "/tmp/sst2")  # doctest: +SKIP
    """

    location = None

    # ---- storage, implemented by subclasses -------------------------------------------------
    def _has_blob(self, sha256):
        raise NotImplementedError

    def _put_blob(self, sha256, src):
        raise NotImplementedError

    def _get_blob(self, sha256, dst):
        raise NotImplementedError

    def _publish(self, record):
        """Stores a new record dict; raises `VersionTaken` if name@version exists."""
        raise NotImplementedError

    def _records(self, name=None):
        """All record dicts (of `name`, when given), deprecation state included."""
        raise NotImplementedError

    def _set_deprecated(self, name, version, reason):
        raise NotImplementedError

    # ---- publishing -------------------------------------------------------------------------
    def push(self, source, name=None, version=None, bump="patch", parent=None, **card_fields):
        """Publishes a bundle (folder or archive) or a model directory as a new version.

        Args:
            source: bundle folder, `.tar.gz` bundle, or a trained model directory (bundled on the fly).
            name: model name (default: the bundle card's name).
            version: explicit "X.Y.Z"; refused if already published.
            bump: without `version`: "patch", "minor" or "major" over the highest published version.
            parent: "name@version" this model derives from (must be in this registry).
            **card_fields: model card fields when `source` is a model directory (`language`,
                `licence`, `limitations`, `description`, `data`, `extra_metrics`); language, licence
                and description default to those of the model's latest version.

        Returns:
            the published `ModelRecord`.
        """
        source = os.fspath(source)
        work = tempfile.mkdtemp(prefix="keras-slm-push-")
        try:
            if os.path.isdir(source) and not os.path.exists(os.path.join(source, bundle_lib.MANIFEST_FILE)):
                card_fields = self._inherited_card_fields(name, card_fields)
                folder = bundle_lib.build_bundle(source, os.path.join(work, "bundle"), name=name, parent=parent, **card_fields)
                bundle = bundle_lib.open_bundle(folder)
            else:
                if card_fields:
                    raise RegistryError(f"{source}: is already a bundle; its model card cannot be changed at push "
                                        f"(got {sorted(card_fields)}); rebuild the bundle from the model directory")
                bundle = bundle_lib.open_bundle(source, os.path.join(work, "bundle") if bundle_lib.is_archive(source) else None)
            name = check_name(name or bundle.card.get("name") or "")
            parent = parent or bundle.card.get("lineage", {}).get("parent")
            if parent:
                self.show(parent)  # the parent must exist here: lineage stays resolvable
            if version is not None:
                parse_version(version)
            files = dict(bundle.files)
            files[bundle_lib.MANIFEST_FILE] = {
                "sha256": bundle.digest, "size": os.path.getsize(os.path.join(bundle.path, bundle_lib.MANIFEST_FILE)),
            }
            for rel, entry in sorted(files.items()):
                if not self._has_blob(entry["sha256"]):
                    self._put_blob(entry["sha256"], os.path.join(bundle.path, *rel.split("/")))
            card = bundle.card
            base = {
                "name": name, "task": card.get("task") or bundle.config.get("task", "unknown"),
                "language": card.get("language", "und"), "licence": card.get("licence", "unspecified"),
                "size_bytes": files.get("model.tflite", {}).get("size", 0), "bundle_bytes": bundle.size_bytes,
                "digest": bundle.digest, "files": files, "metrics": dict(card.get("metrics", {})),
                "parent": parent, "training_data": card.get("lineage", {}).get("training_data", []),
                "card": card,
            }
            return self._publish_loop(base, version, bump)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _inherited_card_fields(self, name, card_fields):
        """language / licence / description of the model's latest version, unless given."""
        if not name:
            return card_fields
        previous = [ModelRecord.from_dict(r) for r in self._records(check_name(name))]
        if not previous:
            return card_fields
        latest = max(previous, key=lambda r: version_key(r.version)).card
        inherited = {k: latest[k] for k in ("language", "licence", "description") if latest.get(k)}
        return dict(inherited, **card_fields)

    def _publish_loop(self, base, version, bump):
        for _ in range(MAX_PUBLISH_ATTEMPTS):
            chosen = version or next_version([r["version"] for r in self._records(base["name"])], bump)
            record = ModelRecord.from_dict(dict(
                base, version=chosen, created=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            ))
            try:
                self._publish(record.to_dict())
                return record
            except VersionTaken:
                if version is not None:
                    raise RegistryError(f"{base['name']}@{version} is already published; versions are immutable "
                                        "(push without --version to get the next one)") from None
        raise RegistryError(f"{base['name']}: could not claim a version after {MAX_PUBLISH_ATTEMPTS} attempts")

    # ---- reading ----------------------------------------------------------------------------
    # ---- the index is a cache of the bundles -----------------------------------------------
    # Everything a record says about a model (task, language, metrics, files, card) is re-derived
    # from its bundle's manifest and model card, both fetched and sha256-checked, so an index row
    # edited by hand (or by a bug) can neither show nor filter on values the bundle does not hold.
    # The index keeps only what belongs to the registry: name, version, parent, dates, deprecation.
    def _record(self, stored):
        return ModelRecord.from_dict({**stored, **self._bundle_fields(stored)})

    def _fetch_json(self, sha256, tmp, what):
        target = os.path.join(tmp, sha256)
        self._get_blob(sha256, target)
        actual = bundle_lib.sha256_file(target)
        if actual != sha256:
            raise BundleError(f"{self.location}: {what} has sha256 {actual[:16]}..., expected {sha256[:16]}...: "
                              "the store is corrupted")
        try:
            with open(target, encoding="utf-8") as f:
                value = json.load(f)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            raise BundleError(f"{self.location}: {what} is not a JSON object: the store is corrupted")
        return value, os.path.getsize(target)

    def _bundle_fields(self, stored):
        digest = stored.get("digest")
        cache = self.__dict__.setdefault("_verified_fields", {})
        if digest not in cache:
            ref = f"{stored.get('name')}@{stored.get('version')}"
            if not isinstance(digest, str) or len(digest) != 64:
                raise BundleError(f"{self.location}: {ref} has no valid bundle digest in the index: the index is corrupted")
            with tempfile.TemporaryDirectory(prefix="keras-slm-index-") as tmp:
                manifest, manifest_size = self._fetch_json(digest, tmp, f"{ref} {bundle_lib.MANIFEST_FILE}")
                files = dict(manifest.get("files") or {})
                card_entry = files.get(card_lib.CARD_FILE) or {}
                card = self._fetch_json(card_entry["sha256"], tmp, f"{ref} {card_lib.CARD_FILE}")[0] if card_entry else {}
                config = {}
                if not card.get("task") and "config.json" in files:
                    config = self._fetch_json(files["config.json"]["sha256"], tmp, f"{ref} config.json")[0]
            bundle_bytes = sum(entry.get("size", 0) for entry in files.values())
            files[bundle_lib.MANIFEST_FILE] = {"sha256": digest, "size": manifest_size}
            cache[digest] = {
                "task": card.get("task") or config.get("task", "unknown"), "language": card.get("language", "und"),
                "licence": card.get("licence", "unspecified"), "size_bytes": files.get("model.tflite", {}).get("size", 0),
                "bundle_bytes": bundle_bytes, "files": files, "metrics": dict(card.get("metrics", {})),
                "training_data": card.get("lineage", {}).get("training_data", []), "card": card,
            }
        return cache[digest]

    def versions(self, name, include_deprecated=True):
        """`ModelRecord`s of `name`, oldest version first."""
        records = [self._record(r) for r in self._records(check_name(name))]
        records.sort(key=lambda r: version_key(r.version))
        return [r for r in records if include_deprecated or not r.deprecated]

    def show(self, ref):
        """The `ModelRecord` for "name@version", or for "name": its latest non-deprecated version."""
        name, version = parse_ref(ref)
        records = self.versions(name)
        if not records:
            raise RegistryError(f"no model named {name!r} in {self.location}")
        if version is None:
            live = [r for r in records if not r.deprecated]
            if not live:
                raise RegistryError(f"every version of {name!r} is deprecated; name one: {[r.version for r in records]}")
            return live[-1]
        for r in records:
            if r.version == version:
                return r
        raise RegistryError(f"{name}@{version} is not published; versions: {[r.version for r in records]}")

    def list(self, name=None, task=None, language=None, max_size=None, min_metrics=None, query=None,
             include_deprecated=False, latest=False):
        """Published versions matching every filter given, by name then version.

        Args:
            name: only this model.
            task / language: exact match (e.g. "text_classification", "en").
            max_size: largest model.tflite in bytes.
            min_metrics: {metric: lowest value}, e.g. {"accuracy": 0.8}; versions without the metric drop out.
            query: substring of the name or the card's description (case-insensitive).
            include_deprecated: list deprecated versions too.
            latest: only the highest matching version of each model.
        """
        records = [self._record(r) for r in self._records(check_name(name) if name else None)]
        out = []
        for r in records:
            if (not include_deprecated and r.deprecated) or (task and r.task != task) or (language and r.language != language):
                continue
            if max_size is not None and r.size_bytes > max_size:
                continue
            if any(r.metrics.get(k) is None or r.metrics[k] < v for k, v in (min_metrics or {}).items()):
                continue
            if query and query.lower() not in (r.name + " " + str(r.card.get("description", ""))).lower():
                continue
            out.append(r)
        out.sort(key=lambda r: (r.name, version_key(r.version)))
        if latest:
            out = list({r.name: r for r in out}.values())
        return out

    def compare(self, name, versions=None, metrics=None):
        """Metrics of several versions side by side.

        Returns:
            {"name", "metrics": [metric names], "rows": [{"version", "deprecated", "size_bytes", <metric>: value}],
             "best": {metric: version}}
        """
        records = self.versions(name)
        if versions:
            wanted = set(versions)
            missing = wanted - {r.version for r in records}
            if missing:
                raise RegistryError(f"{name}: versions not published: {sorted(missing)}")
            records = [r for r in records if r.version in wanted]
        if not records:
            raise RegistryError(f"no model named {name!r} in {self.location}")
        keys = metrics or sorted({k for r in records for k in card_lib.comparable_metrics(r.metrics)})
        rows = [dict({"version": r.version, "deprecated": r.deprecated, "size_bytes": r.size_bytes},
                     **{k: r.metrics.get(k) for k in keys}) for r in records]
        best = {}
        for k in keys:
            scored = [(row[k], version_key(row["version"]), row["version"]) for row in rows if row[k] is not None]
            if scored:  # ties: the newest version
                best[k] = (min(scored, key=lambda t: (t[0], [-x for x in t[1]])) if card_lib.lower_is_better(k)
                           else max(scored))[2]
        return {"name": name, "metrics": list(keys), "rows": rows, "best": best}

    def lineage(self, ref):
        """[record, its parent, the parent's parent, ...] following `parent` links."""
        chain, seen = [], set()
        record = self.show(ref)
        while record is not None and record.ref not in seen:
            chain.append(record)
            seen.add(record.ref)
            record = self.show(record.parent) if record.parent else None
        return chain

    # ---- fetching and state -----------------------------------------------------------------
    def pull(self, ref, dest):
        """Downloads a version into the new folder `dest`, verifying every sha256; returns the `Bundle`."""
        record = self.show(ref)
        dest = os.fspath(dest)
        if os.path.lexists(dest):
            raise RegistryError(f"{dest}: already exists; pull into a new folder")
        parent_dir = os.path.dirname(os.path.abspath(dest))
        os.makedirs(parent_dir, exist_ok=True)
        stage = tempfile.mkdtemp(prefix=".pull-", dir=parent_dir)
        try:
            for rel, entry in sorted(record.files.items()):
                bundle_lib.check_member_path(rel, f"{record.ref} record")
                target = os.path.join(stage, *rel.split("/"))
                os.makedirs(os.path.dirname(target), exist_ok=True)
                self._get_blob(entry["sha256"], target)
                actual = bundle_lib.sha256_file(target)
                if actual != entry["sha256"] or os.path.getsize(target) != entry["size"]:
                    raise BundleError(f"{record.ref}: {rel} downloaded with sha256 {actual[:16]}..., expected "
                                      f"{entry['sha256'][:16]}...: the store is corrupted; not installed")
            bundle_lib.verify_folder(stage)
            if bundle_lib.sha256_file(os.path.join(stage, bundle_lib.MANIFEST_FILE)) != record.digest:
                raise BundleError(f"{record.ref}: manifest digest differs from the published one; not installed")
            os.rename(stage, dest)
        finally:
            if os.path.isdir(stage):
                shutil.rmtree(stage, ignore_errors=True)
        return bundle_lib.Bundle(dest, bundle_lib.read_manifest(dest))

    def deprecate(self, ref, reason=None):
        """Marks "name@version" deprecated: still pullable by exact version, never picked as latest."""
        name, version = parse_ref(ref)
        if version is None:
            raise RegistryError(f"deprecate needs an exact version: {name}@X.Y.Z")
        self.show(ref)
        self._set_deprecated(name, version, reason or "deprecated")
        return self.show(ref)
