"""The joint intent / slot TSV reader: real SNIPS rows, Chinese per-character slots, and one-line errors."""

import pytest

from keras_slm.data.nlu import read_nlu, split_tokens, token_offsets
from keras_slm.errors import DataError
from tests.conftest import shared_data, write_slice

HEADER = "text\tintent\tslots\n"


def write(tmp_path, body, name="d.tsv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return str(path)


def test_reads_snips_rows(tmp_path):
    path = write_slice(shared_data("snips", "train.tsv"), str(tmp_path / "t.tsv"), 300)
    data = read_nlu(path)
    assert len(data) == 300 and data.lines[:2] == [2, 3] and not data.skipped
    assert data.tokens[0] == data.texts[0].split() and len(data.tags[0]) == len(data.tokens[0])
    assert data.intents[0] == "PlayMusic" and "B-artist" in data.tags[0]
    assert len(data.intent_set()) == 7 and data.tag_set()[0] == "O"


def test_chinese_slots_per_character_and_offsets(tmp_path):
    path = write(tmp_path, "播放周杰伦的歌\tPlayMusic\tO O B-artist I-artist I-artist O O\n"
                           "明天 北京 天气\tGetWeather\tB-date I-date B-city I-city O O\n")
    data = read_nlu(path, unit="char")
    assert data.tokens[0] == list("播放周杰伦的歌") and data.tags[1][:3] == ["B-date", "I-date", "B-city"]
    assert token_offsets("明天 北京", "char")[2] == ("北", 3, 4)
    assert split_tokens("a  b\tc") == ["a", "b", "c"]
    with pytest.raises(DataError, match=r"d.tsv:2: 7 slot tag\(s\) for 1 whitespace tokens .*--tokenizer char"):
        read_nlu(path)  # word unit on unsegmented Chinese


def test_iobes_tags_become_bio(tmp_path):
    data = read_nlu(write(tmp_path, "play new york jazz\tPlay\tO B-city E-city S-genre\n"))
    assert data.tags == [["O", "B-city", "I-city", "B-genre"]]


@pytest.mark.parametrize("row, message", [
    ("play jazz now\tPlayMusic\tO B-genre\n", "d.tsv:3: 2 slot tag(s) for 3 whitespace tokens of the text"),
    ("play jazz\tPlayMusic\tO I-genre\n", "d.tsv:3: 'I-genre' after 'O' continues no entity (invalid BIO transition)"),
    ("play jazz\tPlayMusic\n", "d.tsv:3: expected 3 fields ['text', 'intent', 'slots'], found 2"),
    ("play jazz\tPlayMusic\tO X-genre\n", "d.tsv:3: slot tag 'X-genre' is not a BIO tag"),
    ("play jazz\tPlayMusic\t\n", "d.tsv:3: empty `slots`"),
    ("play jazz\t\tO O\n", "d.tsv:3: empty label in column `intent`"),
])
def test_bad_rows_name_file_and_line(tmp_path, row, message):
    path = write(tmp_path, "play rock\tPlayMusic\tO B-genre\n" + row + "stop\tStop\tO\n")
    with pytest.raises(DataError) as error:
        read_nlu(path)
    assert str(error.value).startswith(path[: -len("d.tsv")] + message)
    data = read_nlu(path, skip_bad_rows=True)
    assert data.intents == ["PlayMusic", "Stop"] and [e.line for e in data.skipped] == [3]


def test_missing_column_in_header(tmp_path):
    path = tmp_path / "h.tsv"
    path.write_text("text\tintent\nplay jazz\tPlayMusic\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"h.tsv:1: missing column\(s\) \['slots'\]"):
        read_nlu(str(path))
