"""An unrolled copy of a model's RNNs, sharing the trained weights.

A Keras RNN exports as a WHILE loop. That is the fast form, but MediaPipe Tasks rejects
models with more than one subgraph, and full-int8 calibration of WHILE loops crashes the
converter. Unrolling over a fixed length gives one flat subgraph instead.
"""

import copy

import keras

RNN_CLASS_NAMES = ("LSTM", "GRU", "SimpleRNN", "RNN")


def has_rnn(model):
    return any(isinstance(layer, keras.layers.RNN) for layer in model._flatten_layers())


def _rewrite(config, seq_len):
    if isinstance(config, dict):
        name = config.get("class_name")
        inner = config.get("config")
        if name in RNN_CLASS_NAMES and isinstance(inner, dict):
            inner["unroll"] = True
        if name == "InputLayer" and isinstance(inner, dict):
            shape = inner.get("batch_shape") or inner.get("batch_input_shape")
            if shape is not None and len(shape) in (2, 3):  # [batch, length(, chars)]
                inner["batch_shape"] = [shape[0], seq_len, *shape[2:]]
                inner.pop("batch_input_shape", None)
        for value in config.values():
            _rewrite(value, seq_len)
    elif isinstance(config, list):
        for value in config:
            _rewrite(value, seq_len)


def unrolled_copy(model, seq_len):
    """A copy of `model` with every RNN unrolled over `seq_len` steps, same weights.

    Works for Functional and Sequential models (they rebuild from their config).

    Example:
    >>> from keras_slm.models import lstm_classifier
    >>> flat = unrolled_copy(lstm_classifier(vocab_size=50, num_classes=2), seq_len=16)
    >>> flat.get_layer("lstm").unroll
    True
    """
    config = copy.deepcopy(keras.saving.serialize_keras_object(model))
    _rewrite(config, seq_len)
    clone = keras.saving.deserialize_keras_object(config)
    clone.set_weights(model.get_weights())
    for layer in clone._flatten_layers():
        if isinstance(layer, keras.layers.Bidirectional) and getattr(layer.backward_layer, "unroll", False):
            # Keras 3.15: an unrolled go_backwards RNN zeroes masked outputs with the un-reversed
            # mask, which misaligns the backward half on padded rows (masked BiLSTM taggers lost
            # ~5% tag agreement). Without the zeroing the outputs match the WHILE-loop RNN: the
            # padded steps come first in reverse order and output zeros anyway.
            layer.backward_layer.zero_output_for_mask = False
    return clone
