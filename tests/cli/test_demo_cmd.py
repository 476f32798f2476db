"""`keras-slm demo`: the README's first command, on the bundled samples, in-process."""

import os
import re

from keras_slm.cli import main
from keras_slm.cli.demo_cmd import _display_width
from keras_slm.export import inspect_tflite


def test_demo_trains_exports_and_reports(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--epochs", "2", "--model", "awe"]) == 0
    text = capsys.readouterr().out
    for name in ("english", "chinese"):
        path = out / name / "model.tflite"
        assert (out / name / "model.keras").exists()
        with open(path, "rb") as f:
            assert inspect_tflite(f.read()).android_compatible
    diffs = [float(d) for d in re.findall(r"max \|Keras - TFLite\|\s+(\S+)", text)]
    assert len(diffs) == 2 and max(diffs) <= 1e-4
    assert len(re.findall(r"accuracy \(held-out\)\s+Keras \d\.\d{3}\s+TFLite \d\.\d{3}", text)) == 2
    # Example predictions line up in a terminal, CJK characters being two columns wide.
    rows = [line for line in text.splitlines() if line.startswith("  '") and " -> " in line]
    assert len(rows) == 4
    assert len({_display_width(row.split(" -> ")[0]) for row in rows}) == 1
    assert os.path.join(str(out), "english", "model.tflite") in text
