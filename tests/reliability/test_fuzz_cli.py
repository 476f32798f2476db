"""The fuzz suite: 417 generated bad inputs to the CLI, in process (one TensorFlow import).

Each case (tests/reliability/cases.py, and cases_more.py: the second batch) must end with exit status 2 and ONE error line that
names the bad file; no traceback, no "internal error" (an exception keras-slm did not turn
into a `KerasSlmError`), and a failed `train --out DIR` leaves no DIR and no partial sibling.
The subprocess checks (signals, kill -9) are in test_kill.py.
"""

import glob
import io
import os
import sys

import pytest

from keras_slm.cli import main
from tests.reliability import cases_more
from tests.reliability.cases import all_cases

CASES = all_cases()
MORE = cases_more.all_cases()


def test_enough_cases():
    assert len(CASES) >= 200 and len([c for c in MORE if not c.unreadable]) >= 60
    assert len({c.id for c in CASES + MORE}) == len(CASES) + len(MORE)


def _run(argv, capsys, stdin=None):
    """`main(argv)` with `stdin` (bytes) as standard input: (status, stderr, the last error line)."""
    saved = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin or b""), encoding="utf-8")
    try:
        status = main(argv)
    finally:
        sys.stdin = saved
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert status == 2, f"exit {status}; stderr:\n{err[-2000:]}"
    assert "Traceback" not in err, err[-3000:]
    last = lines[-1]
    assert last.startswith(f"keras-slm {argv[0]}: error: "), last
    return last


def _check_train_out(argv):
    if argv[0] == "train":
        out = argv[argv.index("--out") + 1]
        if os.path.basename(out) == "out":
            assert not os.path.exists(out), f"a failed train left {out}"
        assert not glob.glob(os.path.join(os.path.dirname(out), ".out.partial-*"))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_line_exit_2(case, model_dir, other, tmp_path, capsys):
    tmp = str(tmp_path)
    before = sorted(os.listdir(model_dir))
    argv, names = case.setup(tmp, model_dir, other)
    last = _run(argv, capsys)
    assert any(name in last for name in names), f"the message names none of {names}: {last}"
    _check_train_out(argv)
    assert sorted(os.listdir(model_dir)) == before  # the shared model directory is never touched


@pytest.mark.parametrize("case", MORE, ids=[c.id for c in MORE])
def test_more_bad_input_is_one_line_exit_2(case, kinds, tmp_path, capsys):
    if case.unreadable and os.geteuid() == 0:
        pytest.skip("root reads a chmod 000 file")
    before = {kind: sorted(os.listdir(d)) for kind, d in kinds.items()}
    argv, names = case.setup(str(tmp_path), kinds)
    last = _run(argv, capsys, case.stdin)
    assert any(name in last for name in names), f"the message names none of {names}: {last}"
    if case.expect:
        assert case.expect in last, f"expected {case.expect!r} (the line at fault) in: {last}"
    _check_train_out(argv)
    assert {kind: sorted(os.listdir(d)) for kind, d in kinds.items()} == before
