import random

import pytest

from keras_slm.data import bio_spans, read_conll, spans_to_bio, to_bio, write_conll
from keras_slm.errors import DataError
from tests.conftest import shared_data


def write(tmp_path, text, name="d.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_reads_columns_docstart_and_comments(tmp_path):
    path = write(tmp_path, "-DOCSTART- -X- O O\n\n# sent 1\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n"
                           "German JJ B-NP B-MISC\n\n\n# sent 2\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n")
    data = read_conll(path)  # token column 0, tag column -1, space separated
    assert data.tokens == [["EU", "rejects", "German"], ["Peter", "Blackburn"]]
    assert data.tags == [["B-ORG", "O", "B-MISC"], ["B-PER", "I-PER"]]
    assert data.lines == [4, 10]
    chunks = read_conll(path, tag_column=2, repair=True)
    assert chunks.tags[0] == ["B-NP", "B-VP", "B-NP"]


def test_a_hash_token_is_a_token_not_a_comment(tmp_path):
    data = read_conll(write(tmp_path, "#\tO\nhello\tO\n"))
    assert data.tokens == [["#", "hello"]]


@pytest.mark.parametrize("scheme,tags,expected", [
    ("iobes", ["S-PER", "O", "B-LOC", "I-LOC", "E-LOC"], ["B-PER", "O", "B-LOC", "I-LOC", "I-LOC"]),
    ("bmes", ["B-ORG", "M-ORG", "E-ORG", "S-NAME"], ["B-ORG", "I-ORG", "I-ORG", "B-NAME"]),
    ("iob1", ["I-PER", "I-PER", "B-PER", "O", "I-LOC"], ["B-PER", "I-PER", "B-PER", "O", "B-LOC"]),
    ("bio", ["B-PER", "I-PER", "O"], ["B-PER", "I-PER", "O"]),
])
def test_schemes_convert_to_bio(scheme, tags, expected):
    assert to_bio(tags, scheme)[0] == expected


def test_auto_detects_bmes_files(tmp_path):
    data = read_conll(write(tmp_path, "高 B-NAME\n小 M-NAME\n勇 E-NAME\n， O\n男 S-RACE\n"))
    assert data.scheme == "bmes" and data.tags == [["B-NAME", "I-NAME", "I-NAME", "O", "B-RACE"]]


def test_errors_name_file_and_line(tmp_path):
    bad_tag = write(tmp_path, "a\tO\nb\tPER\n", "bad_tag.txt")
    with pytest.raises(DataError, match=r"bad_tag.txt:2: 'PER' is not a tag"):
        read_conll(bad_tag)
    one_column = write(tmp_path, "a\tO\n\nlonely\n", "one_col.txt")
    with pytest.raises(DataError, match=r"one_col.txt:3: expected a token and a tag, found 1 column"):
        read_conll(one_column)
    invalid = write(tmp_path, "x\tO\n\na\tO\nb\tI-PER\n", "invalid.txt")
    with pytest.raises(DataError, match=r"invalid.txt:4: 'I-PER' after 'O' continues no entity"):
        read_conll(invalid)
    with pytest.raises(DataError, match=r"iobes.txt:1: 'E-LOC' after the start"):
        read_conll(write(tmp_path, "a E-LOC\n", "iobes.txt"), scheme="iobes")


def test_repair_warns_and_fixes(tmp_path):
    path = write(tmp_path, "a\tO\nb\tI-PER\nc\tI-PER\nd\tI-LOC\n")
    with pytest.warns(UserWarning, match="repaired 2 invalid tag"):
        data = read_conll(path, repair=True)
    assert data.tags == [["O", "B-PER", "I-PER", "B-LOC"]]
    assert [e.line for e in data.repairs] == [2, 4]


def test_write_read_round_trip(tmp_path):
    tokens, tags = [["Jo", "lives", "in", "Rome"], ["我", "爱", "北", "京"]], [["B-PER", "O", "O", "B-LOC"], ["O", "O", "B-LOC", "I-LOC"]]
    path = str(tmp_path / "out.txt")
    write_conll(path, tokens, tags)
    data = read_conll(path)
    assert data.tokens == tokens and data.tags == tags


def test_spans_round_trip_and_match_seqeval_on_real_tags():
    from seqeval.metrics.sequence_labeling import get_entities

    data = read_conll(shared_data("wnut17", "dev.txt"))
    rng = random.Random(0)
    labels = data.tag_set()
    for sentence in data.tags[:300]:
        assert spans_to_bio(len(sentence), bio_spans(sentence)) == sentence
        noisy = [rng.choice(labels) if rng.random() < 0.3 else t for t in sentence]  # invalid sequences too
        assert bio_spans(noisy) == [(t, s, e + 1) for t, s, e in get_entities(noisy)]


def test_a_byte_order_mark_does_not_become_part_of_the_first_token(tmp_path):
    path = tmp_path / "bom.conll"
    path.write_bytes("\ufeff-DOCSTART- -X- O O\n\nJohn B-PER\nlives O\n".encode("utf-8"))
    data = read_conll(str(path))
    assert data.tokens == [["John", "lives"]]


def test_one_bmes_tag_among_bio_tags_is_blamed_at_its_own_line(tmp_path):
    path = write(tmp_path, "UN B-ORG\nagency I-ORG\n\nLi B-PER\nXiao M-PER\n\n")
    with pytest.raises(DataError, match=r":5: 'M-PER' mixes tag schemes"):
        read_conll(path)


@pytest.mark.parametrize("data, line", [(b"John B-PER\nSm\xffith I-PER\n", 2), (b"\x00\x01", 1)])
def test_bad_bytes_name_the_line(tmp_path, data, line):
    path = tmp_path / "bad.conll"
    path.write_bytes(data)
    with pytest.raises(DataError, match=rf"bad.conll:{line}: "):
        read_conll(str(path))
