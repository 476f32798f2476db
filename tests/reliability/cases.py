"""Generated bad inputs for the fuzz suite: every reader, every command, every file of a model directory.

A case is `Case(id, setup)`: `setup(tmp, model_dir, other)` writes what it needs under `tmp`
(a damaged copy of the trained `model_dir`, a corrupt data file, ...) and returns
`(argv, names)`: the `keras-slm` command line, and the file names one of which the error
line must contain. Every case must fail: exit status 2, one `error:` line, no traceback.
Byte-level damage is seeded, so the cases are the same on every run.
"""

import dataclasses
import gzip
import json
import os
import random
import shutil

SAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                       "keras_slm", "data", "samples")


@dataclasses.dataclass
class Case:
    id: str
    setup: object


def _rows():
    with open(os.path.join(SAMPLES, "sentiment_en.tsv"), encoding="utf-8") as f:
        lines = f.read().splitlines()[1:41]
    return [tuple(line.split("\t")) for line in lines]


def base_tsv():
    return "text\tlabel\n" + "".join(f"{t}\t{label}\n" for t, label in _rows())


def base_csv():
    return "text,label\n" + "".join(f"\"{t.replace(chr(34), chr(34) * 2)}\",{label}\n" for t, label in _rows())


def base_jsonl():
    return "".join(json.dumps({"text": t, "label": label}) + "\n" for t, label in _rows())


def base_conll():
    sentences = [("John", "B-PER"), ("Smith", "I-PER"), ("lives", "O"), ("in", "O"), ("Paris", "B-LOC")]
    more = [("The", "O"), ("United", "B-ORG"), ("Nations", "I-ORG"), ("met", "O"), ("today", "O")]
    return "".join("".join(f"{w} {t}\n" for w, t in (sentences if i % 2 else more)) + "\n" for i in range(12))


def base_text():
    with open(os.path.join(SAMPLES, "lm_messages.txt"), encoding="utf-8") as f:
        return f.read()


# --------------------------------------------------------------------- byte-level damage of any text file


def _insert_line(text, number, payload):
    lines = text.encode("utf-8").split(b"\n")
    lines[number - 1] = lines[number - 1][:5] + payload + lines[number - 1][5:]
    return b"\n".join(lines)


def _random_bytes(seed, n=2048):
    rng = random.Random(seed)
    return b"\xff" + bytes(rng.randrange(256) for _ in range(n))


CORRUPTIONS = {
    # name: base text -> bytes to write (None: do not create the file; "dir": a directory)
    "missing": lambda text: None,
    "directory": lambda text: "dir",
    "empty": lambda text: b"",
    "blank_lines": lambda text: b"\n \n\t\n\n",
    "bad_utf8_line3": lambda text: _insert_line(text, 3, b"\xff\xfe"),
    "latin1_line2": lambda text: _insert_line(text, 2, "caf\u00e9".encode("latin-1")),
    "utf16": lambda text: text.encode("utf-16"),
    "random_bytes_1": lambda text: _random_bytes(1),
    "random_bytes_2": lambda text: _random_bytes(2),
    "nul_byte_line2": lambda text: _insert_line(text, 2, b"\x00"),
    "cut_in_utf8_char": lambda text: text.encode("utf-8") + "\u00e9t\u00e9".encode("utf-8")[:1],
    "gzip": lambda text: gzip.compress(text.encode("utf-8"), mtime=0),
    "png_header": lambda text: b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    "overlong_utf8": lambda text: _insert_line(text, 4, b"\xc0\xaf"),
}


def write_damaged(path, text, corruption):
    data = CORRUPTIONS[corruption](text)
    if data is None:
        return path
    if data == "dir":
        os.makedirs(path)
        return path
    with open(path, "wb") as f:
        f.write(data)
    return path


def write(path, text_or_bytes):
    with open(path, "wb") as f:
        f.write(text_or_bytes.encode("utf-8") if isinstance(text_or_bytes, str) else text_or_bytes)
    return path


# --------------------------------------------------------------------- readers x damage

TRAIN = ["--model", "awe", "--epochs", "1", "--seq-len", "16"]


def _reader_cases():
    """Every command that reads a data file, with every byte-level damage of that file."""
    readers = {
        # name: (file name, base text, argv builder(tmp, model_dir, path))
        "train_tsv": ("train.tsv", base_tsv, lambda tmp, m, p: ["train", "--data", p, "--out", f"{tmp}/out", *TRAIN]),
        "train_csv": ("train.csv", base_csv, lambda tmp, m, p: ["train", "--data", p, "--out", f"{tmp}/out", *TRAIN]),
        "train_jsonl": ("train.jsonl", base_jsonl,
                        lambda tmp, m, p: ["train", "--data", p, "--out", f"{tmp}/out", *TRAIN]),
        "train_val_tsv": ("val.tsv", base_tsv, lambda tmp, m, p: [
            "train", "--data", write(f"{tmp}/good.tsv", base_tsv()), "--val", p, "--out", f"{tmp}/out", *TRAIN]),
        "evaluate_tsv": ("test.tsv", base_tsv, lambda tmp, m, p: ["evaluate", m, "--data", p]),
        "evaluate_jsonl": ("test.jsonl", base_jsonl, lambda tmp, m, p: ["evaluate", m, "--data", p]),
        "ner_train": ("train.conll", base_conll, lambda tmp, m, p: [
            "train", "--task", "ner", "--data", p, "--out", f"{tmp}/out", "--epochs", "1"]),
        "ner_val": ("val.conll", base_conll, lambda tmp, m, p: [
            "train", "--task", "ner", "--data", write(f"{tmp}/good.conll", base_conll()), "--val", p,
            "--out", f"{tmp}/out", "--epochs", "1"]),
        "lm_text": ("text.txt", base_text, lambda tmp, m, p: [
            "train", "--task", "lm", "--text", p, "--out", f"{tmp}/out", "--epochs", "1", "--seq-len", "16"]),
        "export_samples": ("samples.txt", base_text, lambda tmp, m, p: [
            "export", m, "--samples", p, "--out", f"{tmp}/model.tflite"]),
    }
    cases = []
    for reader, (name, base, argv) in readers.items():
        for corruption in CORRUPTIONS:
            if corruption == "blank_lines" and reader in ("train_tsv", "train_csv", "train_val_tsv", "evaluate_tsv"):
                continue  # covered as "header only" below; blank TSV lines are a header error there

            def setup(tmp, model_dir, other, name=name, base=base, argv=argv, corruption=corruption):
                path = write_damaged(os.path.join(tmp, name), base(), corruption)
                return argv(tmp, model_dir, path), [name]

            cases.append(Case(f"{reader}-{corruption}", setup))
    return cases


# --------------------------------------------------------------------- content errors per format


def _rows_as(fmt, rows):
    if fmt == "jsonl":
        return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)
    return "text\tlabel\n" + "".join(r + "\n" for r in rows)


CONTENT = {
    # id: (file name, content (str or bytes), extra argv)
    "tsv_header_only": ("d.tsv", "text\tlabel\n", []),
    "tsv_no_text_column": ("d.tsv", "sentence\tlabel\n" + "a b\tpos\n" * 4, []),
    "tsv_wrong_field_count": ("d.tsv", base_tsv() + "one\ttwo\tthree\n", []),
    "tsv_empty_text": ("d.tsv", base_tsv() + " \tpositive\n", []),
    "tsv_empty_label": ("d.tsv", base_tsv() + "some text\t\n", []),
    "tsv_one_label": ("d.tsv", "text\tlabel\n" + "".join(f"text number {i}\tpos\n" for i in range(20)), []),
    "tsv_punctuation_only": ("d.tsv", "text\tlabel\n" + "".join(f"{'!?.,'[i % 4] * 3}\t{'ab'[i % 2]}\n"
                                                                 for i in range(20)), []),
    "tsv_bare_cr_one_label": ("d.tsv", ("text\tlabel\r" + "".join(f"good {i}\tpos\r" for i in range(20))), []),
    "tsv_blank_middle_line": ("d.tsv", "text\tlabel\nok text\tpos\n\nother\tneg\n", []),
    "csv_unclosed_quote": ("d.csv", "text,label\n\"unclosed,pos\nfine,neg\n", []),
    "csv_header_quote": ("d.csv", "\"text,label\nfine,neg\nok,pos\n", []),
    "jsonl_invalid_json": ("d.jsonl", base_jsonl() + "{\"text\": \"x\", \"label\": \n", []),
    "jsonl_array_row": ("d.jsonl", base_jsonl() + "[\"x\", \"pos\"]\n", []),
    "jsonl_label_list": ("d.jsonl", _rows_as("jsonl", [{"text": "x y", "label": ["positive", "negative"]}] * 3), []),
    "jsonl_label_object": ("d.jsonl", _rows_as("jsonl", [{"text": "x y", "label": {"a": 1}}] * 3), []),
    "jsonl_label_bool": ("d.jsonl", _rows_as("jsonl", [{"text": "x y", "label": True}] * 3), []),
    "jsonl_text_number": ("d.jsonl", _rows_as("jsonl", [{"text": 5, "label": "pos"}] * 3), []),
    "jsonl_text_null": ("d.jsonl", _rows_as("jsonl", [{"text": None, "label": "pos"}] * 3), []),
    "jsonl_lone_surrogate_text": ("d.jsonl", base_jsonl() + '{"text": "bad \\ud800 text", "label": "positive"}\n', []),
    "jsonl_lone_surrogate_line3": ("d.jsonl", "\n".join(base_jsonl().splitlines()[:2])
                                   + '\n{"text": "x \\udfff", "label": "negative"}\n', []),
    "jsonl_lone_surrogate_label": ("d.jsonl", base_jsonl() + '{"text": "fine", "label": "\\ud800"}\n', []),
    "jsonl_missing_label": ("d.jsonl", base_jsonl() + '{"text": "fine"}\n', []),
    "jsonl_deep_nesting": ("d.jsonl", base_jsonl() + "[" * 100000 + "\n", []),
    "jsonl_deep_object": ("d.jsonl", base_jsonl() + '{"text": ' + "[" * 50000 + "\n", []),
    "jsonl_only_blank": ("d.jsonl", "\n\n\n", []),
    "unknown_extension": ("d.xlsx", base_tsv(), []),
}

NER_CONTENT = {
    "one_column": "John B-PER\nParis\n\n",
    "bad_tag": "John X-PER\n\n",
    "lowercase_tag": "John b-per\n\n",
    "i_after_o": "John O\nSmith I-PER\n\n",
    "bom_docstart_bad": "\ufeff-DOCSTART- O\n\nJohn B-PER\nSmith Q-PER\n\n",
    "bmes_mixed": base_conll() + "Li B-PER\nXiao M-PER\nMing E-PER\n\n",
    "all_o": "".join("the O\ncat O\n\n" for _ in range(10)),
    "only_docstart": "-DOCSTART- -X- O O\n\n",
    "empty_token_tab": "\tB-PER\n\n",
    "e_without_start": "John O\nSmith E-PER\n\n",
}

LM_CONTENT = {
    "too_short": "hello world\n",
    "one_word": "word",
    "spaces_only": "   \n\t\n",
}


def _content_cases():
    cases = []
    for key, (name, content, extra) in CONTENT.items():
        def setup(tmp, model_dir, other, name=name, content=content, extra=extra):
            path = write(os.path.join(tmp, name), content)
            return ["train", "--data", path, "--out", f"{tmp}/out", *TRAIN, *extra], [name]

        cases.append(Case(f"content-{key}", setup))
        if name.endswith((".tsv", ".jsonl")) and key not in ("tsv_one_label", "tsv_punctuation_only",
                                                            "tsv_bare_cr_one_label"):
            def setup_eval(tmp, model_dir, other, name=name, content=content):
                return ["evaluate", model_dir, "--data", write(os.path.join(tmp, name), content)], [name]

            cases.append(Case(f"evaluate-{key}", setup_eval))
    for key, content in NER_CONTENT.items():
        def setup(tmp, model_dir, other, content=content):
            path = write(os.path.join(tmp, "ner.conll"), content)
            return ["train", "--task", "ner", "--data", path, "--out", f"{tmp}/out", "--epochs", "1"], ["ner.conll"]

        cases.append(Case(f"ner-{key}", setup))
    for key, content in LM_CONTENT.items():
        def setup(tmp, model_dir, other, content=content):
            path = write(os.path.join(tmp, "lm.txt"), content)
            return ["train", "--task", "lm", "--text", path, "--out", f"{tmp}/out", "--epochs", "1",
                    "--seq-len", "16", "--units", "8", "--embedding-dim", "4"], ["lm.txt"]

        cases.append(Case(f"lm-{key}", setup))
    return cases


# --------------------------------------------------------------------- damaged model directories


def _copy(model_dir, tmp):
    target = os.path.join(tmp, "model")
    shutil.copytree(model_dir, target)
    return target


def _damage(file, how):
    """A function (directory, other) that damages `file` of a copied model directory."""

    def apply(directory, other):
        path = os.path.join(directory, file)
        original = open(path, "rb").read() if os.path.isfile(path) else b""
        if os.path.exists(path):
            os.remove(path)
        if how == "missing":
            return
        if how == "directory":
            os.makedirs(path)
            return
        if how == "swapped":
            shutil.copy(os.path.join(other, file), path)
            return
        data = {
            "empty": b"",
            "truncated": original[: len(original) // 2],
            "random_bytes": _random_bytes(7, 4096),
            "json_list": b"[1, 2, 3]",
            "json_string": b"\"model\"",
            "json_empty_object": b"{}",
            "json_null": b"null",
            "other_task": json.dumps({"task": "ner", "seq_len": 16}).encode(),
            "seq_len_string": _edit_json(original, seq_len="sixteen"),
            "seq_len_negative": _edit_json(original, seq_len=-4),
            "seq_len_missing": _edit_json(original, seq_len=None),
            "unknown_kind": _edit_json(original, kind="sentencepiece"),
            "vocabulary_ints": _edit_json(original, vocabulary=[0, 1, 2, 3]),
            "vocabulary_string": _edit_json(original, vocabulary="<PAD> <START>"),
            "vocabulary_no_reserved": _edit_json(original, vocabulary=["a", "b", "c", "d"]),
            "vocabulary_shorter": _edit_json(original, vocabulary=(json.loads(original).get("vocabulary") or [])[:10]
                                             if original.startswith(b"{") else None),
            "one_label": b"positive\n",
            "duplicate_labels": b"positive\npositive\n",
            "five_labels": b"a\nb\nc\nd\ne\n",
            "bad_utf8": b"neg\xffative\npositive\n",
            "lambda_model": open(os.path.join(other, "lambda.keras"), "rb").read(),
            "zip_garbage": open(os.path.join(other, "garbage.keras"), "rb").read(),
            "bom_json": b"\xef\xbb\xbf" + original[:10],
        }[how]
        with open(path, "wb") as f:
            f.write(data)

    return apply


def _edit_json(original, **changes):
    try:
        obj = json.loads(original)
    except ValueError:
        return original
    for key, value in changes.items():
        if value is None:
            obj.pop(key, None)
        else:
            obj[key] = value
    return json.dumps(obj).encode()


MODEL_DAMAGE = {
    "config.json": ["missing", "empty", "truncated", "random_bytes", "directory", "json_list", "json_string",
                    "json_empty_object", "json_null", "other_task", "seq_len_string", "seq_len_negative",
                    "seq_len_missing", "bom_json"],
    "tokenizer.json": ["missing", "empty", "truncated", "random_bytes", "directory", "json_list",
                       "json_empty_object", "unknown_kind", "vocabulary_ints", "vocabulary_string",
                       "vocabulary_no_reserved", "vocabulary_shorter", "swapped"],
    "labels.txt": ["missing", "empty", "random_bytes", "directory", "one_label", "duplicate_labels",
                   "five_labels", "bad_utf8", "swapped"],
    "model.keras": ["missing", "empty", "truncated", "random_bytes", "directory", "swapped", "lambda_model",
                    "zip_garbage"],
}


def _model_dir_cases():
    cases = []
    commands = {
        "predict": lambda tmp, d: ["predict", d, "a great film"],
        "evaluate": lambda tmp, d: ["evaluate", d, "--data", write(os.path.join(tmp, "test.tsv"), base_tsv())],
    }
    for file, damages in MODEL_DAMAGE.items():
        for how in damages:
            for command, argv in commands.items():
                if command == "evaluate" and file == "model.keras" and how in ("truncated", "random_bytes"):
                    continue  # same loader path as predict

                def setup(tmp, model_dir, other, file=file, how=how, argv=argv):
                    directory = _copy(model_dir, tmp)
                    _damage(file, how)(directory, other)
                    return argv(tmp, directory), [file, "model"]

                cases.append(Case(f"modeldir-{command}-{file}-{how}", setup))
    # the .tflite file as MODEL, and the calibration texts export reads
    for how in ("missing", "empty", "truncated", "random_bytes", "directory"):
        def setup(tmp, model_dir, other, how=how):
            directory = _copy(model_dir, tmp)
            _damage("model.tflite", how)(directory, other)
            return ["predict", os.path.join(directory, "model.tflite"), "a great film"], ["model.tflite"]

        cases.append(Case(f"modeldir-predict-tflite-{how}", setup))
    for how in ("missing", "empty", "random_bytes", "directory"):
        def setup(tmp, model_dir, other, how=how):
            directory = _copy(model_dir, tmp)
            _damage("calibration.txt", how)(directory, other)
            return ["export", directory, "--out", os.path.join(tmp, "x.tflite")], ["calibration.txt"]

        cases.append(Case(f"modeldir-export-calibration-{how}", setup))
    return cases


def _argument_cases():
    """Paths given on the command line that are not what the command needs."""

    def out_is_file(tmp, model_dir, other):
        path = write(os.path.join(tmp, "taken"), "a file")
        return ["train", "--data", write(os.path.join(tmp, "d.tsv"), base_tsv()), "--out", path, *TRAIN], ["taken"]

    def out_is_foreign_dir(tmp, model_dir, other):
        os.makedirs(os.path.join(tmp, "project"))
        write(os.path.join(tmp, "project", "notes.txt"), "my notes, not a model")
        return ["train", "--data", write(os.path.join(tmp, "d.tsv"), base_tsv()), "--out",
                os.path.join(tmp, "project"), *TRAIN], ["project"]

    def model_missing(tmp, model_dir, other):
        return ["predict", os.path.join(tmp, "nowhere"), "text"], ["nowhere"]

    def model_is_data_file(tmp, model_dir, other):
        return ["predict", write(os.path.join(tmp, "d.tsv"), base_tsv()), "text"], ["d.tsv"]

    def model_empty_dir(tmp, model_dir, other):
        os.makedirs(os.path.join(tmp, "emptydir"))
        return ["evaluate", os.path.join(tmp, "emptydir"), "--data", write(os.path.join(tmp, "d.tsv"), base_tsv())], [
            "emptydir"]

    def export_out_not_tflite(tmp, model_dir, other):
        return ["export", model_dir, "--out", os.path.join(tmp, "model.bin")], ["model.bin"]

    def export_out_is_dir(tmp, model_dir, other):
        os.makedirs(os.path.join(tmp, "outdir.tflite"))
        return ["export", model_dir, "--out", os.path.join(tmp, "outdir.tflite")], ["outdir.tflite"]

    def inspect_not_tflite(tmp, model_dir, other):
        return ["inspect", write(os.path.join(tmp, "x.tflite"), _random_bytes(3))], ["x.tflite"]

    def inspect_missing(tmp, model_dir, other):
        return ["inspect", os.path.join(tmp, "none.tflite")], ["none.tflite"]

    def evaluate_data_missing(tmp, model_dir, other):
        return ["evaluate", model_dir, "--data", os.path.join(tmp, "absent.tsv")], ["absent.tsv"]

    def export_eval_bad(tmp, model_dir, other):
        path = write(os.path.join(tmp, "ev.tsv"), b"text\tlabel\n\xff\tpos\n")
        return ["export", model_dir, "--eval", path, "--out", os.path.join(tmp, "m.tflite")], ["ev.tsv"]

    return [Case(f"args-{f.__name__}", f) for f in (
        out_is_file, out_is_foreign_dir, model_missing, model_is_data_file, model_empty_dir, export_out_not_tflite, export_out_is_dir,
        inspect_not_tflite, inspect_missing, evaluate_data_missing, export_eval_bad)]


def _other_command_cases():
    """The other commands on missing, foreign or damaged inputs (each fails before doing any work)."""

    def damaged(tmp, model_dir):
        directory = _copy(model_dir, tmp)
        write(os.path.join(directory, "config.json"), "{")
        return directory

    def empty(tmp):
        os.makedirs(os.path.join(tmp, "empty"))
        return os.path.join(tmp, "empty")

    def junk(tmp):
        return write(os.path.join(tmp, "junk.tflite"), _random_bytes(5))

    specs = {
        "bench-junk": lambda tmp, m: (["bench", junk(tmp), "--runs", "2"], ["junk.tflite"]),
        "bench-missing": lambda tmp, m: (["bench", os.path.join(tmp, "none.tflite")], ["none.tflite"]),
        "generate-classifier": lambda tmp, m: (["generate", m, "--prompt", "hi"], [os.path.basename(m)]),
        "serve-damaged-config": lambda tmp, m: (["serve", damaged(tmp, m), "--port", "0"], ["config.json"]),
        "serve-empty-dir": lambda tmp, m: (["serve", empty(tmp), "--port", "0"], ["empty"]),
        "serve-junk-tflite": lambda tmp, m: (["serve", junk(tmp), "--port", "0"], [os.path.basename(tmp)]),
        "registry-verify-folder": lambda tmp, m: (["registry", "verify", m], ["manifest.json"]),
        "registry-bundle-damaged": lambda tmp, m: (["registry", "bundle", damaged(tmp, m), "--out",
                                                    os.path.join(tmp, "b.tar.gz")], ["config.json"]),
        "registry-push-damaged": lambda tmp, m: (["registry", "push", damaged(tmp, m), "--registry",
                                                  os.path.join(tmp, "reg")], ["config.json"]),
        "registry-verify-junk-archive": lambda tmp, m: (["registry", "verify", write(os.path.join(tmp, "j.tar.gz"),
                                                                                      _random_bytes(6))], ["j.tar.gz"]),
        "pretrain-bad-text": lambda tmp, m: (["pretrain", "--text", write(os.path.join(tmp, "bad.txt"), b"\xff\xfe"),
                                              "--out", os.path.join(tmp, "pt")], ["bad.txt"]),
        "distill-damaged-teacher": lambda tmp, m: (["distill", "--teacher", damaged(tmp, m), "--data",
                                                    write(os.path.join(tmp, "d.tsv"), base_tsv()), "--out",
                                                    os.path.join(tmp, "ds")], ["config.json"]),
        "evaluate-junk-tflite": lambda tmp, m: (["evaluate", junk(tmp), "--data", write(os.path.join(tmp, "d.tsv"),
                                                                                         base_tsv())], ["config.json"]),
        "export-android-damaged": lambda tmp, m: (["export", damaged(tmp, m), "--target", "android", "--out",
                                                   os.path.join(tmp, "andr")], ["config.json"]),
    }
    return [Case(f"command-{key}", lambda tmp, model_dir, other, spec=spec: spec(tmp, model_dir))
            for key, spec in specs.items()]


def all_cases():
    return _reader_cases() + _content_cases() + _model_dir_cases() + _argument_cases() + _other_command_cases()
