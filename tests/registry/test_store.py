"""Local registry (folder + SQLite): round trip, immutability, search, lineage, concurrent pushes."""

import os
import subprocess
import sys
import textwrap
import time

import pytest

from keras_slm.errors import BundleError, RegistryError
from keras_slm.registry import LocalRegistry, next_version, open_registry, parse_ref
from keras_slm.registry.bundle import sha256_file

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_versions():
    assert next_version([], "major") == "1.0.0"
    assert next_version(["1.0.0", "1.9.3", "1.10.0"], "patch") == "1.10.1"
    assert next_version(["1.2.3"], "minor") == "1.3.0"
    assert next_version(["1.2.3"], "major") == "2.0.0"
    assert parse_ref("a-b_c.1@2.0.1") == ("a-b_c.1", "2.0.1")
    for bad in ("../x", "x/y", "", ".hidden", "a@1.0", "a@v1.0.0"):
        with pytest.raises(RegistryError):
            parse_ref(bad)


def round_trip(reg, model_dir, bundle_dir, tmp_path):
    """Push, list, show, compare, lineage, pull, deprecate, immutability: any `Registry`."""
    v1 = reg.push(bundle_dir)  # a bundle folder: name and card from the bundle
    assert (v1.name, v1.version, v1.language) == ("tiny-awe", "1.0.0", "en")
    v2 = reg.push(model_dir, name="tiny-awe", bump="minor", parent="tiny-awe@1.0.0",
                  extra_metrics={"test_accuracy": 0.75})
    assert v2.version == "1.1.0" and v2.parent == "tiny-awe@1.0.0"
    assert v2.language == "en" and v2.licence == "Apache-2.0"  # inherited from the latest version
    assert reg.push(bundle_dir, version="3.0.0").version == "3.0.0"
    assert reg.push(bundle_dir, bump="patch").version == "3.0.1"
    with pytest.raises(RegistryError, match="already published"):
        reg.push(bundle_dir, version="1.1.0")
    with pytest.raises(RegistryError, match="not published"):
        reg.push(bundle_dir, parent="tiny-awe@9.9.9")

    assert [r.version for r in reg.list(name="tiny-awe")] == ["1.0.0", "1.1.0", "3.0.0", "3.0.1"]
    assert reg.show("tiny-awe").version == "3.0.1"
    assert reg.show("tiny-awe@1.1.0").metrics["test_accuracy"] == 0.75
    assert [r.version for r in reg.list(min_metrics={"test_accuracy": 0.7})] == ["1.1.0"]
    assert reg.list(task="ner") == [] and reg.list(language="zh") == []
    assert len(reg.list(max_size=v1.size_bytes)) == 4 and reg.list(max_size=v1.size_bytes - 1) == []
    assert [r.version for r in reg.list(latest=True)] == ["3.0.1"]

    table = reg.compare("tiny-awe", ["1.0.0", "1.1.0"])
    assert table["metrics"] == ["accuracy", "macro_f1", "test_accuracy"]
    assert [row["test_accuracy"] for row in table["rows"]] == [None, 0.75]
    assert table["best"]["test_accuracy"] == "1.1.0"
    assert [r.ref for r in reg.lineage("tiny-awe@1.1.0")] == ["tiny-awe@1.1.0", "tiny-awe@1.0.0"]
    assert reg.lineage("tiny-awe@1.1.0")[0].training_data[0]["sha256"]

    bundle = reg.pull("tiny-awe@1.1.0", str(tmp_path / "pulled"))
    assert bundle.digest == v2.digest
    for rel, entry in v2.files.items():
        assert sha256_file(os.path.join(bundle.path, rel)) == entry["sha256"]
    with pytest.raises(RegistryError, match="already exists"):
        reg.pull("tiny-awe@1.1.0", str(tmp_path / "pulled"))

    reg.deprecate("tiny-awe@3.0.1", "worse on long reviews")
    assert reg.show("tiny-awe").version == "3.0.0"  # latest skips deprecated
    assert [r.version for r in reg.list()] == ["1.0.0", "1.1.0", "3.0.0"]
    assert reg.list(include_deprecated=True)[-1].deprecation_reason == "worse on long reviews"
    assert reg.pull("tiny-awe@3.0.1", str(tmp_path / "old")).digest == v1.digest  # still pullable
    assert reg.push(bundle_dir).version == "3.0.2"  # versions are never reused
    with pytest.raises(RegistryError, match="no model named"):
        reg.show("nothing")
    return v1, v2


def test_local_round_trip(model_dir, bundle_dir, tmp_path):
    reg = open_registry(str(tmp_path / "registry"))
    assert isinstance(reg, LocalRegistry)
    v1, v2 = round_trip(reg, model_dir, bundle_dir, tmp_path)
    # Identical files are stored once: 5 pushes of 2 distinct bundles.
    blobs = sum(len(files) for _, _, files in os.walk(tmp_path / "registry" / "blobs"))
    assert blobs == len(set(e["sha256"] for r in (v1, v2) for e in r.files.values()))


def test_corrupted_blob_is_refused_on_pull(bundle_dir, tmp_path):
    reg = LocalRegistry(str(tmp_path / "registry"))
    record = reg.push(bundle_dir)
    blob = reg._blob_path(record.files["model.tflite"]["sha256"])
    os.chmod(blob, 0o644)
    with open(blob, "r+b") as f:
        f.seek(10)
        f.write(b"\x00\x01")
    with pytest.raises(BundleError, match="model.tflite downloaded with sha256"):
        reg.pull(record.ref, str(tmp_path / "dest"))
    assert not (tmp_path / "dest").exists()
    assert [p for p in os.listdir(tmp_path) if p.startswith(".pull-")] == []


def test_the_index_is_a_cache_of_the_verified_bundle(bundle_dir, tmp_path):
    """Metrics edited inside the SQLite index are neither shown nor filtered on: the bundle's card rules."""
    import json
    import sqlite3

    reg = LocalRegistry(str(tmp_path / "registry"))
    record = reg.push(bundle_dir)
    true_metrics = dict(record.metrics)
    assert true_metrics
    from keras_slm.registry.store import INDEX_FILE

    index = os.path.join(str(tmp_path / "registry"), INDEX_FILE)
    with sqlite3.connect(index) as db:
        stored = json.loads(db.execute("SELECT record FROM versions").fetchone()[0])
        stored["metrics"] = {k: 0.999 for k in true_metrics}
        stored["task"], stored["language"] = "ner", "xx"
        db.execute("UPDATE versions SET record = ?, task = 'ner', language = 'xx'", (json.dumps(stored),))
    reg = LocalRegistry(str(tmp_path / "registry"))
    shown = reg.show(record.ref)
    assert shown.metrics == true_metrics and shown.task == record.task and shown.language == record.language
    metric = sorted(true_metrics)[0]
    assert [r.ref for r in reg.list(min_metrics={metric: true_metrics[metric]})] == [record.ref]
    assert reg.list(min_metrics={metric: true_metrics[metric] + 1e-6}) == []  # the edited 0.999 is not used
    assert reg.list(language="xx") == [] and [r.ref for r in reg.list(language=record.language)] == [record.ref]
    bundle = reg.pull(record.ref, str(tmp_path / "pulled"))
    assert bundle.card["metrics"] == shown.metrics


PUSHER = textwrap.dedent("""
    import sys, time
    from keras_slm.registry import open_registry
    location, bundle, start, n = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    options = dict(arg.split("=", 1) for arg in sys.argv[5:])
    reg = open_registry(location, **options)
    while time.time() < start:
        time.sleep(0.001)
    for _ in range(n):
        print(reg.push(bundle).version, flush=True)
""")


def concurrent_pushes(location, bundle_dir, per_process=6, options=()):
    """Two processes push `per_process` versions each at the same moment; returns their versions."""
    start = time.time() + 2.0  # both processes have imported by then
    env = dict(os.environ, PYTHONPATH=REPO)
    procs = [
        subprocess.Popen([sys.executable, "-c", PUSHER, location, bundle_dir, str(start), str(per_process), *options],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outputs):
        assert p.returncode == 0, err[-2000:]
    return [out.split() for out, _ in outputs]


def test_two_processes_pushing_at_once_lose_nothing(bundle_dir, tmp_path):
    location = str(tmp_path / "registry")
    LocalRegistry(location)  # created before the race, as a shared registry would be
    a, b = concurrent_pushes(location, bundle_dir)
    assert len(a) == len(b) == 6
    assert len(set(a) | set(b)) == 12  # no version handed out twice
    published = [r.version for r in LocalRegistry(location).versions("tiny-awe")]
    assert sorted(published) == sorted(a + b)
    assert published == [f"1.0.{i}" for i in range(12)]
    for version in (published[0], published[-1]):
        LocalRegistry(location).pull(f"tiny-awe@{version}", str(tmp_path / version))
