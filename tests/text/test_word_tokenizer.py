import numpy as np
import pytest

from keras_slm.text import PAD_ID, START_ID, UNKNOWN_ID, WordTokenizer, load_tokenizer


def test_lowercases_and_splits_like_mediapipe_regex():
    tok = WordTokenizer()
    assert tok.tokenize("It's GREAT, isn't it?!") == ["it's", "great", "isn't", "it"]
    assert tok.tokenize("  multiple   spaces\tand\nnewlines ") == ["multiple", "spaces", "and", "newlines"]
    assert tok.tokenize("snake_case stays-whole? no") == ["snake_case", "stays", "whole", "no"]
    assert tok.tokenize("...") == []


def test_reserved_ids_and_frequency_order():
    tok = WordTokenizer.fit(["b a a", "c a b"])
    assert tok.vocabulary[:3] == ["<PAD>", "<START>", "<UNKNOWN>"]
    assert tok.vocabulary[3:] == ["a", "b", "c"]  # by count, ties alphabetical
    ids = tok.encode(["a zebra c"], seq_len=6)[0]
    assert ids.tolist() == [START_ID, 3, UNKNOWN_ID, 5, PAD_ID, PAD_ID]
    assert ids.dtype == np.int32


def test_min_count_and_max_size():
    texts = ["a a a b b c"]
    assert WordTokenizer.fit(texts, min_count=2).vocabulary[3:] == ["a", "b"]
    assert WordTokenizer.fit(texts, max_size=4).vocabulary[3:] == ["a"]
    with pytest.raises(ValueError, match="max_size"):
        WordTokenizer.fit(texts, max_size=3)


def test_truncates_to_seq_len():
    tok = WordTokenizer.fit(["one two three four five"])
    ids = tok.encode(["one two three four five"], seq_len=3)
    assert ids.shape == (1, 3) and ids[0, 0] == START_ID and PAD_ID not in ids


def test_save_load_roundtrip_and_mediapipe_vocab_file(tmp_path):
    tok = WordTokenizer.fit(["good film", "bad film", "café ok"])
    tok.save(tmp_path)
    lines = (tmp_path / "vocab.txt").read_text(encoding="utf-8").splitlines()
    assert lines[:3] == ["<PAD> 0", "<START> 1", "<UNKNOWN> 2"]
    assert all(line.rsplit(" ", 1)[1] == str(i) for i, line in enumerate(lines))
    loaded = load_tokenizer(tmp_path)
    assert isinstance(loaded, WordTokenizer) and loaded.vocabulary == tok.vocabulary
    texts = ["a good café", "bad"]
    np.testing.assert_array_equal(loaded.encode(texts, 8), tok.encode(texts, 8))


def test_rejects_bad_vocabulary_and_single_string():
    with pytest.raises(ValueError, match="must start with"):
        WordTokenizer(vocabulary=["a", "b", "c"])
    with pytest.raises(TypeError, match="list of strings"):
        WordTokenizer().encode("not a list", seq_len=4)
