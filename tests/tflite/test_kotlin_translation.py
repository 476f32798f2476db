"""Translation on the Kotlin side: `keras-slm export DIR --target android` golden vectors replayed on the JVM.

The JVM cannot run LiteRT, so tflite/check_kotlin.sh checks the three halves an app writes:
the source tokenizer (CharTokenizer: text -> tokens -> ids), the greedy loop (GreedyDecoder fed
the decode steps Python recorded while driving the .tflite file: what it feeds each step, when
it stops, which id it picks) and the target side (SubwordTokenizer: ids -> English, English -> ids).
"""

import json
import os
import shutil

import pytest

from keras_slm.cli import main
from keras_slm.data.translation import read_parallel
from keras_slm.models.seq2seq_transformer import transformer_seq2seq
from keras_slm.tasks.translation import Translator
from tests.harness import assert_builtin_only
from tests.tasks.test_translation import _short_pairs
from tests.tflite.test_kotlin_tokenizers import _run_check


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """{"lstm": dir, "transformer": dir} and the source sentences file (--samples)."""
    root = tmp_path_factory.mktemp("translation_android")
    header, rows = _short_pairs(60)
    path = str(root / "pairs.tsv")
    with open(path, "w", encoding="utf-8") as f:
        f.write(header)
        f.writelines(rows)
    data = read_parallel(path)
    # Trained as a user would: the CLI also writes calibration.txt, which `export` reads.
    assert main(["train", "--task", "translation", "--data", path, "--model", "lstm_attention", "--out",
                 str(root / "lstm"), "--source-vocab", "500", "--target-vocab", "300", "--units", "16",
                 "--embedding-dim", "16", "--epochs", "30", "--lr", "0.02", "--label-smoothing", "0",
                 "--patience", "100"]) == 0
    lstm = Translator.load(str(root / "lstm"))
    exports = json.load(open(root / "lstm" / "metrics.json", encoding="utf-8"))["exports"]
    assert exports["none"]["path"] == str(root / "lstm" / "model.tflite")  # the final place, not the staging folder
    # An untrained transformer: its greedy outputs run to the window's end (the loop's length limit).
    transformer = Translator(transformer_seq2seq(lstm.source_tokenizer.vocab_size, lstm.target_tokenizer.vocab_size,
                                                 lstm.source_len, 8, num_layers=1, hidden_dim=16, num_heads=2,
                                                 intermediate_dim=32), lstm.source_tokenizer, lstm.target_tokenizer,
                             "transformer", lstm.source_len, 8)
    transformer.save(str(root / "transformer"))
    samples = root / "samples.txt"
    # Real sentences plus text the tokenizers must agree on: Latin words, digits, unknown characters.
    extra = ["iPhone 13很好用！", "我們走吧。", "ＡＢＣ 123 你好", "𠀋字"]
    samples.write_text("".join(f"{t}\n" for t in data.sources + extra), encoding="utf-8")
    return {"lstm": str(root / "lstm"), "transformer": str(root / "transformer")}, str(samples), data


@pytest.fixture(scope="module")
def folders(models, tmp_path_factory):
    dirs, samples, _ = models
    out = {}
    for kind, directory in dirs.items():
        folder = str(tmp_path_factory.mktemp(f"android_{kind}"))
        assert main(["export", directory, "--target", "android", "--out", folder, "--samples", samples,
                     "--golden", "40"]) == 0
        out[kind] = folder
    return out


def test_android_folder_holds_the_file_vocabularies_and_golden_cases_from_the_file(models, folders):
    dirs, _, _ = models
    for kind, folder in folders.items():
        assert sorted(os.listdir(folder)) == ["golden.json", "model.json", "model.tflite", "source_vocab.txt",
                                              "target_vocab.txt"]
        assert_builtin_only(os.path.join(folder, "model.tflite"))
        info = json.loads(open(os.path.join(folder, "model.json"), encoding="utf-8").read())
        golden = json.loads(open(os.path.join(folder, "golden.json"), encoding="utf-8").read())
        assert info["decoder"] == golden["decoder"] == ("lstm" if kind == "lstm" else "transformer")
        assert sorted(info["signatures"]) == ["decode", "encode"]
        assert len(golden["cases"]) == 40 and golden["keras_identical"] == {"n": 40, "identical": 40}
        keras = Translator.load(dirs[kind])
        for case in golden["cases"][:10]:
            assert case["output_ids"] == keras.translate_ids(case["text"])
            assert case["translation"] == keras.detokenize(case["output_ids"])
            assert len(case["steps"]) == len(case["output_ids"]) + (len(case["output_ids"]) < info["max_tokens"])
        if kind == "transformer":  # untrained: runs to the window's end, T - 1 tokens
            assert any(len(c["output_ids"]) == info["target_len"] - 1 for c in golden["cases"])


def test_kotlin_replays_source_ids_greedy_loop_and_english_text(folders):
    proc, result = _run_check(*folders.values())
    assert result["failed"] == 0, proc.stdout[-4000:]
    assert [f["cases"] for f in result["files"]] == [40, 40], result
    assert "[translation]" in proc.stdout


def test_kotlin_subword_tokenizer_matches_python_both_ways(tmp_path):
    """English -> WordPiece tokens -> ids and ids -> English on 200 real dev sentences and edge cases."""
    from keras_slm.export.golden import golden_document, write_json
    from keras_slm.text import SubwordTokenizer
    from tests.conftest import shared_data

    with open(shared_data("tatoeba_zh_en", "train.tsv"), encoding="utf-8") as f:
        train = [line.split("\t")[1] for line in f.readlines()[1:3001]]
    with open(shared_data("tatoeba_zh_en", "dev.tsv"), encoding="utf-8") as f:
        dev = [line.split("\t")[1] for line in f.readlines()[1:201]]
    tok = SubwordTokenizer.fit(train, vocab_size=1500)
    tricky = ["What're   you\tsaying?", "CAFÉ naïve Zoë", "x" * 101 + " ok", "1,000.50 dollars", "emoji 😀👍🏽 ok",
              "nbsp\u00a0and\u3000ideographic\u2028line", "[UNK] [CLS] ## ##a", "日本語 Ünïcödé", ""]
    cases = []
    for text in dev + tricky:
        tokens = tok.tokenize(text)
        ids = [tok.token_to_id(t) for t in tokens]
        cases.append({"text": text, "tokens": tokens, "ids": ids, "detokenized": tok.detokenize(ids)})
    assert any("[UNK]" in c["tokens"] for c in cases) and any(c["detokenized"] != c["text"] for c in cases)
    tok.save(str(tmp_path))
    config = {"kind": "subword", "lowercase": False, "vocab_file": "vocab.txt"}
    write_json(str(tmp_path / "golden.json"), golden_document(config, cases))
    proc, result = _run_check(tmp_path / "golden.json")
    assert result["failed"] == 0 and result["cases"] == len(dev) + len(tricky), proc.stdout[-4000:]


def test_kotlin_check_fails_when_a_step_would_pick_another_token(folders, tmp_path):
    # Raise the runner-up above the recorded choice in one step: the loop must then write another id.
    folder = tmp_path / "broken"
    shutil.copytree(folders["lstm"], folder)
    doc = json.loads((folder / "golden.json").read_text(encoding="utf-8"))
    case = next(c for c in doc["cases"] if len(c["steps"]) >= 2)
    top = case["steps"][0]["top"]
    blocked = set(doc["blocked_ids"])
    runner_up = next(i for i, (token, _) in enumerate(top) if token not in blocked and token != case["output_ids"][0])
    top[runner_up][1] = top[0][1] + 1.0
    (folder / "golden.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    proc, result = _run_check(folder)
    assert proc.returncode == 1 and result["failed"] == 1
    assert "FAIL" in proc.stdout and case["text"][:10] in proc.stdout


def test_export_writes_a_quantized_file_into_the_directory(models, capsys):
    dirs, _, data = models
    directory = dirs["lstm"]
    calibration = open(os.path.join(directory, "calibration.txt"), encoding="utf-8").read().splitlines()
    # Sentences from calibration.txt; --eval scores the new file on a parallel file.
    assert main(["export", directory, "--quantize", "dynamic", "--eval", data.path, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["eval"]["n"] == len(data) and 0 <= report["eval"]["bleu"] <= 100
    path = os.path.join(directory, "model_dynamic.tflite")
    assert report["path"] == path and report["quantize"] == "dynamic" and report["android_compatible"]
    assert_builtin_only(path)
    assert report["parity"]["n"] == len(set(calibration))
    lite = Translator.load(path)
    assert lite.is_tflite and len(lite.translate(calibration[:3])) == 3


def test_export_without_sentences_names_the_directory(models, capsys):
    dirs, _, _ = models
    assert main(["export", dirs["transformer"], "--quantize", "dynamic"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and dirs["transformer"] in err[0] and "calibration.txt" in err[0] and "--samples" in err[0]
