"""A missing optional package is a one-line error naming what to install (issue 19.2)."""

import sys

import pytest

from keras_slm._deps import MissingDependencyError, require
from keras_slm.errors import KerasSlmError


def test_require_names_the_install_line():
    assert require("json", "pip install nothing", "parsing").dumps([1]) == "[1]"
    with pytest.raises(MissingDependencyError, match=r"tuning needs the Python package 'no_such_pkg'.*: pip install x"):
        require("no_such_pkg.sub", "pip install x", "tuning")
    assert issubclass(MissingDependencyError, KerasSlmError)  # the CLI prints it on one line, exit 2


def test_minilm_without_safetensors_says_what_to_install(monkeypatch):
    from keras_slm.models import load_minilm

    for name in ("safetensors", "safetensors.numpy"):
        monkeypatch.setitem(sys.modules, name, None)  # as if not installed: `import` raises ImportError
    with pytest.raises(MissingDependencyError, match=r'safetensors.*pip install "keras-slm\[minilm\]"'):
        load_minilm()
