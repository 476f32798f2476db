import json

import pytest

from keras_slm.data import read_classification
from keras_slm.errors import DataError


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return str(path)


def test_tsv_csv_jsonl_read_the_same(tmp_path):
    tsv = write(tmp_path, "d.tsv", 'text\tlabel\ngreat "film"\tpos\n我喜欢吃苹果\tpos\nawful\tneg\n')
    csv_ = write(tmp_path, "d.csv", 'text,label\n"great ""film""",pos\n我喜欢吃苹果,pos\nawful,neg\n')
    jsonl = write(
        tmp_path, "d.jsonl",
        "".join(json.dumps({"text": t, "label": l}, ensure_ascii=False) + "\n"
                for t, l in [('great "film"', "pos"), ("我喜欢吃苹果", "pos"), ("awful", "neg")]),
    )
    for path in (tsv, csv_, jsonl):
        data = read_classification(path)
        assert data.texts == ['great "film"', "我喜欢吃苹果", "awful"], path
        assert data.labels == ["pos", "pos", "neg"]
        assert data.lines == [2, 3, 4] or path == jsonl


def test_custom_column_names_and_extra_columns(tmp_path):
    path = write(tmp_path, "d.tsv", "id\tsentence\tsentiment\n1\tfine\tpos\n2\tbad\tneg\n")
    data = read_classification(path, text_column="sentence", label_column="sentiment")
    assert data.texts == ["fine", "bad"] and data.labels == ["pos", "neg"]


@pytest.mark.parametrize(
    "name, content, where, expected",
    [
        ("missing.tsv", "sentence\tlabel\nok\tpos\n", ":1:", "missing column(s) ['text']"),
        ("empty_text.tsv", "text\tlabel\nok\tpos\n  \tneg\n", ":3:", "empty text"),
        ("empty_label.tsv", "text\tlabel\nok\tpos\nfine\t\n", ":3:", "empty label"),
        ("fields.tsv", "text\tlabel\nok\tpos\nfine\tpos\textra\n", ":3:", "expected 2 fields"),
        ("bytes.tsv", b"text\tlabel\nok\tpos\nbad \xff byte\tneg\n", ":3:", "invalid UTF-8"),
        ("empty.tsv", "", ".tsv:", "the file is empty"),
        ("header_only.csv", "text,label\n", ".csv:", "no data rows"),
        ("bad.jsonl", '{"text": "ok", "label": "pos"}\n{"text": "broken"\n', ":2:", "invalid JSON"),
        ("nolabel.jsonl", '{"text": "ok"}\n', ":1:", "missing key(s) ['label']"),
        ("blank.tsv", "text\tlabel\nok\tpos\n\nfine\tneg\n", ":3:", "blank line"),
    ],
)
def test_bad_input_names_file_and_line(tmp_path, name, content, where, expected):
    path = write(tmp_path, name, content)
    with pytest.raises(DataError) as info:
        read_classification(path)
    message = str(info.value)
    assert message.startswith(path) and where in message and expected in message, message
    assert "\n" not in message


def test_skip_bad_rows_counts_and_keeps_the_rest(tmp_path):
    path = write(tmp_path, "d.tsv", b"text\tlabel\nok\tpos\n\tneg\nbad \xff\tneg\nfine\tneg\na\tb\tc\n")
    data = read_classification(path, skip_bad_rows=True)
    assert data.texts == ["ok", "fine"] and data.lines == [2, 5]
    assert [e.line for e in data.skipped] == [3, 4, 6]


def test_missing_file_and_unknown_extension(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        read_classification(str(tmp_path / "nope.tsv"))
    with pytest.raises(DataError, match="cannot tell the format"):
        read_classification(write(tmp_path, "d.xlsx", "x"))


def test_bom_and_crlf(tmp_path):
    path = write(tmp_path, "d.csv", b"\xef\xbb\xbftext,label\r\nok,pos\r\nbad,neg\r\n")
    data = read_classification(path)
    assert data.texts == ["ok", "bad"] and data.labels == ["pos", "neg"]


def test_bare_cr_line_ends_are_lines(tmp_path):
    path = tmp_path / "mac.tsv"
    path.write_bytes(b"text\tlabel\rgood film\tpos\rbad film\tneg\r")
    data = read_classification(str(path))
    assert data.texts == ["good film", "bad film"] and data.lines == [2, 3]


@pytest.mark.parametrize("row, words", [
    ('{"text": "x", "label": ["positive", "negative"]}', "label `label` must be a string, found list"),
    ('{"text": "x", "label": {"a": 1}}', "must be a string, found dict"),
    ('{"text": "bad \\ud800", "label": "pos"}', "`text` holds a lone surrogate"),
    ("[" * 100000, "nested too deeply"),
])
def test_jsonl_values_that_are_not_text_are_refused_at_their_line(tmp_path, row, words):
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "fine", "label": "pos"}\n' + row + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"d.jsonl:2: ") as e:
        read_classification(str(path))
    assert words in str(e.value)


def test_jsonl_numeric_labels_are_label_names(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "a", "label": 0}\n{"text": "b", "label": 1}\n', encoding="utf-8")
    assert read_classification(str(path)).labels == ["0", "1"]
