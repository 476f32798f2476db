"""Transformer fine-tuning settings and BERT-input datasets (`train_transformer_classifier` is in keras_slm.tasks)."""

import tensorflow as tf

from keras_slm.data.pipeline import make_dataset
from keras_slm.models.transformer_encoder import PRESETS

# `model` names the transformer classifiers `keras-slm train --model` accepts.
TRANSFORMER_MODELS = (*PRESETS, "minilm", "mpnet")
# Default learning rates: a large pretrained model needs a small one, a random tiny one a large one.
DEFAULT_LEARNING_RATES = {"minilm": 5e-5, "mpnet": 2e-5, "pretrained": 2e-4, "scratch": 5e-4}
# LoRA trains a few small matrices on a frozen encoder: it needs a larger rate than full fine-tuning.
LORA_LEARNING_RATE = 1e-3


def bert_dataset(word_ids, labels=None, batch_size=32, shuffle=False, seed=0, alternatives=None):
    """Batches of BERT inputs `(input_word_ids, input_mask, input_type_ids)` (and labels).

    Rows are bucketed by length and each batch trimmed to its longest row
    (`keras_slm.data.make_dataset`); the mask and segment ids are derived from the ids
    (`[PAD]` = 0), so only the word ids are held in memory. `alternatives`: as in `make_dataset`.

    Example:
    >>> ds = bert_dataset(np.array([[2, 7, 3, 0]], np.int32), np.array([1]), batch_size=1)
    >>> [tuple(t.shape) for t in next(iter(ds))[0]]
    [(1, 4), (1, 4), (1, 4)]
    """

    def to_bert(x, *rest):
        inputs = (x, tf.cast(tf.not_equal(x, 0), tf.int32), tf.zeros_like(x))
        return (inputs, *rest)

    dataset = make_dataset(word_ids, labels, batch_size, shuffle=shuffle, seed=seed, alternatives=alternatives)
    return dataset.map(to_bert)


def __getattr__(name):
    # Legacy alias (ARCHITECTURE.md): train_transformer_classifier moved to the task layer, which this module may not
    # import at load time. Resolved on first use only; .importlinter lists this import.
    if name == "train_transformer_classifier":
        from keras_slm.tasks import classifier_training

        return getattr(classifier_training, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
