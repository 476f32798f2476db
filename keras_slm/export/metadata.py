"""MediaPipe / TFLite metadata: lets MediaPipe Tasks `TextClassifier` and `TextEmbedder` load our files.

Three input kinds:
- regex word tokenizer (our `WordTokenizer` / `CjkCharTokenizer`): one int32 `[1, L]` input,
  a vocabulary file of `token id` lines and a delimiter regex;
- BERT tokenizer (WordPiece vocabulary, one token per line): inputs `input_word_ids`,
  `input_mask`, `input_type_ids`;
- outputs: class scores with labels (classifier) or a feature vector (embedder).

How MediaPipe's regex tokenizer differs from ours, and what we write so that both give the
same ids (each point is checked by tests/export/test_metadata.py with the real MediaPipe):
- It splits with RE2, whose `\\w` is ASCII-only; Python's is Unicode. We write the RE2
  spelling of Python's class, `[^\\pL\\pN_']+`, so "café" stays one token on the phone too.
- It does not lowercase. When the tokenizer lowercases, the embedded vocabulary also lists
  each word's Capitalized and UPPER form with the same id. Other mixed case ("iPhone") still
  maps to `<UNKNOWN>`: apps should lowercase the text before `classify()`.
- It prepends `<START>` and pads with `<PAD>` exactly like our `encode` (same ids).
- It cannot split CJK text into characters (RE2 delimiters cannot match between two
  letters). For a `CjkCharTokenizer` model the app must put spaces around CJK characters
  before `classify()` (see tflite/README.md), or tokenize itself and use the LiteRT path.
"""

import dataclasses
import os

from keras_slm import files
from keras_slm.errors import ExportError
from keras_slm.export import _mediapipe_shim

# RE2 spelling of Python's Unicode `[^\w']+` (\w == [\pL\pN_] in Python 3.11, checked).
REGEX_DELIMITER = r"[^\pL\pN_']+"
BERT_INPUT_NAMES = ("input_word_ids", "input_mask", "input_type_ids")


@dataclasses.dataclass
class ModelInfo:
    """The general fields of a model's metadata, shown by metadata viewers and app stores.

    Args:
        name: model name.
        version: model version string.
        description: what the model does, for app developers.
        author: who trained it.
        licence: the model's licence (e.g. "Apache-2.0").
    """

    name: str = "keras-slm model"
    version: str = "1"
    description: str = ""
    author: str = "keras-slm"
    licence: str = "Apache-2.0"


def case_variants(token):
    """The spellings MediaPipe should map to a lowercase vocabulary token.

    Example:
    >>> case_variants("it's")
    ["it's", "It's", "IT'S"]
    """
    variants = [token, token[:1].upper() + token[1:], token.upper()]
    return list(dict.fromkeys(variants))


def metadata_vocabulary(tokenizer, with_case_variants=True):
    """`token id` lines for MediaPipe's regex tokenizer (case variants for lowercasing tokenizers)."""
    lines, seen = [], set()
    reserved = set(tokenizer.vocabulary[:3])
    for i, token in enumerate(tokenizer.vocabulary):
        spellings = [token] if token in reserved or not (with_case_variants and tokenizer.lowercase) else case_variants(token)
        for spelling in spellings:
            # A spelling can only map to one id; the lowercase token itself always wins.
            if spelling not in seen and (spelling == token or spelling not in tokenizer._ids):
                seen.add(spelling)
                lines.append(f"{spelling} {i}\n")
    return "".join(lines)


def _read_tflite(model):
    if isinstance(model, (bytes, bytearray)):
        return bytes(model)
    with open(model, "rb") as f:
        return f.read()


def _check_single_subgraph(data, where):
    from keras_slm.export.inspection import inspect_tflite

    info = inspect_tflite(data)
    if info.num_subgraphs != 1:
        raise ExportError(
            f"{where}: has {info.num_subgraphs} subgraphs (an RNN WHILE loop); MediaPipe Tasks needs one. "
            "Export with single_subgraph=True (CLI: --single-subgraph) to unroll the RNN."
        )
    return info


def _check_regex_inputs(info, where):
    if len(info.inputs) != 1 or info.inputs[0]["dtype"] != "int32" or len(info.inputs[0]["shape"]) != 2:
        got = [(i["name"], i["dtype"], i["shape"]) for i in info.inputs]
        raise ExportError(f"{where}: MediaPipe's regex tokenizer needs one int32 [1, L] input, found {got}")


def _labels_list(labels):
    return list(getattr(labels, "labels", labels))


def write_metadata(
    model,
    out=None,
    *,
    tokenizer=None,
    bert_vocab=None,
    labels=None,
    info=None,
    with_case_variants=True,
):
    """Writes a copy of a .tflite file with MediaPipe metadata and its associated files.

    Args:
        model: path of the .tflite file (or its bytes); one subgraph (unrolled RNNs).
        out: where to write the result (default: overwrite `model`). Written atomically.
        tokenizer: a `WordTokenizer` / `CjkCharTokenizer` for a model with one ids input
            (regex-tokenizer metadata).
        bert_vocab: instead of `tokenizer`, a WordPiece vocabulary file (one token per line)
            for a model with `input_word_ids`, `input_mask`, `input_type_ids` inputs.
        labels: class names (list or `LabelVocabulary`) for a classifier; None writes a
            feature-vector output (an embedder for MediaPipe `TextEmbedder`).
        info: `ModelInfo` (name, version, description, author, licence).
        with_case_variants: for a lowercasing tokenizer, also list Capitalized and UPPER
            spellings in the embedded vocabulary (MediaPipe does not lowercase).

    Returns:
        The metadata as JSON text (what MediaPipe's metadata viewer shows).

    Example:
    >>> from keras_slm.tasks import TextClassifier
    >>> clf = TextClassifier.load("runs/sst2")  # doctest: +SKIP
    >>> report = clf.export("/tmp/m.tflite", single_subgraph=True)  # doctest: +SKIP
    >>> _ = write_metadata("/tmp/m.tflite", tokenizer=clf.tokenizer, labels=clf.labels,
    ...                    info=ModelInfo(name="sst2 sentiment"))  # doctest: +SKIP
    """
    if (tokenizer is None) == (bert_vocab is None):
        raise ValueError("Pass exactly one of `tokenizer` (regex word/char) or `bert_vocab` (WordPiece).")
    where = "<bytes>" if isinstance(model, (bytes, bytearray)) else str(model)
    out = out or (None if isinstance(model, (bytes, bytearray)) else model)
    if out is None:
        raise ValueError("`out` is required when `model` is given as bytes.")
    data = _read_tflite(model)
    tflite_info = _check_single_subgraph(data, where)
    info = info or ModelInfo()
    metadata_writer, metadata_info = _mediapipe_shim.metadata_writers()

    with files.temp_dir("keras_slm_metadata_") as tmp:
        writer = metadata_writer.MetadataWriter.create(bytearray(data))
        try:
            # add_general_info() takes name and description only; GeneralMd has them all.
            writer._general_md = metadata_info.GeneralMd(
                name=info.name, version=info.version, description=info.description,
                author=info.author, licenses=info.licence,
            )
            if tokenizer is not None:
                _check_regex_inputs(tflite_info, where)
                vocab_path = os.path.join(tmp, "vocab.txt")
                with open(vocab_path, "w", encoding="utf-8") as f:
                    f.write(metadata_vocabulary(tokenizer, with_case_variants))
                writer.add_regex_text_input(metadata_writer.RegexTokenizer(REGEX_DELIMITER, vocab_path))
            else:
                names = [i["name"] for i in tflite_info.inputs]
                missing = [n for n in BERT_INPUT_NAMES if not any(n in name for name in names)]
                if missing:
                    raise ExportError(f"{where}: BERT metadata needs inputs {list(BERT_INPUT_NAMES)}; found {names}")
                ordered = [next(name for name in names if n in name) for n in BERT_INPUT_NAMES]
                vocab_path = os.path.join(tmp, "vocab.txt")
                with open(bert_vocab, encoding="utf-8") as src, open(vocab_path, "w", encoding="utf-8") as dst:
                    dst.write(src.read())
                writer.add_bert_text_input(metadata_writer.BertTokenizer(vocab_path), *ordered)
            if labels is not None:
                writer.add_classification_output(metadata_writer.Labels().add(_labels_list(labels)))
            else:
                writer.add_feature_output(name="embedding", description="Text embedding vector.")
            result, metadata_json = writer.populate()
        finally:
            writer._temp_folder.cleanup()
            del writer
    files.write_bytes_atomic(out, bytes(result))
    return metadata_json


def read_metadata(model):
    """The MediaPipe metadata of a .tflite file as JSON text (None when it has none)."""
    _mediapipe_shim.install()
    from mediapipe.tasks.python.metadata import metadata

    data = _read_tflite(model)
    try:
        return metadata.MetadataDisplayer.with_model_buffer(data).get_metadata_json()
    except ValueError:
        return None


def read_associated_file(model, name):
    """The bytes of an associated file (e.g. "vocab.txt", "labels.txt") packed in a .tflite file."""
    _mediapipe_shim.install()
    from mediapipe.tasks.python.metadata import metadata

    return metadata.MetadataDisplayer.with_model_buffer(_read_tflite(model)).get_associated_file_buffer(name)
