"""`LSTMStepModel`: one decoding step of an LSTM language model, for phones."""

import keras
import numpy as np


class LSTMStepModel(keras.Model):
    """Token + LSTM state in, next-token logits + new state out (shares the LM's layers).

    Inputs, in order: `token` int32 `[1]`, then `h_0`, `c_0`, `h_1`, `c_1`, ... float32
    `[1, units]`. Outputs: `logits` `[1, vocab]`, then `h_0_out`, `c_0_out`, ...
    Feeding a sequence one token at a time from zero state gives the full model's
    logits at every position (the LSTM recurrence is the same computation).

    Args:
        embedding: the LM's Embedding layer.
        lstms: its LSTM layers, in order.
        head: its Dense logits layer.

    Example:
    >>> from keras_slm.models.language_models import lstm_lm
    >>> step = LSTMStepModel.from_lm(lstm_lm(vocab_size=20, units=8))
    >>> logits, *state = step([np.array([1], "int32"), *step.zero_state()])
    >>> tuple(logits.shape), len(state)
    ((1, 20), 2)
    """

    def __init__(self, embedding, lstms, head, **kwargs):
        super().__init__(**kwargs)
        self.embedding = embedding
        self.lstms = list(lstms)
        self.head = head
        self.units = [layer.units for layer in self.lstms]
        self.state_names = [f"{k}_{i}" for i in range(len(self.lstms)) for k in ("h", "c")]
        self.output_names = ["logits"] + [f"{n}_out" for n in self.state_names]

    @classmethod
    def from_lm(cls, model):
        """Finds the Embedding, LSTM and Dense layers of an `lstm_lm` model."""
        layers = [layer for layer in model.layers if not isinstance(layer, (keras.layers.InputLayer, keras.layers.Dropout))]
        embedding = [l for l in layers if isinstance(l, keras.layers.Embedding)]
        lstms = [l for l in layers if isinstance(l, keras.layers.LSTM)]
        dense = [l for l in layers if isinstance(l, keras.layers.Dense)]
        if len(embedding) != 1 or not lstms or len(dense) != 1 or len(layers) != 2 + len(lstms):
            raise ValueError(
                f"Expected an Embedding -> LSTM(s) -> Dense language model, received layers "
                f"{[type(l).__name__ for l in layers]}."
            )
        return cls(embedding[0], lstms, dense[0], name=f"{model.name}_step")

    def zero_state(self, batch_size=1):
        """The initial state: zeros for every `h` and `c`."""
        return [np.zeros((batch_size, units), np.float32) for units in self.units for _ in range(2)]

    def call(self, inputs):
        token, *states = inputs
        x = self.embedding(token)
        outputs = []
        for i, layer in enumerate(self.lstms):
            x, (h, c) = layer.cell(x, [states[2 * i], states[2 * i + 1]])
            outputs += [h, c]
        return [self.head(x)] + outputs
