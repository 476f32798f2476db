"""Text classifier on a transformer encoder: BERT inputs -> mean-pooled vector -> class scores.

Mean pooling over the real tokens (not the `[CLS]` vector): it is what sentence-transformers
trained MiniLM with, and it needs no pretrained pooler.
"""

import keras

from keras_slm.layers.masked_mean_pooling import MaskedMeanPooling
from keras_slm.models.transformer_encoder import build_encoder, encoder_inputs

def pool(encoder, inputs):
    """Sentence vector: `encoder`'s token vectors averaged over the real tokens."""
    return MaskedMeanPooling(name="mean_pooling")([encoder(inputs), inputs[1]])


def transformer_classifier(encoder, num_classes, dropout=0.1, name="transformer_classifier", normalize=False):
    """Puts a classification head (mean pooling, dropout, softmax Dense "scores") on an encoder.

    Args:
        encoder: a `transformer_encoder` model (random, MLM-pretrained or MiniLM).
        num_classes: number of labels (>= 2).
        dropout: dropout before the output layer.
        name: model name.
        normalize: scale the pooled vector to unit length before the head (the sentence
            embedding a head fitted on `SentenceEmbedder` vectors expects; few-shot training).

    Returns:
        `keras.Model`: inputs `input_word_ids`, `input_mask`, `input_type_ids`
        (int32 `[batch, length]`), output softmax scores `[batch, num_classes]`.

    Example:
    >>> from keras_slm.models.transformer_encoder import build_encoder
    >>> model = transformer_classifier(build_encoder("tiny_2x128", vocab_size=500), num_classes=2)
    >>> [i.name for i in model.inputs]
    ['input_word_ids', 'input_mask', 'input_type_ids']
    """
    if not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"`num_classes` must be an integer >= 2, received {num_classes!r}.")
    inputs = encoder_inputs()
    x = pool(encoder, inputs)
    if normalize:
        x = keras.layers.UnitNormalization(axis=-1, name="embedding")(x)
    x = keras.layers.Dropout(dropout, name="head_dropout")(x)
    scores = keras.layers.Dense(
        num_classes, activation="softmax", kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.02),
        name="scores",
    )(x)
    return keras.Model(inputs, scores, name=name)


def build_transformer_classifier(preset, vocab_size, num_classes, max_length=512, dropout=0.1):
    """A randomly initialised classifier from a preset name (see `PRESETS`).

    Example:
    >>> model = build_transformer_classifier("tiny_2x128", vocab_size=500, num_classes=3)
    >>> model.output.shape
    (None, 3)
    """
    encoder = build_encoder(preset, vocab_size, max_length=max_length, dropout=dropout)
    return transformer_classifier(encoder, num_classes, dropout=dropout)
