"""Character tokenizer and the LM id streams of the word / character / WordPiece tokenizers."""

import pytest

from keras_slm.text import lm_stream
from keras_slm.text.character_tokenizer import CharacterTokenizer
from keras_slm.text.vocab_tokenizer import START_ID, UNKNOWN_ID, load_tokenizer

TEXT = "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n"


def test_character_tokenizer_is_lossless_and_keeps_case(tmp_path):
    tok = CharacterTokenizer.fit([TEXT])
    assert tok.lowercase is False and "F" in tok.vocabulary and "\n" in tok.vocabulary and " " in tok.vocabulary
    ids = lm_stream.encode_stream(tok, TEXT)
    assert ids[0] == START_ID and len(ids) == len(TEXT) + 1
    assert lm_stream.decode(tok, ids) == TEXT
    assert tok.decode(tok.encode_stream("Speak€")) == "Speak\ufffd"  # unseen character -> <UNKNOWN>
    tok.save(str(tmp_path))
    assert load_tokenizer(str(tmp_path)).vocabulary == tok.vocabulary
    assert lm_stream.load_lm_tokenizer(str(tmp_path)).kind == "character"


def test_word_stream_starts_each_line_and_decodes():
    tok = lm_stream.fit_lm_tokenizer("word", TEXT)
    ids = lm_stream.encode_stream(tok, TEXT)
    assert list(ids).count(START_ID) == 4  # empty lines add nothing
    assert lm_stream.decode(tok, ids) == "first citizen\nbefore we proceed any further hear me speak\nall\nspeak speak"
    assert lm_stream.decode(tok, lm_stream.encode_stream(tok, "hear me")[1:], continuation=True) == " hear me"
    assert lm_stream.encode_prompt(tok, "") == [START_ID]
    assert set(lm_stream.blocked_ids(tok)) == {0, UNKNOWN_ID}


def test_wordpiece_stream_glues_pieces():
    pytest.importorskip("keras_slm.text.wordpiece_tokenizer")
    tok = lm_stream.fit_lm_tokenizer("wordpiece", TEXT * 20, max_vocab=60)
    ids = lm_stream.encode_stream(tok, "speakers hear")
    assert ids[0] == tok.cls_id
    pieces = [tok.vocabulary[i] for i in ids[1:]]
    assert pieces[0] == "speak" and pieces[1].startswith("##")  # an unseen word is cut into pieces
    assert lm_stream.decode(tok, ids) == "speakers hear"
    assert lm_stream.is_word_piece_continuation(tok, ids[2]) and not lm_stream.is_word_piece_continuation(tok, ids[1])


def test_bad_kind():
    with pytest.raises(ValueError, match="tokenizer"):
        lm_stream.fit_lm_tokenizer("bpe", TEXT)
