"""Argument parsing, --version, input-file errors and registry listing import no TensorFlow (issue 19.7).

Each check runs in a fresh interpreter and reads `sys.modules` at the end: a heavy import that
creeps into a *_cmd module's top level fails here. Timings are benchmarked in BENCHMARKS.md.
"""

import subprocess
import sys

import pytest

from tests.conftest import REPO

HEAVY = ("tensorflow", "keras", "keras_hub", "ai_edge_litert", "mediapipe", "numpy")


def _run_light(code, tmp_path):
    script = (
        "import sys\n" + code + "\n"
        f"print('HEAVY=' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": REPO, "KERAS_SLM_REGISTRY": str(tmp_path / "registry"),
           "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    heavy = [line for line in result.stdout.splitlines() if line.startswith("HEAVY=")]
    assert heavy, result.stdout + result.stderr
    return heavy[-1][len("HEAVY="):], result


@pytest.mark.parametrize("argv, rc, expected", [
    (["train", "--data", "missing.tsv", "--out", "runs/x"], 2, "missing.tsv: no such file (--data)"),
    (["train", "--task", "lm", "--text", "missing.txt", "--out", "runs/x"], 2, "missing.txt: no such file (--text)"),
    (["evaluate", "runs/x", "--data", "missing.tsv"], 2, "missing.tsv: no such file (--data)"),
    (["registry", "list", "--json"], 0, "[]"),
])
def test_commands_answer_without_tensorflow(argv, rc, expected, tmp_path):
    code = (f"from keras_slm.cli import main\nrc = main({argv!r})\nprint('RC=%d' % rc)")
    heavy, result = _run_light(code, tmp_path)
    assert f"RC={rc}" in result.stdout, result.stdout + result.stderr
    assert expected in result.stdout + result.stderr
    assert heavy == "", f"{argv} imported {heavy}"


def test_parser_and_version_import_no_tensorflow(tmp_path):
    code = ("from keras_slm.cli import build_parser, main\nbuild_parser().parse_args(['train', '--data', 'x.tsv', "
            "'--out', 'o', '--quantize', 'int8'])\n"
            "try:\n    main(['--version'])\nexcept SystemExit as e:\n    print('EXIT=%s' % e.code)")
    heavy, result = _run_light(code, tmp_path)
    assert "EXIT=0" in result.stdout and "keras-slm 0." in result.stdout
    assert heavy == ""


def test_light_copies_agree_with_the_library():
    """The CLI's TF-free copies of library constants (quantize modes, presets) are the library's."""
    from keras_slm.cli import _common, distill_cmd, pretrain_cmd, train_cmd
    from keras_slm.export import QUANTIZE_MODES
    from keras_slm.models import TRANSFORMER_PRESETS

    assert tuple(_common.QUANTIZE_MODES) == tuple(QUANTIZE_MODES)
    assert sorted(pretrain_cmd.PRESETS) == sorted(TRANSFORMER_PRESETS)
    assert set(TRANSFORMER_PRESETS) < set(train_cmd.TRANSFORMER_MODELS)
    assert sorted(distill_cmd.TRANSFORMER_STUDENTS) == sorted(TRANSFORMER_PRESETS)


def test_train_help_names_every_task(capsys):
    """Issue 19.10: `train --help` said "train a text classifier" and its --task help omitted ner."""
    from keras_slm.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "NER tagger (--task ner)" in text and "ner: a tagger on CoNLL --data" in text
    assert "95th percentile" in text  # --seq-len's default follows the data (19.13)
