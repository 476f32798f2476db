"""Serving a .tflite file imports no TensorFlow and no Keras, for every kind of model served.

One tiny untrained model per kind (tests/tiny_kinds.py: classifier, BiLSTM-CRF tagger, WordPiece tagger, joint
intent / slot, LSTM and transformer language models, translation) is saved and exported
here; a child process then builds the server app for each in turn (`create_app`, what
`keras-slm serve` runs), answers one request through it and reports which of TensorFlow,
Keras and `keras_slm.training` its `sys.modules` holds after each kind.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.tiny_kinds import KINDS, build

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEAVY = ("tensorflow", "keras", "keras_hub", "keras_slm.training", "keras_slm.callbacks")

CHILD = """
import json, sys
from starlette.testclient import TestClient
from keras_slm.serving import create_app
report = {}
for kind, directory in json.loads(sys.argv[1]).items():
    app = create_app(directory, pool_size=1)
    with TestClient(app) as client:
        extra = {"max_tokens": 3, "strategy": "top_k", "top_k": 3, "seed": 1} if kind.startswith("lm") else {}
        r = client.post("/v1/predict", json={"texts": ["John lives in Paris"], **extra})
    report[kind] = {"status": r.status_code, "prediction": r.json().get("predictions", [None])[0],
                    "heavy": [m for m in %r if m in sys.modules]}
print(json.dumps(report))
""" % (HEAVY,)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("kinds")
    dirs = {kind: build(kind, str(root / kind / "model")) for kind in KINDS}
    proc = subprocess.run([sys.executable, "-c", CHILD, json.dumps(dirs)], capture_output=True, text=True,
                          timeout=300, env=dict(os.environ, PYTHONPATH=REPO))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("kind", list(KINDS))
def test_serving_imports_no_tensorflow(served, kind):
    result = served[kind]
    assert result["status"] == 200, result
    assert result["prediction"], result  # a real answer came back through the interpreter
    assert result["heavy"] == [], f"serving a {kind} model imported {result['heavy']}"
