"""Loading the files of a model directory so that a bad one is a `ModelDirError` naming the file.

A model directory holds files written by one training: `config.json`, `tokenizer.json`
(or `vocab.json`), `labels.txt`, `model.keras`, `*.tflite`. Any of them can be missing,
truncated, hand-edited or copied from another model. The loaders of the saved artifacts
read them through here, then call `check_agreement`, so that such a
directory is refused at load time with the file to blame, instead of failing later inside
TensorFlow (an embedding lookup past the vocabulary) or predicting with the wrong labels.

Example:
>>> check_agreement("runs/sst2", model, tokenizer.vocab_size, len(labels))  # doctest: +SKIP
"""

import functools
import json
import os
import sys
import zipfile

from keras_slm import files
from keras_slm.errors import ModelDirError

CONFIG_FILE = "config.json"
MODEL_FILE = "model.keras"
TOKENIZER_FILE = "tokenizer.json"
LABELS_FILE = "labels.txt"
TASKS = ("text_classification", "ner", "language_model", "translation", "nlu", "sentence_embedding")


def check_replaceable(directory, name=None):
    """Refuses an existing, non-empty `directory` that is not a keras-slm model directory.

    A save replaces its directory as a whole (`atomic_save`), so a folder of other files
    (or the working directory, or one holding it) is never a target: the user gets an error
    instead of losing those files.

    Args:
        directory: the target directory.
        name: how the message names it (default: the path), e.g. "--out runs/x".
    """
    if not os.path.isdir(directory) or not os.listdir(directory):
        return
    here, target = os.path.realpath(os.getcwd()), os.path.realpath(directory)
    if here == target or here.startswith(target + os.sep) or config_task(directory) not in TASKS:
        raise ModelDirError(f"{name or directory}: exists and is not a keras-slm model directory; a model is saved "
                            "by replacing its directory as a whole, so give a new or empty folder (or a model "
                            "directory to overwrite)")


def atomic_save(save):
    """Makes `save(self, directory)` write the whole directory atomically.

    The wrapped method writes into a fresh temporary sibling of `directory`, which then
    replaces `directory` in one rename (`keras_slm.files.atomic_dir`): an exception or a
    kill mid-save leaves the old model directory exactly as it was, and a completed save
    leaves only the new files (never a new model.keras beside an old labels.txt).

    Example:
    >>> class Artifact:
    ...     @atomic_save
    ...     def save(self, directory):
    ...         files.write_text_atomic(os.path.join(directory, "config.json"), '{"task": "ner"}')
    """

    @functools.wraps(save)
    def wrapper(self, directory, *args, **kwargs):
        directory = os.fspath(directory)
        check_replaceable(directory)
        with files.atomic_dir(directory) as staging:
            save(self, staging, *args, **kwargs)

    return wrapper


def is_keras_model(model):
    """True for a `keras.Model`, without importing Keras: when nothing imported Keras yet, no
    object can be one (a TFLite model or driver is served with no TensorFlow in the process)."""
    keras = sys.modules.get("keras")
    return keras is not None and isinstance(model, keras.Model)


def config_task(path):
    """The `task` in config.json beside `path` (a model directory or a file in one); None when absent or
    unreadable (the loader that follows names the damaged file)."""
    directory = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    try:
        with open(os.path.join(directory, "config.json"), encoding="utf-8") as f:
            return json.load(f).get("task")
    except (OSError, ValueError, AttributeError):
        return None


def read_config(directory, task=None, what=None, required=("seq_len",), families=None):
    """DIR/config.json as a dict; with `task`, refuses a folder that holds another kind of model.

    Raises:
        ModelDirError: the file is missing, not JSON, not an object, for another task, or
            lacks one of the `required` keys (`seq_len`, `source_len`, ...: positive ints), or its
            `family` is not one of `families`.
    """
    path = os.path.join(directory, CONFIG_FILE)
    if not os.path.exists(path):
        raise ModelDirError(f"{directory}: no {CONFIG_FILE}; not a keras-slm model directory")
    config = files.read_json(path, "the config.json keras-slm wrote (task, seq_len, model)")
    if task is not None and config.get("task") != task:
        raise ModelDirError(f"{path}: holds a {config.get('task')!r} model, not {what or task}")
    for key in required:
        value = config.get(key)
        if key not in config or (key.endswith("_len") and (not isinstance(value, int) or isinstance(value, bool)
                                                           or value < 1)):
            raise ModelDirError(f"{path}: `{key}` is {value!r}; expected a positive integer")
    if families is not None and config.get("family") not in families:
        raise ModelDirError(f"{path}: `family` is {config.get('family')!r}; expected one of {list(families)}")
    return config


def load_keras_model(directory, model_file=None, safe_mode=True, compile=True):
    """DIR/model.keras (or `model_file`), loaded in safe mode; a `ModelDirError` when it cannot be.

    A truncated or foreign file, a file from another Keras version or one holding a Lambda
    layer (arbitrary code, refused by safe mode) all name the file and what was expected.
    """
    import keras

    import keras_slm.layers  # noqa: F401  (registers our layers for deserialisation)

    path = model_file or os.path.join(directory, MODEL_FILE)
    if not os.path.exists(path):
        raise ModelDirError(f"{directory}: no {os.path.basename(path)}")
    if not os.path.isfile(path) or not zipfile.is_zipfile(path):
        raise ModelDirError(f"{path}: not a .keras archive (truncated or not written by keras-slm); "
                            "expected the model.keras saved by training")
    try:
        return keras.saving.load_model(path, safe_mode=safe_mode, compile=compile)
    except Exception as e:  # noqa: BLE001 - any failure to rebuild the model is a bad file
        message = " ".join(str(e).split())
        if "safe_mode" in message or "Lambda" in message:
            message = "holds a Lambda layer (arbitrary Python code), refused in safe mode"
        elif len(message) > 200:
            message = message[:200] + "..."
        raise ModelDirError(f"{path}: cannot be loaded ({type(e).__name__}: {message}); "
                            "expected the model.keras saved by keras-slm") from None


def _layers(model):
    try:
        return list(model._flatten_layers(include_self=False, recursive=True))
    except (AttributeError, TypeError):
        return list(getattr(model, "layers", []))


def embedding_rows(model):
    """The `input_dim` of every Embedding layer of a Keras model (nested ones included)."""
    import keras

    return [layer.input_dim for layer in _layers(model) if isinstance(layer, keras.layers.Embedding)]


def check_agreement(directory, model, vocab_size=None, num_labels=None, tokenizer_file=TOKENIZER_FILE,
                    labels_file=LABELS_FILE, model_file=MODEL_FILE):
    """Refuses a tokenizer / labels / model that come from different trainings.

    Args:
        directory: the model directory (for messages).
        model: the loaded Keras model (a TFLite model: only its output width is checked).
        vocab_size: the tokenizer's vocabulary size; some Embedding layer must have that many rows.
        num_labels: classes (or tags); the model's last output axis must be that wide.
        tokenizer_file / labels_file / model_file: the names used in messages.

    Raises:
        ModelDirError: naming the file that does not match the model.
    """
    if vocab_size is not None and hasattr(model, "layers"):
        rows = embedding_rows(model)
        if rows and vocab_size not in rows:
            raise ModelDirError(
                f"{os.path.join(directory, tokenizer_file)}: holds {vocab_size} tokens but {model_file} embeds "
                f"{rows[0]} ids; the tokenizer and the model come from different trainings")
    if num_labels is not None:
        width = output_width(model)
        if width is not None and width != num_labels:
            raise ModelDirError(
                f"{os.path.join(directory, labels_file)}: holds {num_labels} labels but {model_file} has "
                f"{width} outputs; the labels and the model come from different trainings")


def output_width(model):
    """The last axis of the model's (first) output, or None when it is not known."""
    outputs = getattr(model, "outputs", None)
    if isinstance(outputs, list) and outputs and isinstance(outputs[0], dict):  # a TFLiteModel
        shape = outputs[0].get("shape")
        return int(shape[-1]) if shape is not None and len(shape) else None
    try:
        shape = model.output_shape
    except (AttributeError, ValueError, RuntimeError):
        shape = getattr(model, "output_shape", None)
    if isinstance(shape, list) and shape and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    if isinstance(shape, dict):
        return None
    try:
        width = shape[-1]
    except (TypeError, IndexError):
        return None
    return int(width) if width is not None else None
