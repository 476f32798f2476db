"""Bundles: build, verify, and refuse traversal, symlinks, checksum mismatches and unsafe Keras files."""

import io
import json
import os
import shutil
import tarfile

import numpy as np
import pytest

from keras_slm.errors import BundleError
from keras_slm.registry import build_bundle, open_bundle
from keras_slm.registry.bundle import MANIFEST_FILE, sha256_file, write_manifest


def _copy(bundle_dir, tmp_path):
    dst = str(tmp_path / "copy")
    shutil.copytree(bundle_dir, dst)
    return dst


def test_bundle_folder_holds_model_card_and_manifest(bundle_dir, model_dir):
    bundle = open_bundle(bundle_dir)
    assert {"model.keras", "model.tflite", "model_dynamic.tflite", "tokenizer.json", "vocab.txt", "labels.txt",
            "config.json", "metrics.json", "model_card.json", "MODEL_CARD.md"} <= set(bundle.files)
    assert "calibration.txt" not in bundle.files  # training texts stay behind
    for name, entry in bundle.files.items():
        assert sha256_file(os.path.join(bundle_dir, name)) == entry["sha256"]
    card = bundle.card
    assert card["task"] == "text_classification" and card["language"] == "en" and card["licence"] == "Apache-2.0"
    metrics = json.load(open(os.path.join(model_dir, "metrics.json")))
    assert card["metrics"]["accuracy"] == pytest.approx(metrics["validation"]["accuracy"])
    assert card["lineage"]["training_data"][0]["sha256"]  # the training file was hashed
    assert card["model"]["labels"] == ["negative", "positive"]
    assert "Limitations" in open(os.path.join(bundle_dir, "MODEL_CARD.md")).read()


def test_bundle_model_predicts_like_the_model_directory(bundle_dir, model_dir):
    from keras_slm.models import TextClassifier

    texts = ["a gorgeous, witty film", "dull and far too long", "不是英文"]
    expected = TextClassifier.load(os.path.join(model_dir, "model.tflite")).predict_scores(texts)
    got = open_bundle(bundle_dir).load_classifier().predict_scores(texts)
    np.testing.assert_allclose(got, expected, atol=1e-6)
    keras_scores = open_bundle(bundle_dir).load_classifier(keras_model=True).predict_scores(texts)
    np.testing.assert_allclose(keras_scores, expected, atol=1e-4)


def test_archive_round_trip(model_dir, tmp_path):
    archive = build_bundle(model_dir, str(tmp_path / "m.tar.gz"), name="m")
    again = build_bundle(model_dir, str(tmp_path / "m2.tgz"), name="m")
    with tarfile.open(archive) as tar:
        assert all(m.isfile() and "/" not in m.name for m in tar.getmembers())
    bundle = open_bundle(archive, str(tmp_path / "out"))
    assert bundle.path == str(tmp_path / "out")
    assert open_bundle(again, str(tmp_path / "out2")).files == bundle.files
    with pytest.raises(BundleError, match="already exists"):
        build_bundle(model_dir, archive)


def test_checksum_mismatch_is_refused(bundle_dir, tmp_path):
    folder = _copy(bundle_dir, tmp_path)
    with open(os.path.join(folder, "vocab.txt"), "r+b") as f:  # same size, one byte changed
        first = f.read(1)
        f.seek(0)
        f.write(b"X" if first != b"X" else b"Y")
    with pytest.raises(BundleError, match=r"vocab.txt sha256 mismatch"):
        open_bundle(folder)


def test_truncated_missing_and_unlisted_files_are_refused(bundle_dir, tmp_path):
    folder = _copy(bundle_dir, tmp_path)
    with open(os.path.join(folder, "labels.txt"), "a") as f:
        f.write("extra\n")
    with pytest.raises(BundleError, match="labels.txt is .* bytes, the manifest says"):
        open_bundle(folder)
    folder = _copy(bundle_dir, tmp_path / "b")
    os.remove(os.path.join(folder, "model.tflite"))
    with pytest.raises(BundleError, match="missing: \\['model.tflite'\\]"):
        open_bundle(folder)
    folder = _copy(bundle_dir, tmp_path / "c")
    open(os.path.join(folder, "evil.py"), "w").write("print('hi')")
    with pytest.raises(BundleError, match="not listed in manifest.json"):
        open_bundle(folder)


def test_symlink_out_of_the_bundle_is_refused(bundle_dir, tmp_path):
    folder = _copy(bundle_dir, tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("do not ship")
    os.remove(os.path.join(folder, "vocab.txt"))
    os.symlink(secret, os.path.join(folder, "vocab.txt"))
    with pytest.raises(BundleError, match="vocab.txt is a symlink .*outside the bundle"):
        open_bundle(folder)


def test_manifest_path_traversal_is_refused(bundle_dir, tmp_path):
    folder = _copy(bundle_dir, tmp_path)
    manifest = json.load(open(os.path.join(folder, MANIFEST_FILE)))
    manifest["files"]["../outside.txt"] = {"sha256": "0" * 64, "size": 1}
    json.dump(manifest, open(os.path.join(folder, MANIFEST_FILE), "w"))
    with pytest.raises(BundleError, match="path traversal"):
        open_bundle(folder)


def _archive_with(path, member, data=b"x", linkname=None, kind=tarfile.REGTYPE):
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo(member)
        info.type = kind
        if linkname:
            info.linkname = linkname
        else:
            info.size = len(data)
        tar.addfile(info, io.BytesIO(data) if not linkname else None)
    return path


@pytest.mark.parametrize("member, kind, linkname, message", [
    ("../../escaped.txt", tarfile.REGTYPE, None, "path traversal"),
    ("/tmp/escaped-abs.txt", tarfile.REGTYPE, None, "absolute path"),
    ("vocab.txt", tarfile.SYMTYPE, "/etc/passwd", "is a symlink"),
    ("vocab.txt", tarfile.LNKTYPE, "/etc/passwd", "is a hard link"),
    ("fifo", tarfile.FIFOTYPE, None, "not a regular file"),
])
def test_unsafe_archive_members_are_refused(tmp_path, member, kind, linkname, message):
    archive = _archive_with(str(tmp_path / "bad.tar.gz"), member, linkname=linkname, kind=kind)
    dest = tmp_path / "work" / "dest"
    os.makedirs(dest.parent)
    with pytest.raises(BundleError, match=message):
        open_bundle(archive, str(dest))
    assert not dest.exists() and not (tmp_path / "escaped.txt").exists()
    assert os.listdir(dest.parent) == []  # the staging folder is gone too


def test_archive_of_a_tampered_bundle_is_refused(bundle_dir, tmp_path):
    folder = _copy(bundle_dir, tmp_path)
    with open(os.path.join(folder, "model.tflite"), "r+b") as f:
        f.seek(100)
        byte = f.read(1)
        f.seek(100)
        f.write(bytes([byte[0] ^ 1]))
    archive = str(tmp_path / "tampered.tar.gz")
    with tarfile.open(archive, "w:gz") as tar:
        for name in sorted(os.listdir(folder)):
            tar.add(os.path.join(folder, name), arcname=name)
    with pytest.raises(BundleError, match="model.tflite sha256 mismatch"):
        open_bundle(archive, str(tmp_path / "dest"))
    assert not (tmp_path / "dest").exists()


def test_keras_file_with_python_lambda_is_refused_on_load(bundle_dir, tmp_path):
    import keras

    folder = _copy(bundle_dir, tmp_path)
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs))
    os.remove(os.path.join(folder, "model.keras"))
    model.save(os.path.join(folder, "model.keras"))
    write_manifest(folder)  # checksums match: only safe_mode stands between the file and the user
    bundle = open_bundle(folder)
    with pytest.raises(BundleError, match="model refused on load"):
        bundle.load_classifier(keras_model=True)


def test_model_dir_without_tflite_is_refused(model_dir, tmp_path):
    from keras_slm.errors import ModelDirError

    partial = tmp_path / "partial"
    partial.mkdir()
    for name in ("config.json", "tokenizer.json", "vocab.txt", "labels.txt"):
        shutil.copy(os.path.join(model_dir, name), partial / name)
    with pytest.raises(ModelDirError, match="no model.tflite"):
        build_bundle(str(partial), str(tmp_path / "out"))


def test_train_and_export_write_bundles_on_request(model_dir, tmp_path, capsys):
    from keras_slm.cli import main

    archive = os.path.join(os.path.dirname(model_dir), "trained.tar.gz")  # keras-slm train --bundle
    trained = open_bundle(archive, str(tmp_path / "trained"))
    assert trained.card["name"] == "tiny-awe" and trained.card["language"] == "en"
    assert trained.files["model.tflite"]["sha256"] == sha256_file(os.path.join(model_dir, "model.tflite"))

    work = str(tmp_path / "model")
    shutil.copytree(model_dir, work)
    rc = main(["export", work, "--quantize", "float16", "--latency-runs", "5", "--bundle", str(tmp_path / "b"),
               "--bundle-licence", "CC-BY-4.0"])
    assert rc == 0
    assert "wrote bundle" in capsys.readouterr().out
    exported = open_bundle(str(tmp_path / "b"))
    assert "model_float16.tflite" in exported.files and exported.card["licence"] == "CC-BY-4.0"
