"""Optional third-party packages: import them or say, in one line, what to install."""

import importlib

from keras_slm.errors import KerasSlmError


class MissingDependencyError(KerasSlmError):
    """A feature needs a Python package that is not installed; the message names the pip line."""


def require(module, install, feature):
    """Imports and returns `module`, or raises `MissingDependencyError` naming `install`.

    Args:
        module: import name, e.g. "safetensors.numpy".
        install: what to run, e.g. 'pip install "keras-slm[minilm]"'.
        feature: what needs it, e.g. "reading MiniLM weights".

    Example:
    >>> require("json", "pip install json", "parsing").dumps([1])
    '[1]'
    """
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise MissingDependencyError(
            f"{feature} needs the Python package {module.split('.')[0]!r}, which is not installed: {install}"
        ) from e
