"""keras_slm.files: the shared decoder (every reader's errors) and whole-directory atomic writes."""

import os

import pytest

from keras_slm import files
from keras_slm.errors import DataError, ModelDirError


def _write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return str(path)


def test_read_text_normalises_bom_and_line_ends(tmp_path):
    path = _write(tmp_path / "t.txt", b"\xef\xbb\xbfone\r\ntwo\rthree\n")
    assert files.read_text(path) == "one\ntwo\nthree\n"
    assert files.read_lines(path) == [(1, "one"), (2, "two"), (3, "three")]


@pytest.mark.parametrize("data, line, words", [
    (b"ok\nok\nbad \xff byte\n", 3, "invalid UTF-8 byte 0xff at column 5"),
    (b"ok\nnul \x00 here\n", 2, "NUL byte"),
    ("\u00e9".encode("utf-16"), 1, "invalid UTF-8 byte 0xff"),
])
def test_bad_bytes_are_data_errors_with_line(tmp_path, data, line, words):
    path = _write(tmp_path / "t.txt", data)
    with pytest.raises(DataError) as e:
        files.read_text(path)
    assert e.value.line == line and words in str(e.value) and str(e.value).startswith(path)


def test_missing_and_directory_paths(tmp_path):
    with pytest.raises(DataError, match="no such file; expected a CoNLL file"):
        files.read_text(tmp_path / "nope.conll", "a CoNLL file")
    with pytest.raises(DataError, match="is a directory"):
        files.read_text(tmp_path)
    with pytest.raises(DataError, match="holds no text"):
        files.read_text_lines(_write(tmp_path / "blank.txt", b"\n  \n"))


def test_decode_lines_reports_each_bad_line(tmp_path):
    rows = list(files.decode_lines("f.tsv", b"a\r\nb\xff\rc"))
    assert [(n, t) for n, t, _ in rows] == [(1, "a"), (2, None), (3, "c")]
    assert str(rows[1][2]).startswith("f.tsv:2: invalid UTF-8")


def test_read_json_names_the_file(tmp_path):
    assert files.read_json(_write(tmp_path / "c.json", b'{"a": 1}')) == {"a": 1}
    for data, words in [(b"{", "invalid JSON"), (b"[1]", "holds a JSON list"), (b"[" * 100000, "nested too deeply")]:
        with pytest.raises(ModelDirError, match=words):
            files.read_json(_write(tmp_path / "c.json", data))
    with pytest.raises(DataError, match=r"c.json:2: invalid JSON"):
        files.read_json(_write(tmp_path / "c.json", b'{\n"a": }'), error=DataError)


def test_check_string_refuses_lone_surrogates_and_non_strings():
    assert files.check_string("f", 3, "fine", "text") == "fine"
    with pytest.raises(DataError, match=r"f:3: text holds a lone surrogate"):
        files.check_string("f", 3, "bad \ud800", "text")
    with pytest.raises(DataError, match="must be a string, found list"):
        files.check_string("f", 3, ["a", "b"], "label")


def test_atomic_dir_replaces_the_whole_directory(tmp_path):
    target = tmp_path / "model"
    target.mkdir()
    _write(target / "old_only.txt", b"old")
    _write(target / "shared.txt", b"old")
    with files.atomic_dir(target) as staging:
        assert sorted(os.listdir(target)) == ["old_only.txt", "shared.txt"]  # the old one while writing
        _write(os.path.join(staging, "shared.txt"), b"new")
    assert sorted(os.listdir(target)) == ["shared.txt"] and (target / "shared.txt").read_bytes() == b"new"
    assert [p for p in os.listdir(tmp_path) if p != "model"] == []


def test_atomic_dir_keeps_the_old_directory_on_error(tmp_path):
    target = tmp_path / "model"
    target.mkdir()
    _write(target / "a.txt", b"old")
    with pytest.raises(RuntimeError):
        with files.atomic_dir(target) as staging:
            _write(os.path.join(staging, "a.txt"), b"half")
            raise RuntimeError("training failed")
    assert os.listdir(tmp_path) == ["model"] and (target / "a.txt").read_bytes() == b"old"
    with pytest.raises(DataError, match="is not a directory"):
        with files.atomic_dir(_write(tmp_path / "file", b"x")):
            pass


def test_stale_staging_of_a_dead_process_is_swept(tmp_path):
    dead = tmp_path / ".model.partial-p999999999-abc"
    dead.mkdir()
    live = tmp_path / f".model.partial-p{os.getpid()}-xyz"
    live.mkdir()
    with files.atomic_dir(tmp_path / "model"):
        pass
    assert not dead.exists() and live.exists()
