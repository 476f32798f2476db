"""MediaPipe metadata: real MediaPipe Tasks (TextClassifier / TextEmbedder) load our files and agree with Keras."""

import json

import keras
import numpy as np
import pytest

from keras_slm.data import read_classification
from keras_slm.errors import ExportError
from keras_slm.export import ModelInfo, convert, read_associated_file, read_metadata, write_metadata
from keras_slm.export._mediapipe_shim import minimum_parser_version
from keras_slm.export.android import app_prepare, mediapipe_scores
from keras_slm.text import WordTokenizer
from keras_slm.training import train_classifier
from tests.conftest import shared_data, write_slice

ATOL = 1e-5
SEQ_LEN = 32


def _sentences(path, n, start, long_enough=lambda t: len(t.split()) >= 4):
    """`n` real sentences (>= 4 words) from a `text<TAB>label` file, from row `start` on."""
    with open(path, encoding="utf-8") as f:
        rows = [line.split("\t")[0] for line in f.readlines()[1 + start :]]
    return [t for t in rows if long_enough(t)][:n]


def _mixed_case(texts):
    """Sentence case for some, an UPPER word for others, as users type (SST-2 is lowercase)."""
    out = []
    for i, text in enumerate(texts):
        words = text.split()
        if i % 3 == 0:
            text = text[:1].upper() + text[1:]
        elif i % 3 == 1:
            words[len(words) // 2] = words[len(words) // 2].upper()
            text = " ".join(words)
        out.append(text)
    return out


@pytest.fixture(scope="module")
def sst2(tmp_path_factory):
    src = shared_data("sst2", "train.tsv")
    root = tmp_path_factory.mktemp("md_sst2")
    train = read_classification(write_slice(src, str(root / "train.tsv"), 2000))
    return train, _mediapipe_sentences(src)


def _mediapipe_sentences(src):
    return _mixed_case(_sentences(src, 60, start=60000))


def _train(data, family, tokenizer="word"):
    keras.utils.set_random_seed(0)
    clf, _, _ = train_classifier(data, model=family, tokenizer=tokenizer, epochs=1, seq_len=SEQ_LEN,
                                 max_vocab=3000, verbose=0)
    return clf


def _keras_scores(clf, texts):
    return np.asarray(clf.model.predict(clf.encode(texts), verbose=0))


@pytest.mark.parametrize("family", ["lstm", "awe"])
def test_mediapipe_text_classifier_matches_keras(sst2, family, tmp_path):
    train, texts = sst2
    clf = _train(train, family)
    plain = str(tmp_path / "plain.tflite")
    report = clf.export(plain, sample_texts=texts, single_subgraph=True, latency_threads=())
    assert report.num_subgraphs == 1
    out = str(tmp_path / "model.tflite")
    info = ModelInfo(name=f"sst2 {family}", version="3", description="sentiment", author="tests", licence="MIT")
    write_metadata(plain, out, tokenizer=clf.tokenizer, labels=clf.labels, info=info)

    # No app-side lowercasing: the packed case variants must cover sentence case and UPPER words.
    got = mediapipe_scores(out, texts)
    expected = _keras_scores(clf, texts)
    assert len(texts) >= 50
    assert np.max(np.abs(got - expected)) <= ATOL
    np.testing.assert_array_equal(got.argmax(1), expected.argmax(1))

    meta = json.loads(read_metadata(out))
    assert (meta["name"], meta["version"], meta["author"], meta["license"]) == (f"sst2 {family}", "3", "tests", "MIT")
    assert meta["min_parser_version"] == "1.2.1"  # regex tokenizer: computed by our shim
    assert read_associated_file(out, "labels.txt").decode().split() == clf.labels.labels


def test_non_ascii_words_agree_with_mediapipe(tmp_path):
    # RE2's \w is ASCII-only; we write [^\pL\pN_']+ so accented and CJK words stay whole as in Python.
    texts = ["un café très naïve", "Café CRÈME au lait", "我喜欢吃苹果 and apples", "a café, a naïve film",
             "Ünïcödé everywhere", "日本語のテキスト ok"]
    tok = WordTokenizer.fit(texts)
    model = keras.Sequential([keras.Input((None,), dtype="int32", name="input_ids"),
                              keras.layers.Embedding(tok.vocab_size, 8, mask_zero=True),
                              keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(3, activation="softmax")])
    convert(model, str(tmp_path / "m.tflite"), seq_len=16, latency_threads=())
    write_metadata(str(tmp_path / "m.tflite"), tokenizer=tok, labels=["a", "b", "c"])
    assert "café" in tok.tokenize("Café CRÈME") and "crème" in tok.tokenize("Café CRÈME")
    got = mediapipe_scores(str(tmp_path / "m.tflite"), texts)
    expected = np.asarray(model.predict(tok.encode(texts, 16), verbose=0))
    assert np.max(np.abs(got - expected)) <= ATOL


def test_char_tokenizer_needs_app_side_cjk_spacing(tmp_path):
    src = shared_data("zh_sentiment", "train.tsv")
    train = read_classification(write_slice(src, str(tmp_path / "zh.tsv"), 1500))
    clf = _train(train, "awe", tokenizer="char")
    texts = _sentences(src, 60, start=5000, long_enough=lambda t: len(t) >= 8)
    plain, out = str(tmp_path / "plain.tflite"), str(tmp_path / "model.tflite")
    clf.export(plain, sample_texts=texts, single_subgraph=True, latency_threads=())
    write_metadata(plain, out, tokenizer=clf.tokenizer, labels=clf.labels)
    expected = _keras_scores(clf, texts)

    # MediaPipe's regex tokenizer keeps a CJK run as one word: raw Chinese text gets other ids.
    raw = mediapipe_scores(out, texts)
    assert np.mean(np.max(np.abs(raw - expected), axis=1) > ATOL) > 0.9
    # What tflite/README.md tells apps to do: lowercase + spaces around CJK characters.
    got = mediapipe_scores(out, texts, prepare=app_prepare(clf.tokenizer))
    assert np.max(np.abs(got - expected)) <= ATOL
    np.testing.assert_array_equal(got.argmax(1), expected.argmax(1))


def test_while_loop_model_is_refused_with_advice(tmp_path):
    tok = WordTokenizer.fit(["a good film", "a bad film"])
    from keras_slm.models import build_classifier

    path = str(tmp_path / "loop.tflite")
    convert(build_classifier("lstm", tok.vocab_size, 2), path, seq_len=8, latency_threads=())
    with pytest.raises(ExportError, match="single_subgraph=True"):
        write_metadata(path, tokenizer=tok, labels=["neg", "pos"])


def _bert_model(vocab_size, num_classes=None):
    ids = keras.Input((None,), dtype="int32", name="input_word_ids")
    mask = keras.Input((None,), dtype="int32", name="input_mask")
    types = keras.Input((None,), dtype="int32", name="input_type_ids")
    x = keras.layers.Embedding(vocab_size, 16)(ids) + keras.layers.Embedding(2, 16)(types)
    m = keras.ops.cast(keras.ops.expand_dims(mask, -1), "float32")
    x = keras.ops.sum(x * m, axis=1) / keras.ops.sum(m, axis=1)
    out = keras.layers.Dense(num_classes, activation="softmax")(keras.layers.Dense(16, activation="tanh")(x))
    return keras.Model([ids, mask, types], out)


def test_bert_tokenizer_metadata_matches_keras_hub_wordpiece(sst2, tmp_path):
    import keras_hub
    import tensorflow as tf

    train, texts = sst2
    vocab = keras_hub.tokenizers.compute_word_piece_vocabulary(
        tf.data.Dataset.from_tensor_slices(train.texts[:1000]), vocabulary_size=800, lowercase=True, reserved_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    vocab_path = tmp_path / "vocab.txt"
    vocab_path.write_text("".join(f"{t}\n" for t in vocab), encoding="utf-8")
    wordpiece = keras_hub.tokenizers.WordPieceTokenizer(vocabulary=vocab, lowercase=True)
    model = _bert_model(len(vocab), num_classes=2)
    seq_len = 24

    pieces = [list(map(int, p)) for p in wordpiece(texts)]  # keras-hub's own tokenizer gives the reference ids
    ids = np.zeros((len(texts), seq_len), np.int32)
    for row, p in zip(ids, pieces):
        row[: min(len(p), seq_len - 2) + 2] = [2] + p[: seq_len - 2] + [3]  # [CLS] ... [SEP]

    path = str(tmp_path / "bert.tflite")
    convert(model, path, seq_len=seq_len, latency_threads=())
    write_metadata(path, bert_vocab=str(vocab_path), labels=["negative", "positive"])
    assert json.loads(read_metadata(path))["min_parser_version"] == "1.1.0"
    got = mediapipe_scores(path, texts)
    expected = model.predict([ids, (ids > 0).astype(np.int32), np.zeros_like(ids)], verbose=0)
    assert np.max(np.abs(got - expected)) <= ATOL


def test_embedder_metadata_loads_in_mediapipe_text_embedder(sst2, tmp_path):
    from mediapipe.tasks.python.core import base_options
    from mediapipe.tasks.python.text import text_embedder

    train, texts = sst2
    tok = WordTokenizer.fit(train.texts, max_size=2000)
    inputs = keras.Input((None,), dtype="int32", name="input_ids")
    x = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(tok.vocab_size, 16, mask_zero=True)(inputs))
    model = keras.Model(inputs, keras.layers.UnitNormalization()(keras.layers.Dense(12)(x)))
    path = str(tmp_path / "embedder.tflite")
    convert(model, path, seq_len=SEQ_LEN, latency_threads=())
    write_metadata(path, tokenizer=tok, info=ModelInfo(name="embedder"))

    options = text_embedder.TextEmbedderOptions(base_options=base_options.BaseOptions(model_asset_path=path))
    with text_embedder.TextEmbedder.create_from_options(options) as embedder:
        got = np.asarray([embedder.embed(t).embeddings[0].embedding for t in texts])
    expected = np.asarray(model.predict(tok.encode(texts, SEQ_LEN), verbose=0))
    assert got.shape == expected.shape == (len(texts), 12)
    assert np.max(np.abs(got - expected)) <= ATOL


def test_shim_parser_version_follows_schema_members():
    from mediapipe.tasks.metadata import metadata_schema_py_generated as fb

    import flatbuffers

    def version(subgraph):
        model = fb.ModelMetadataT()
        model.subgraphMetadata = [subgraph]
        b = flatbuffers.Builder(0)
        b.Finish(model.Pack(b), b"M001")
        return minimum_parser_version(b.Output())

    assert version(fb.SubGraphMetadataT()) == "1.0.0"
    tensor = fb.TensorMetadataT()
    vocab = fb.AssociatedFileT()
    vocab.type = fb.AssociatedFileType.VOCABULARY
    tensor.associatedFiles = [vocab]
    subgraph = fb.SubGraphMetadataT()
    subgraph.inputTensorMetadata = [tensor]
    assert version(subgraph) == "1.0.1"
    subgraph.outputTensorGroups = [fb.TensorGroupT()]
    assert version(subgraph) == "1.2.0"
    subgraph.customMetadata = [fb.CustomMetadataT()]
    assert version(subgraph) == "1.5.0"
    with pytest.raises(ValueError, match="not a valid"):
        minimum_parser_version(b"\x00" * 16)
