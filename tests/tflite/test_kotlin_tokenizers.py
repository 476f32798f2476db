"""The Kotlin reference code in tflite/kotlin, compiled and run on the JVM against golden files.

tflite/check_kotlin.sh installs Debian's kotlin when kotlinc is missing (CI runs as root
with apt), compiles the sources once (cached by hash) and replays every golden file.
References: our Python Word/Char tokenizers, keras-hub's WordPieceTokenizer (the BERT
uncased pipeline), numpy softmax/top-k and seqeval's entity extraction.
"""

import json
import os
import random
import shutil
import subprocess

import numpy as np
import pytest

from keras_slm.export.golden import golden_document, write_json, write_tokenizer_golden
from keras_slm.text import CharTokenizer, WordTokenizer
from tests.conftest import REPO, shared_data

CHECK = os.path.join(REPO, "tflite", "check_kotlin.sh")
N = 200  # sentences per tokenizer

# Hand-picked edge cases on top of the real sentences: case, accents, apostrophes, digits,
# full-width forms, CJK punctuation, emoji, zero-width and non-breaking spaces.
TRICKY = [
    "It's A GREAT film, isn't it?!", "Café CRÈME, naïve façade — déjà vu", "ÉCOLE élève Ünïcödé",
    "iPhone 13很好用！", "我喜欢吃苹果，你呢？", "ＦＵＬＬ－ｗｉｄｔｈ ｔｅｘｔ １２３", "emoji 😀 test 👍🏽 ok",
    "zero\u200bwidth and\u00a0nbsp", "tabs\tand\nnewlines", "under_score snake_case_name", "'quoted' ''double''",
    "1,000.50 dollars 3.14", "Straße STRASSE", "ΟΔΟΣ λόγος", "日本語のテキストです。カタカナ", "한국어 텍스트", "",
]


def _texts(path, n, start=0):
    with open(path, encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t")[0] for line in f.readlines()[1 + start :]]
    return [t for t in dict.fromkeys(rows) if t.strip()][:n]


def _run_check(*paths):
    if shutil.which("kotlinc") is None and (shutil.which("apt-get") is None or os.geteuid() != 0):
        if os.environ.get("CI"):
            pytest.fail("kotlinc is missing and cannot be installed (needs apt-get as root)")
        pytest.skip("kotlinc missing and apt-get (as root) unavailable")
    if shutil.which("java") is None and shutil.which("kotlinc") is not None:
        pytest.skip("no JDK")
    proc = subprocess.run(["bash", CHECK, *map(str, paths)], capture_output=True, text=True, timeout=900)
    result = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert result, f"check_kotlin.sh exited {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc, json.loads(result[-1][len("RESULT "):])


@pytest.fixture(scope="module")
def goldens(tmp_path_factory):
    root = tmp_path_factory.mktemp("kotlin")
    en = _texts(shared_data("sst2", "train.tsv"), 4000)
    zh = _texts(shared_data("zh_sentiment", "train.tsv"), 4000)
    en_test, zh_test = en[-N:] + TRICKY, zh[-N:] + TRICKY

    # Word tokenizer (English), char tokenizer (Chinese): vocabularies learnt on other rows.
    for name, cls, train, test in (("word", WordTokenizer, en[:-N], en_test), ("char", CharTokenizer, zh[:-N], zh_test)):
        folder = root / name
        tok = cls.fit(train, max_size=5000)
        tok.save(str(folder))
        write_tokenizer_golden(str(folder / "golden.json"), tok, test, seq_len=48)

    # WordPiece: a vocabulary learnt from both languages, keras-hub's tokenizer as reference.
    import keras_hub
    import tensorflow as tf

    reserved = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab = keras_hub.tokenizers.compute_word_piece_vocabulary(
        tf.data.Dataset.from_tensor_slices(en[:1500] + zh[:1500]), vocabulary_size=3000, lowercase=True,
        strip_accents=True, reserved_tokens=reserved)
    wp_test = en_test[:N // 2] + zh_test[:N // 2] + TRICKY
    # BERT uncased (lowercase + strip accents), and lowercase keeping accents (keras-hub's default).
    for name, strip, test in (("wordpiece", True, wp_test), ("wordpiece_accents", False, wp_test[:40] + TRICKY)):
        folder = root / name
        folder.mkdir()
        (folder / "vocab.txt").write_text("".join(f"{t}\n" for t in vocab), encoding="utf-8")
        reference = keras_hub.tokenizers.WordPieceTokenizer(
            vocabulary=vocab, lowercase=True, strip_accents=strip, split_on_cjk=True, dtype="string")
        pieces = [[p.decode() if isinstance(p, bytes) else str(p) for p in row] for row in reference(test)]
        index = {t: i for i, t in enumerate(vocab)}
        cases = [{"text": t, "tokens": p, "ids": [index[x] for x in p]} for t, p in zip(test, pieces)]
        config = {"kind": "wordpiece", "lowercase": True, "strip_accents": strip, "split_on_cjk": True,
                  "vocab_file": "vocab.txt"}
        write_json(str(folder / "golden.json"), golden_document(config, cases))
    return root


def _postprocess_golden(path):
    from seqeval.metrics.sequence_labeling import get_entities

    rng = np.random.default_rng(0)
    softmax = []
    for n in (2, 3, 5, 20):
        for scale in (0.1, 1.0, 30.0):
            logits = (rng.normal(size=n) * scale).astype(np.float32)
            e = np.exp(logits.astype(np.float64) - logits.max())
            softmax.append({"logits": logits.tolist(), "probabilities": (e / e.sum()).tolist()})
    top_k = []
    for _ in range(30):
        scores = rng.random(int(rng.integers(2, 12))).round(2).astype(np.float32)  # rounding makes ties
        k = int(rng.integers(1, len(scores) + 1))
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]
        top_k.append({"scores": scores.tolist(), "k": k, "indices": order})
    tags = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "E-LOC", "S-ORG", "I-ORG"]
    rand = random.Random(0)
    entities = []
    for _ in range(300):
        ids = [rand.choice([0, 0, 0] + list(range(len(tags)))) for _ in range(rand.randint(0, 15))]
        spans = [list(s) for s in get_entities([tags[i] for i in ids])]
        entities.append({"tag_ids": ids, "spans": spans})
    argmax_rows = []
    for _ in range(10):
        scores = rng.normal(size=(7, len(tags))).astype(np.float32)
        argmax_rows.append({"scores": scores.ravel().tolist(), "num_tags": len(tags), "tag_ids": scores.argmax(1).tolist()})
    q = rng.integers(-128, 128, size=10)
    dequantize = [{"values": q.tolist(), "scale": 0.00390625, "zero_point": -128, "floats": ((q + 128) * 0.00390625).tolist()}]
    doc = {"format": "keras-slm-postprocess", "tags": tags, "softmax": softmax, "top_k": top_k,
           "entities": entities, "argmax_rows": argmax_rows, "dequantize": dequantize}
    write_json(str(path), doc)
    return doc


def test_kotlin_reproduces_golden_token_ids_and_postprocessing(goldens):
    post = _postprocess_golden(goldens / "postprocess.json")
    proc, result = _run_check(goldens)
    per_file = {os.path.relpath(f["file"], str(goldens)): f for f in result["files"]}
    assert result["failed"] == 0, proc.stdout[-4000:]
    for kind in ("word", "char", "wordpiece"):
        assert per_file[f"{kind}/golden.json"]["cases"] >= N, per_file
    n_post = sum(len(post[k]) for k in ("softmax", "top_k", "entities", "argmax_rows", "dequantize"))
    assert per_file["postprocess.json"]["cases"] == n_post


def test_kotlin_check_reports_a_wrong_id(goldens, tmp_path):
    # The check must be able to fail: corrupt one id and expect a FAIL line naming the text.
    folder = tmp_path / "broken"
    shutil.copytree(goldens / "word", folder)
    doc = json.loads((folder / "golden.json").read_text(encoding="utf-8"))
    doc["cases"][3]["ids"][1] = 2 if doc["cases"][3]["ids"][1] != 2 else 3
    (folder / "golden.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    proc, result = _run_check(folder / "golden.json")
    assert proc.returncode == 1 and result["failed"] == 1
    assert "FAIL" in proc.stdout and json.dumps(doc["cases"][3]["text"], ensure_ascii=False)[1:-1][:20] in proc.stdout
