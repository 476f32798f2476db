"""A new user's path through the CLI: push two versions, compare, pull into a clean folder, serve, curl."""

import json
import os
import shutil
import subprocess

import httpx
import pytest

from keras_slm.cli import main


def cli(capsys, *args):
    rc = main(list(args))
    out, err = capsys.readouterr()
    assert rc == 0, err
    return out


def curl(url, body):
    """POSTs with curl when installed (as the README shows), else with httpx; returns (status, JSON)."""
    if shutil.which("curl"):
        proc = subprocess.run(["curl", "-s", "-w", "\n%{http_code}", "-X", "POST", url, "-d", body],
                              capture_output=True, text=True, timeout=30)
        text, _, status = proc.stdout.rpartition("\n")
        return int(status), json.loads(text)
    r = httpx.post(url, content=body.encode())
    return r.status_code, r.json()


def test_push_compare_pull_serve_and_query(model_dir, tmp_path, capsys, start_server):
    reg = ["--registry", str(tmp_path / "registry")]
    out = cli(capsys, "registry", "push", model_dir, "--name", "sentiment", "--language", "en",
              "--licence", "Apache-2.0", *reg)
    assert "published sentiment@1.0.0" in out
    out = cli(capsys, "registry", "push", model_dir, "--name", "sentiment", "--bump", "minor",
              "--parent", "sentiment@1.0.0", "--metric", "test_accuracy=0.71", *reg)
    assert "published sentiment@1.1.0" in out

    out = cli(capsys, "registry", "list", *reg)
    assert "sentiment  1.0.0" in out and "sentiment  1.1.0" in out
    assert "1.1.0" in cli(capsys, "registry", "list", "--metric", "test_accuracy>=0.7", "--language", "en", *reg)
    assert cli(capsys, "registry", "list", "--max-size", "1K", *reg).strip() == "no matching models"
    table = json.loads(cli(capsys, "registry", "compare", "sentiment", "--json", *reg))
    assert [row["version"] for row in table["rows"]] == ["1.0.0", "1.1.0"] and table["best"]["test_accuracy"] == "1.1.0"
    assert "(* = best)" in cli(capsys, "registry", "compare", "sentiment", *reg)
    out = cli(capsys, "registry", "lineage", "sentiment@1.1.0", *reg)
    assert "sentiment@1.1.0" in out and "<- sentiment@1.0.0" in out
    assert "licence      Apache-2.0" in cli(capsys, "registry", "show", "sentiment", *reg)  # inherited by 1.1.0

    clean = tmp_path / "clean" / "sentiment"
    out = cli(capsys, "registry", "pull", "sentiment@1.1.0", str(clean), *reg)
    assert "sha256 verified" in out
    assert "ok:" in cli(capsys, "registry", "verify", str(clean))
    cli(capsys, "registry", "deprecate", "sentiment@1.0.0", "--reason", "superseded", *reg)
    assert "DEPRECATED" in cli(capsys, "registry", "list", "--all", *reg)

    server = start_server(str(clean))
    assert "[bundle verified]" in server.output()
    status, body = curl(f"{server.url}/v1/predict", '{"texts": ["a gorgeous, witty film", "dull and far too long"]}')
    assert status == 200, body
    assert body["model"]["name"] == "sentiment" and len(body["predictions"]) == 2
    assert {p["label"] for p in body["predictions"]} <= {"negative", "positive"}
    status, body = curl(f"{server.url}/v1/predict", '{"texts": ')
    assert status == 400 and body["error"]["code"] == "malformed_json"


def test_registry_reference_is_pulled_verified_and_reports_its_version(model_dir, bundle_dir, tmp_path):
    from keras_slm.registry import LocalRegistry
    from keras_slm.serving import resolve

    reg = LocalRegistry(str(tmp_path / "registry"))
    reg.push(bundle_dir)
    reg.push(bundle_dir)
    served = resolve("tiny-awe", registry=reg, cache_dir=str(tmp_path / "cache"))
    assert (served.name, served.version, served.verified) == ("tiny-awe", "1.0.1", True)
    assert served.directory == str(tmp_path / "cache" / "tiny-awe" / "1.0.1")
    again = resolve("tiny-awe@1.0.1", registry=reg, cache_dir=str(tmp_path / "cache"))  # cached copy re-verified
    assert again.sha256 == served.sha256
    with open(os.path.join(served.directory, "labels.txt"), "a") as f:
        f.write("tampered\n")
    from keras_slm.errors import BundleError

    with pytest.raises(BundleError, match="labels.txt"):
        resolve("tiny-awe@1.0.1", registry=reg, cache_dir=str(tmp_path / "cache"))


def test_serving_a_tampered_bundle_is_refused(bundle_dir, tmp_path, capsys):
    folder = str(tmp_path / "bundle")
    shutil.copytree(bundle_dir, folder)
    with open(os.path.join(folder, "model.tflite"), "r+b") as f:
        f.seek(64)
        byte = f.read(1)
        f.seek(64)
        f.write(bytes([byte[0] ^ 0xFF]))
    assert main(["serve", folder, "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "keras-slm serve: error:" in err and "model.tflite sha256 mismatch" in err
