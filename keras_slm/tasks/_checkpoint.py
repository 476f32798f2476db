"""Shared plumbing of the Hugging Face checkpoint loaders (`tasks.minilm` for BERT, `tasks.mpnet`)."""

import os

import numpy as np

from keras_slm.errors import KerasSlmError


def read_safetensors(directory, what):
    """`model.safetensors` of `directory` as {name: numpy array}, read without torch.

    Raises:
        MissingDependencyError: `safetensors` is not installed (names the pip line).
        KerasSlmError: the file is damaged (names it).
    """
    from keras_slm._deps import require

    load_file = require("safetensors.numpy", 'pip install "keras-slm[minilm]"  (or: pip install safetensors)',
                        f"reading {what} weights").load_file
    weights = os.path.join(directory, "model.safetensors")
    try:
        return load_file(weights)
    except Exception as e:  # safetensors raises its own SafetensorError on a damaged file
        raise KerasSlmError(f"{weights}: not a readable safetensors file ({e})") from None


class TensorCopier:
    """Copies named checkpoint tensors into Keras variables, checking shapes and tracking what was used.

    Args:
        tensors: {name: numpy array} from the checkpoint.
        prefix: a model prefix the names may carry (e.g. "bert."), dropped.
    """

    def __init__(self, tensors, prefix=""):
        self.tensors = {name[len(prefix):] if prefix and name.startswith(prefix) else name: value
                        for name, value in tensors.items()}
        self.used = set()

    def get(self, name):
        if name not in self.tensors:
            raise KerasSlmError(f"checkpoint lacks tensor {name!r}")
        self.used.add(name)
        return self.tensors[name]

    def assign(self, variable, value):
        if tuple(variable.shape) != value.shape:
            raise KerasSlmError(f"{variable.path}: checkpoint shape {value.shape} != model shape {tuple(variable.shape)}")
        variable.assign(value.astype(np.float32))

    def norm(self, layer, prefix):
        """A LayerNormalization from `prefix.weight` / `prefix.bias`."""
        self.assign(layer.gamma, self.get(prefix + ".weight"))
        self.assign(layer.beta, self.get(prefix + ".bias"))

    def linear(self, dense, prefix):
        """A Dense layer from a torch Linear's `prefix.weight` (out, in) / `prefix.bias`."""
        self.assign(dense.kernel, self.get(prefix + ".weight").T)
        self.assign(dense.bias, self.get(prefix + ".bias"))

    def unused(self):
        return sorted(set(self.tensors) - self.used)
