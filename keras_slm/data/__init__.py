"""Data readers (classification, CoNLL NER), label vocabularies, tf.data pipelines and bundled sample data."""

import os

from keras_slm.data.classification import ClassificationData, read_classification
from keras_slm.data.conll import NerData, bio_spans, read_conll, spans_to_bio, to_bio, write_conll
from keras_slm.data.labels import LabelVocabulary


def sample_path(name):
    """Path of a sample file shipped with the package (e.g. "sentiment_en_train.tsv")."""
    path = os.path.join(os.path.dirname(__file__), "samples", name)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No bundled sample {name!r}.")
    return path


def make_dataset(*args, **kwargs):
    # Imported lazily: tf.data pulls in TensorFlow.
    from keras_slm.data.pipeline import make_dataset as _make_dataset

    return _make_dataset(*args, **kwargs)


make_dataset.__doc__ = "See `keras_slm.data.pipeline.make_dataset`."
