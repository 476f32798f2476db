"""The fuzz suite's second batch: readers and commands the first batch (cases.py) did not reach.

NLU and translation readers and model directories, `translate`, `sample`, `tune`, registry
push / pull of damaged bundles, `evaluate --robustness`, `export --target android` and
`--samples` on the wrong kind of directory, the stdin paths of `predict` / `translate`, NUL
bytes, fields past the CSV size limit, CRLF / CR mixes and byte-order marks (the error must
still name the right line), directories and symlink loops where files are expected, files
nobody may read (chmod 000; skipped as root, who reads them anyway), and model directories
whose files come from another task.

A case is `Case(id, setup, expect, stdin)`: `setup(tmp, kinds)` gets the tiny model
directories (tests/reliability/conftest.py: `kinds["classifier"]` is the trained one, the others come
from tests/tiny_kinds.py) and returns
`(argv, names)` as in cases.py; `expect`, when set, must appear in the error line (e.g. the
line number `":4:"`); `stdin` is the bytes the command reads from standard input.
"""

import dataclasses
import json
import os
import shutil

from tests.reliability.cases import _random_bytes, base_conll, base_tsv, write

TRAIN = ["--model", "awe", "--epochs", "1", "--seq-len", "16"]


@dataclasses.dataclass
class Case:
    id: str
    setup: object
    expect: str = None
    stdin: bytes = None
    unreadable: bool = False  # uses chmod 000, which root reads anyway: skipped when run as root


NLU_HEADER = "text\tintent\tslots\n"


def nlu_rows(n=12):
    rows = [("play jazz by miles davis", "PlayMusic", "O B-genre O B-artist I-artist"),
            ("weather in paris", "GetWeather", "O O B-city"),
            ("book a table for two", "BookRestaurant", "O O O O B-party")]
    return "".join(f"{t}\t{i}\t{s}\n" for t, i, s in (rows * n)[:n])


def zh_en_rows(n=12):
    pairs = [("我们走吧", "Let's go."), ("你好", "Hello."), ("谢谢", "Thank you.")]
    return "zh\ten\n" + "".join(f"{zh}\t{en}\n" for zh, en in (pairs * n)[:n])


def _copy(directory, tmp, name="model"):
    target = os.path.join(tmp, name)
    shutil.copytree(directory, target, symlinks=True)
    return target


def _loop(tmp, name):
    """A symlink loop: `name` -> `name`.b -> `name`."""
    path = os.path.join(tmp, name)
    os.symlink(path + ".b", path)
    os.symlink(path, path + ".b")
    return path


def _mkdir(tmp, name):
    path = os.path.join(tmp, name)
    os.makedirs(path)
    return path


def _json_edit(path, **changes):
    with open(path, encoding="utf-8") as f:
        obj = json.load(f)
    for key, value in changes.items():
        if value is None:
            obj.pop(key, None)
        else:
            obj[key] = value
    write(path, json.dumps(obj))


# --------------------------------------------------------------------- NLU and translation readers

NLU = lambda tmp, p: ["train", "--task", "nlu", "--data", p, "--out", f"{tmp}/out", "--epochs", "1", "--seq-len", "8"]
MT = lambda tmp, p: ["train", "--task", "translation", "--data", p, "--source-column", "zh", "--target-column", "en",
                     "--out", f"{tmp}/out", "--epochs", "1", "--model", "lstm_attention"]

NLU_FILES = {
    # id: (content, expect)
    "missing_slots_column": ("text\tintent\n" + "play jazz\tPlayMusic\n" * 6, None),
    "slot_count_mismatch_line3": (NLU_HEADER + nlu_rows(1) + "weather in paris\tGetWeather\tO B-city\n", ":3:"),
    "bad_slot_tag_line2": (NLU_HEADER + "play jazz\tPlayMusic\tO X-genre\n", ":2:"),
    "empty_intent": (NLU_HEADER + "play jazz\t\tO B-genre\n", ":2:"),
    "header_only": (NLU_HEADER, None),
    "crlf_cr_mix_error_line4": ("text\tintent\tslots\r\nplay jazz\tPlayMusic\tO B-genre\rweather in paris\tGetWeather"
                                "\tO O B-city\r\nbad row\tPlayMusic\tO O O\n", ":4:"),
    "bom_error_line3": ("\ufeff" + NLU_HEADER + nlu_rows(1) + "a b\tX\tO\n", ":3:"),
    "nul_line2": (NLU_HEADER.encode() + b"play\x00 jazz\tPlayMusic\tO O\n", ":2:"),
    "bad_utf8_line3": (NLU_HEADER.encode() + nlu_rows(1).encode() + b"caf\xe9\tX\tO\n", ":3:"),
    "one_intent": (NLU_HEADER + "play jazz\tPlayMusic\tO B-genre\n" * 8, None),
}

MT_FILES = {
    "no_target_column": ("zh\tfr\n" + "你好\tBonjour\n" * 6, None),
    "empty_source_line3": ("zh\ten\n你好\tHello.\n\tThank you.\n", ":3:"),
    "empty_target_line2": ("zh\ten\n你好\t \n", ":2:"),
    "header_only": ("zh\ten\n", None),
    "bom_crlf_error_line4": ("\ufeff" + zh_en_rows(2).replace("\n", "\r\n") + "你好\n", ":4:"),
    "bad_utf8_line2": (b"zh\ten\n\xe4\xbd\tHello.\n", ":2:"),
    "nul_line3": (b"zh\ten\n\xe4\xbd\xa0\xe5\xa5\xbd\tHello.\nok\tfi\x00ne\n", ":3:"),
    "extra_field_line2": ("zh\ten\n你好\tHello.\tagain\tand again\n", None),
}


def _reader_cases():
    cases = []
    for key, (content, expect) in NLU_FILES.items():
        cases.append(Case(f"nlu-{key}", lambda tmp, k, content=content: (NLU(tmp, write(f"{tmp}/nlu.tsv", content)),
                                                                         ["nlu.tsv"]), expect))
    for key, (content, expect) in MT_FILES.items():
        cases.append(Case(f"translation-{key}", lambda tmp, k, content=content: (
            MT(tmp, write(f"{tmp}/pairs.tsv", content)), ["pairs.tsv"]), expect))
    for reader, argv in (("nlu", NLU), ("translation", MT)):
        for how in ("directory", "symlink_loop", "missing"):
            def setup(tmp, k, argv=argv, how=how):
                path = {"directory": lambda: _mkdir(tmp, "data.tsv"), "symlink_loop": lambda: _loop(tmp, "data.tsv"),
                        "missing": lambda: os.path.join(tmp, "data.tsv")}[how]()
                return argv(tmp, path), ["data.tsv"]

            cases.append(Case(f"{reader}-{how}", setup))
    # evaluating NLU / translation models on damaged data
    cases.append(Case("evaluate-nlu-slot_mismatch", lambda tmp, k: (
        ["evaluate", k["nlu"], "--data", write(f"{tmp}/t.tsv", NLU_HEADER + "play jazz\tPlayMusic\tO\n")], ["t.tsv"]),
        ":2:"))
    cases.append(Case("evaluate-translation-no_target", lambda tmp, k: (
        ["evaluate", k["translation"], "--data", write(f"{tmp}/t.tsv", "zh\tde\n你好\tHallo\n"), "--source-column", "zh",
         "--target-column", "en"], ["t.tsv"])))
    cases.append(Case("evaluate-ner-bad_tag_crlf", lambda tmp, k: (
        ["evaluate", k["ner"], "--data", write(f"{tmp}/t.conll", "John B-PER\r\nParis Q-LOC\r\n\r\n")], ["t.conll"]),
        ":2:"))
    return cases


# --------------------------------------------------------------------- other readers: CSV limits, NUL, BOM, CR

def _classification_file_cases():
    big = "x" * 200_000
    files = {
        # id: (file name, content, expect)
        "csv_field_over_limit": ("d.csv", "text,label\n" + "\"ok text\",pos\n" * 3 + f"\"{big}\",neg\n", ":5:"),
        "tsv_huge_line_no_label": ("d.tsv", base_tsv() + big + "\n", ":42:"),
        "tsv_crlf_cr_mix_error_line4": ("d.tsv", "text\tlabel\r\nfine one\tpos\rfine two\tneg\r\n\tpos\n", ":4:"),
        "tsv_bom_error_line3": ("d.tsv", "\ufefftext\tlabel\nfine\tpos\n\tneg\n", ":3:"),
        "jsonl_bom_error_line2": ("d.jsonl", "\ufeff" + '{"text": "a", "label": "p"}\n{"text": "b"}\n', ":2:"),
        "jsonl_nul_in_string": ("d.jsonl", '{"text": "a\\u0000b", "label": "p"}\n' * 3, None),
        "csv_cr_only_error_line3": ("d.csv", "text,label\rfine,pos\r\"unclosed,neg\r", None),
        "utf8_bom_twice": ("d.tsv", "\ufeff\ufefftext\tlabel\nfine\tpos\n", None),
    }
    cases = []
    for key, (name, content, expect) in files.items():
        cases.append(Case(f"file-{key}", lambda tmp, k, name=name, content=content: (
            ["train", "--data", write(os.path.join(tmp, name), content), "--out", f"{tmp}/out", *TRAIN], [name]), expect))
    cases.append(Case("sample-bad_utf8_line2", lambda tmp, k: (
        ["sample", write(f"{tmp}/d.tsv", b"text\tlabel\n\xc3\x28\tpos\n"), "--per-class", "2", "--out", f"{tmp}/s.tsv"],
        ["d.tsv"]), ":2:"))
    cases.append(Case("sample-directory", lambda tmp, k: (
        ["sample", _mkdir(tmp, "d.tsv"), "--per-class", "2", "--out", f"{tmp}/s.tsv"], ["d.tsv"])))
    cases.append(Case("sample-out_is_directory", lambda tmp, k: (
        ["sample", write(f"{tmp}/d.tsv", base_tsv()), "--per-class", "2", "--out", _mkdir(tmp, "s.tsv")], ["s.tsv"])))
    cases.append(Case("distill-unlabelled_bad_utf8_line2", lambda tmp, k: (
        ["distill", "--teacher", k["classifier"], "--data", write(f"{tmp}/d.tsv", base_tsv()), "--unlabelled",
         write(f"{tmp}/u.tsv", b"text\n\xc3\x28\n"), "--out", f"{tmp}/ds", "--epochs", "1"], ["u.tsv"]), ":2:"))
    cases.append(Case("distill-unlabelled_directory", lambda tmp, k: (
        ["distill", "--teacher", k["classifier"], "--data", write(f"{tmp}/d.tsv", base_tsv()), "--unlabelled",
         _mkdir(tmp, "u.tsv"), "--out", f"{tmp}/ds", "--epochs", "1"], ["u.tsv"])))
    cases.append(Case("tune-bad_data", lambda tmp, k: (
        ["tune", "--data", write(f"{tmp}/d.tsv", b"text\tlabel\n\x00\tpos\n"), "--out", f"{tmp}/best", "--max-trials", "1",
         "--epochs", "1"], ["d.tsv"])))
    cases.append(Case("tune-ner_symlink_loop", lambda tmp, k: (
        ["tune", "--task", "ner", "--data", _loop(tmp, "d.conll"), "--out", f"{tmp}/best", "--max-trials", "1"],
        ["d.conll"])))
    cases.append(Case("ner-val_directory", lambda tmp, k: (
        ["train", "--task", "ner", "--data", write(f"{tmp}/t.conll", base_conll()), "--val", _mkdir(tmp, "v.conll"),
         "--out", f"{tmp}/out", "--epochs", "1"], ["v.conll"])))
    cases.append(Case("lm-text_symlink_loop", lambda tmp, k: (
        ["train", "--task", "lm", "--text", _loop(tmp, "t.txt"), "--out", f"{tmp}/out", "--epochs", "1"], ["t.txt"])))
    cases.append(Case("lm-val_text_nul", lambda tmp, k: (
        ["train", "--task", "lm", "--text", write(f"{tmp}/t.txt", "some words here\n" * 50), "--val-text",
         write(f"{tmp}/v.txt", b"fine\nbad\x00line\n"), "--out", f"{tmp}/out", "--epochs", "1", "--seq-len", "8"],
        ["v.txt"]), ":2:"))
    return cases


# --------------------------------------------------------------------- stdin paths

def _stdin_cases():
    return [
        Case("predict-stdin-bad_utf8", lambda tmp, k: (["predict", k["classifier"]], ["stdin"]), None, b"fine\n\xff\xfe\n"),
        Case("predict-stdin-nul", lambda tmp, k: (["predict", k["classifier"]], ["stdin"]), ":2:", b"fine\nba\x00d\n"),
        Case("predict-stdin-ner_bad_utf8", lambda tmp, k: (["predict", k["ner"]], ["stdin"]), None, b"\xc3\x28\n"),
        Case("translate-stdin-bad_utf8", lambda tmp, k: (["translate", k["translation"]], ["stdin"]), None,
             b"\xe4\xbd\n"),
        Case("predict-stdin-empty", lambda tmp, k: (["predict", k["classifier"]], ["stdin"]), None, b""),
        Case("predict-stdin-bom_then_bad_line3", lambda tmp, k: (["predict", k["classifier"]], ["stdin"]), ":3:",
             b"\xef\xbb\xbffine\nok\n\xe9t\xe9\n"),
    ]


# --------------------------------------------------------------------- model directories from another task, damaged

def _swapped_config(src_kind, dst_kind):
    def setup(tmp, k):
        directory = _copy(k[dst_kind], tmp)
        shutil.copy(os.path.join(k[src_kind], "config.json"), os.path.join(directory, "config.json"))
        command = {"translation": ["translate", directory, "hello"], "lm_lstm": ["generate", directory, "--prompt", "hi"]}
        return command.get(dst_kind, ["predict", directory, "hello there"]), ["model", "config.json"]

    return setup


def _model_dir_cases():
    cases = [Case(f"swapped-config-{a}-in-{b}", _swapped_config(a, b)) for a, b in (
        ("translation", "classifier"), ("nlu", "ner"), ("ner", "nlu"), ("lm_lstm", "classifier"),
        ("classifier", "lm_lstm"), ("classifier", "translation"), ("nlu", "classifier"), ("translation", "lm_lstm"))]

    def damaged(kind, edit, command=None):
        def setup(tmp, k):
            directory = _copy(k[kind], tmp)
            names = edit(directory)
            argv = command(directory) if command else ["predict", directory, "play jazz by miles davis"]
            return argv, names

        return setup

    translate = lambda d: ["translate", d, "你好"]
    generate = lambda d: ["generate", d, "--prompt", "see you"]
    specs = {
        "nlu-intents_missing": ("nlu", lambda d: os.remove(os.path.join(d, "intents.txt")) or ["intents.txt"], None),
        "nlu-intents_directory": ("nlu", lambda d: (os.remove(os.path.join(d, "intents.txt")),
                                                    os.makedirs(os.path.join(d, "intents.txt"))) and ["intents.txt"], None),
        "nlu-intents_bad_utf8": ("nlu", lambda d: write(os.path.join(d, "intents.txt"), b"Move\n\xffStay\n") and
                                 ["intents.txt"], None),
        "nlu-intents_three": ("nlu", lambda d: write(os.path.join(d, "intents.txt"), "A\nB\nC\n") and ["intents.txt"], None),
        "nlu-tagger_json_list": ("nlu", lambda d: write(os.path.join(d, "tagger.json"), "[1, 2]") and ["tagger.json"], None),
        "nlu-tagger_json_truncated": ("nlu", lambda d: write(os.path.join(d, "tagger.json"), '{"words": ["<PAD>",') and
                                      ["tagger.json"], None),
        "nlu-tagger_json_loop": ("nlu", lambda d: (os.remove(os.path.join(d, "tagger.json")),
                                                   _loop(d, "tagger.json")) and ["tagger.json"], None),
        "nlu-words_not_list": ("nlu", lambda d: _json_edit(os.path.join(d, "tagger.json"), words="abc") or
                               ["tagger.json"], None),
        "translation-source_missing": ("translation", lambda d: shutil.rmtree(os.path.join(d, "source")) or ["source"],
                                       translate),
        "translation-source_is_file": ("translation", lambda d: (shutil.rmtree(os.path.join(d, "source")),
                                                                 write(os.path.join(d, "source"), "x")) and ["source"],
                                       translate),
        "translation-target_tokenizer_empty": ("translation", lambda d: write(
            os.path.join(d, "target", "tokenizer.json"), "") and ["tokenizer.json"], translate),
        "translation-config_no_source_len": ("translation", lambda d: _json_edit(
            os.path.join(d, "config.json"), source_len=None) or ["config.json"], translate),
        "translation-config_family_bad": ("translation", lambda d: _json_edit(
            os.path.join(d, "config.json"), family="gru") or ["config.json"], translate),
        "translation-config_truncated": ("translation", lambda d: write(os.path.join(d, "config.json"), '{"task": "tr')
                                         and ["config.json"], translate),
        "translation-model_random": ("translation", lambda d: write(os.path.join(d, "model.keras"), _random_bytes(9))
                                     and ["model.keras"], translate),
        "translation-tokenizers_swapped": ("translation", lambda d: (
            shutil.rmtree(os.path.join(d, "source")), shutil.copytree(os.path.join(d, "target"), os.path.join(d, "source")))
            and ["tokenizer.json", "source", "model.keras"], translate),
        "lm-tokenizer_from_classifier": ("lm_lstm", None, generate),  # filled below
        "lm-config_family_bad": ("lm_lstm", lambda d: _json_edit(os.path.join(d, "config.json"), family="rnn") or
                                 ["config.json"], generate),
        "lm-model_missing": ("lm_lstm", lambda d: os.remove(os.path.join(d, "model.keras")) or ["model.keras"], generate),
        "ner-tagger_json_directory": ("ner", lambda d: (os.remove(os.path.join(d, "tagger.json")),
                                                        os.makedirs(os.path.join(d, "tagger.json"))) and ["tagger.json"],
                                      None),
        "ner-labels_loop": ("ner", lambda d: (os.remove(os.path.join(d, "labels.txt")), _loop(d, "labels.txt")) and
                            ["labels.txt"], None),
        "ner-config_unit_bad": ("ner", lambda d: _json_edit(os.path.join(d, "config.json"), seq_len=0) or
                                ["config.json"], None),
        "classifier-config_loop": ("classifier", lambda d: (os.remove(os.path.join(d, "config.json")),
                                                            _loop(d, "config.json")) and ["config.json", "model"], None),
        "classifier-model_dir_loop": ("classifier", None, None),  # filled below
    }
    for key, (kind, edit, command) in specs.items():
        if edit is None:
            continue
        cases.append(Case(f"modeldir-{key}", damaged(kind, edit, command)))

    def lm_tokenizer_from_classifier(tmp, k):  # the translation's target WordPiece tokenizer: another size
        directory = _copy(k["lm_lstm"], tmp)
        for name in ("tokenizer.json", "vocab.txt"):
            shutil.copy(os.path.join(k["translation"], "target", name), os.path.join(directory, name))
        return ["generate", directory, "--prompt", "see you"], ["tokenizer.json", "model"]

    def model_dir_loop(tmp, k):
        return ["predict", _loop(tmp, "model"), "text"], ["model"]

    cases += [Case("modeldir-lm-tokenizer_from_classifier", lm_tokenizer_from_classifier),
              Case("modeldir-classifier-model_dir_loop", model_dir_loop)]
    return cases


# --------------------------------------------------------------------- export, robustness, registry on the wrong input

def _command_cases():
    def bundle(tmp, k):
        from keras_slm.registry.bundle import build_bundle

        return build_bundle(k["classifier"], os.path.join(tmp, "b"), name="tiny")

    def pushed(tmp, k):
        from keras_slm.registry import open_registry

        reg = os.path.join(tmp, "reg")
        open_registry(reg).push(k["classifier"], name="tiny")
        return reg

    def damage_store(reg, how):  # every content-addressed blob of the store
        blobs = [os.path.join(root, f) for root, _, names in os.walk(os.path.join(reg, "blobs")) for f in names]
        for path in blobs:
            data = open(path, "rb").read()
            write(path, data[: len(data) // 2] if how == "truncated" else _random_bytes(4))

    specs = {
        "export-android-ner": lambda tmp, k: (["export", k["ner"], "--target", "android", "--out", f"{tmp}/a"],
                                              ["ner", "model"]),
        "export-android-tokenizer_missing": lambda tmp, k: (
            ["export", _strip(_copy(k["classifier"], tmp), "tokenizer.json"), "--target", "android", "--out", f"{tmp}/a"],
            ["tokenizer.json", "model"]),
        "export-android-out_is_file": lambda tmp, k: (
            ["export", k["classifier"], "--target", "android", "--out", write(f"{tmp}/a", "x")], ["a"]),
        "export-samples_nul": lambda tmp, k: (
            ["export", k["classifier"], "--samples", write(f"{tmp}/s.txt", b"ok\nb\x00d\n"), "--out", f"{tmp}/m.tflite"],
            ["s.txt"]),
        "export-samples_loop": lambda tmp, k: (
            ["export", k["classifier"], "--samples", _loop(tmp, "s.txt"), "--out", f"{tmp}/m.tflite"], ["s.txt"]),
        "export-calibration_bom_only": lambda tmp, k: (
            ["export", _calibration(k["classifier"], tmp, b"\xef\xbb\xbf\n\n"), "--quantize", "int8",
             "--out", f"{tmp}/m.tflite"], ["calibration.txt"]),
        "export-nlu-samples_directory": lambda tmp, k: (
            ["export", k["nlu"], "--samples", _mkdir(tmp, "s.txt"), "--out", f"{tmp}/m.tflite"], ["s.txt"]),
        "export-translation-eval_bad": lambda tmp, k: (
            ["export", k["translation"], "--eval", write(f"{tmp}/e.tsv", b"zh\ten\n\xff\tx\n"), "--out", f"{tmp}/m.tflite"],
            ["e.tsv", "calibration.txt"]),
        "robustness-lm": lambda tmp, k: (
            ["evaluate", k["lm_lstm"], "--robustness", "--data", write(f"{tmp}/t.txt", "see you soon\n" * 5)],
            ["lm_lstm", "model", "robustness"]),
        "robustness-bad_data": lambda tmp, k: (
            ["evaluate", k["classifier"], "--robustness", "--data", write(f"{tmp}/t.tsv", b"text\tlabel\n\xff\tpos\n")],
            ["t.tsv"]),
        "robustness-plot_dir": lambda tmp, k: (
            ["evaluate", k["classifier"], "--robustness", "--data", write(f"{tmp}/t.tsv", base_tsv()), "--plot",
             _mkdir(tmp, "p.png")], ["p.png"]),
        "registry-verify-manifest_edited": lambda tmp, k: (["registry", "verify", _edit_manifest(bundle(tmp, k))],
                                                           ["manifest.json", "model.tflite", "sha256"]),
        "registry-verify-file_missing": lambda tmp, k: (["registry", "verify", _strip(bundle(tmp, k), "labels.txt")],
                                                        ["labels.txt"]),
        "registry-push-bundle_file_swapped": lambda tmp, k: (
            ["registry", "push", _swap_file(bundle(tmp, k), k), "--registry", f"{tmp}/reg"], ["labels.txt"]),
        "registry-push-symlink_in_bundle": lambda tmp, k: (
            ["registry", "push", _symlinked(bundle(tmp, k)), "--registry", f"{tmp}/reg"], ["vocab.txt", "symlink"]),
        "registry-pull-truncated_archive": lambda tmp, k: _pull_damaged(tmp, k, "truncated"),
        "registry-pull-junk_archive": lambda tmp, k: _pull_damaged(tmp, k, "junk"),
        "registry-pull-unknown": lambda tmp, k: (["registry", "pull", "nothere@1.0.0", f"{tmp}/dest", "--registry",
                                                  _mkdir(tmp, "reg")], ["nothere"]),
        "registry-push-nlu_no_tflite": lambda tmp, k: (["registry", "push", _strip(_copy(k["nlu"], tmp), "model.tflite"),
                                                        "--registry", f"{tmp}/reg"], ["model.tflite"]),
        "serve-swapped-config": lambda tmp, k: (
            ["serve", _swapped_config("translation", "classifier")(tmp, k)[0][1], "--port", "0"], ["model", "config.json"]),
        "serve-bundle_junk_archive": lambda tmp, k: (["serve", write(f"{tmp}/b.tar.gz", _random_bytes(11)), "--port", "0"],
                                                     ["b.tar.gz"]),
    }

    def _pull_damaged(tmp, k, how):
        reg = pushed(tmp, k)
        damage_store(reg, how)
        return ["registry", "pull", "tiny", f"{tmp}/dest", "--registry", reg], ["tiny", "blobs", "sha256", "bundle"]

    return [Case(f"command-{key}", spec) for key, spec in specs.items()]


def _strip(directory, name):
    path = os.path.join(directory, name)
    if os.path.isdir(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.remove(path)
    return directory


def _calibration(directory, tmp, data):
    copy = _copy(directory, tmp)
    write(os.path.join(copy, "calibration.txt"), data)
    return copy


def _edit_manifest(folder):
    """The manifest's sha256 of model.tflite replaced: the file no longer matches it."""
    path = os.path.join(folder, "manifest.json")
    with open(path, encoding="utf-8") as f:
        manifest = json.load(f)
    manifest["files"]["model.tflite"]["sha256"] = "0" * 64
    write(path, json.dumps(manifest))
    return folder


def _swap_file(folder, k):
    write(os.path.join(folder, "labels.txt"), "a\nb\nc\n")
    return folder


def _symlinked(folder):
    path = os.path.join(folder, "vocab.txt")
    os.remove(path)
    os.symlink("/etc/hostname", path)
    return folder


def _chmod_000(path):
    os.chmod(path, 0)
    return path


def _permission_cases():
    return [
        Case("perm-train_data", lambda tmp, k: (["train", "--data", _chmod_000(write(f"{tmp}/d.tsv", base_tsv())),
                                                 "--out", f"{tmp}/out", *TRAIN], ["d.tsv"]), unreadable=True),
        Case("perm-config_json", lambda tmp, k: (["predict", _unreadable_copy(tmp, k["classifier"], "config.json"), "x"],
                                                 ["config.json"]), unreadable=True),
        Case("perm-nlu_intents", lambda tmp, k: (["predict", _unreadable_copy(tmp, k["nlu"], "intents.txt"), "x"],
                                                 ["intents.txt"]), unreadable=True),
        Case("perm-translation_source_tokenizer", lambda tmp, k: (
            ["translate", _unreadable_copy(tmp, k["translation"], os.path.join("source", "tokenizer.json")), "你好"],
            ["tokenizer.json"]), unreadable=True),
    ]


def _unreadable_copy(tmp, directory, name):
    copy = _copy(directory, tmp)
    _chmod_000(os.path.join(copy, name))
    return copy


def all_cases():
    return (_reader_cases() + _classification_file_cases() + _stdin_cases() + _model_dir_cases() + _command_cases()
            + _permission_cases())
