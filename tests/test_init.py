"""`import keras_slm` registers the library's Keras classes for keras.saving (issue 19.5), lazily:
the import itself stays free of TensorFlow."""

import subprocess
import sys

import keras
import numpy as np
import pytest

from keras_slm.layers import CRF
from tests.conftest import REPO


@pytest.fixture(scope="module")
def tagger_file(tmp_path_factory):
    ids = keras.Input((None,), dtype="int32")
    emissions = keras.layers.Dense(5)(keras.layers.Embedding(20, 8, mask_zero=True)(ids))
    model = keras.Model(ids, CRF(5)(emissions))
    path = str(tmp_path_factory.mktemp("init") / "tagger.keras")
    model.save(path)
    return path, model.predict(np.array([[3, 4, 5, 0]], "int32"), verbose=0)


@pytest.mark.parametrize("imports", ["import keras_slm\nimport keras",
                                     "import keras_slm\nimport tensorflow\nimport keras"])
def test_load_model_after_import_keras_slm(tagger_file, imports):
    path, expected = tagger_file
    code = (f"import sys\n{imports}\nimport numpy as np\n"
            f"assert 'keras_slm.layers' in sys.modules\n"
            f"print(keras.saving.load_model({path!r}).predict(np.array([[3, 4, 5, 0]], 'int32'), verbose=0).tolist())")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": REPO, "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    np.testing.assert_array_equal(np.array(eval(proc.stdout.strip().splitlines()[-1])), expected)  # noqa: S307


def test_import_keras_slm_is_light():
    proc = subprocess.run([sys.executable, "-c", "import sys, keras_slm; print('tensorflow' in sys.modules, "
                           "'keras' in sys.modules)"], capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": REPO})
    assert proc.stdout.split() == ["False", "False"], proc.stderr
