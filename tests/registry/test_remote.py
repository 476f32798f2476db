"""Object-store registry (fsspec + s3fs) against a real S3 server on loopback (moto)."""

import os

import pytest

from keras_slm.errors import BundleError
from keras_slm.registry import open_registry
from keras_slm.registry.remote import ObjectStoreRegistry
from tests.registry.test_store import concurrent_pushes, round_trip


def _registry(s3_server, prefix):
    return open_registry(f"s3://models/{prefix}", **s3_server)


def test_object_store_round_trip(s3_server, model_dir, bundle_dir, tmp_path):
    reg = _registry(s3_server, "round-trip")
    assert isinstance(reg, ObjectStoreRegistry)
    v1, v2 = round_trip(reg, model_dir, bundle_dir, tmp_path)
    keys = reg.fs.find("models/round-trip/blobs")
    assert len(keys) == len({e["sha256"] for r in (v1, v2) for e in r.files.values()})  # stored once
    # A second client (fresh connection, no shared cache) sees the same registry.
    other = _registry(s3_server, "round-trip")
    assert [r.version for r in other.versions("tiny-awe")] == ["1.0.0", "1.1.0", "3.0.0", "3.0.1", "3.0.2"]


def test_tampered_object_is_refused_on_pull(s3_server, bundle_dir, tmp_path):
    reg = _registry(s3_server, "tampered")
    record = reg.push(bundle_dir)
    key = reg._blob_key(record.files["labels.txt"]["sha256"])
    reg.fs.pipe_file(key, b"positive\nnegative\n")  # someone with write access swaps a file
    with pytest.raises(BundleError, match="labels.txt downloaded with sha256"):
        reg.pull(record.ref, str(tmp_path / "dest"))
    assert not os.path.exists(tmp_path / "dest")


def test_two_processes_pushing_to_the_object_store_lose_nothing(s3_server, bundle_dir):
    options = [f"{k}={v}" for k, v in s3_server.items()]
    a, b = concurrent_pushes("s3://models/race", bundle_dir, per_process=4, options=options)
    assert len(set(a) | set(b)) == 8
    published = [r.version for r in _registry(s3_server, "race").versions("tiny-awe")]
    assert published == [f"1.0.{i}" for i in range(8)] and sorted(published) == sorted(a + b)
