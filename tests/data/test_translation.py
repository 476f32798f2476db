"""read_parallel: pairs by column name, and one-line errors naming file and line."""

import pytest

from keras_slm.cli import main
from keras_slm.data.translation import read_parallel
from keras_slm.errors import DataError


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_reads_pairs_by_column_name_ignoring_attribution(tmp_path):
    path = _write(tmp_path, "p.tsv", "zh\ten\tattribution\n你好。\tHello.\tCC-BY #1\n走吧！\tLet's go!\tCC-BY #2\n")
    data = read_parallel(path)
    assert (data.sources, data.targets, data.lines) == (["你好。", "走吧！"], ["Hello.", "Let's go!"], [2, 3])
    jsonl = _write(tmp_path, "p.jsonl", '{"src": "你好。", "tgt": "Hello."}\n')
    assert read_parallel(jsonl, "src", "tgt").targets == ["Hello."]


@pytest.mark.parametrize("name, text, where, what", [
    ("a.tsv", "zh\tenglish\n你好。\tHello.\n", ":1:", "missing column(s) ['en']"),
    ("b.tsv", "zh\ten\n你好。\tHello.\n \tBye.\n", ":3:", "empty source in column `zh`"),
    ("c.tsv", "zh\ten\n你好。\tHello.\n再见。\t\n", ":3:", "empty target in column `en`"),
    ("d.tsv", '{"zh": "你好。", "en": "Hello."}\n', ":1:", "missing column(s)"),  # JSONL named .tsv
    ("e.jsonl", "zh\ten\n你好。\tHello.\n", ":1:", "invalid JSON"),  # TSV named .jsonl
    ("f.parquet", "zh\ten\n", "f.parquet:", "cannot tell the format"),
])
def test_bad_input_names_file_and_line(tmp_path, name, text, where, what):
    path = _write(tmp_path, name, text)
    with pytest.raises(DataError) as error:
        read_parallel(path)
    message = str(error.value)
    assert path + where in message or (where.startswith(name) and message.startswith(path)), message
    assert what in message
    if "missing column" in what and name.endswith(".tsv"):
        assert "--source-column / --target-column" in message


def test_cli_prints_one_line_and_exits_2(tmp_path, capsys):
    path = _write(tmp_path, "c.tsv", "zh\ten\n你好。\tHello.\n再见。\t\n")
    code = main(["train", "--task", "translation", "--data", path, "--out", str(tmp_path / "m")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert f"{path}:3: empty target in column `en`" in err
