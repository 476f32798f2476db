"""The benchmark suite machinery end to end on a tiny config: real models, real LiteRT files.

Runs `python benchmarks/run.py --config tiny.json` as a user would (one family, a 400-row
slice, a tiny character LM), then checks the results JSON, the regenerated section of a
Markdown file (hand-written text kept, section replaced in place on a second render) and
the plot files.
"""

import json
import os
import subprocess
import sys

from tests.conftest import REPO, SHARED_DATA, shared_data

HAND_WRITTEN = "# Benchmarks\n\nHand-written text that must stay.\n\n## Pruning\n\nAnother helper's section.\n"


def _run(args, tmp_path):
    proc = subprocess.run(
        [sys.executable, os.path.join(REPO, "benchmarks", "run.py"), *args], capture_output=True, text=True,
        timeout=300, cwd=tmp_path, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", KERAS_SLM_SHARED_DATA=SHARED_DATA),
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return proc


def test_tiny_suite_writes_json_markdown_and_plots(tmp_path):
    shared_data("trec6", "train.tsv")
    shared_data("tiny_shakespeare", "input.txt")
    config = tmp_path / "tiny.json"
    config.write_text(json.dumps({"name": "tiny", "steps": [
        {"task": "classification", "name": "trec6", "train": 400, "test": 100, "families": ["awe"],
         "transformer": None, "epochs": 1, "keras_default": True, "calibration": 50,
         "quantize": ["none", "dynamic"], "latency_runs": 20},
        {"task": "lm", "name": "tiny_shakespeare", "train_chars": 4000, "eval_chars": 100, "units": 16,
         "seq_len": 32, "epochs": 1, "latency_runs": 20},
    ]}))
    markdown = tmp_path / "BENCHMARKS.md"
    markdown.write_text(HAND_WRITTEN)
    out, plots = tmp_path / "suite_tiny.json", tmp_path / "plots"
    args = ["--config", str(config), "--out", str(out), "--markdown", str(markdown), "--plots-dir", str(plots),
            "--work", str(tmp_path / "work"), "--pruning", str(tmp_path / "absent.json")]
    _run(args, tmp_path)

    results = json.loads(out.read_text())
    assert results["suite"] == "tiny" and results["errors"] == [] and results["not_run"] == []
    assert results["wall_time_s"] > 0 and results["cpu_time_s"] > 0 and len(results["steps"]) == 2
    assert {"cpu", "cores", "tensorflow", "keras", "ai_edge_litert"} <= set(results["machine"])
    trec = results["classification"]["trec6"]
    assert trec["data"] == {"train_rows": 400, "val_rows": "10% of train", "test_rows": 100}
    awe = trec["models"]["awe"]
    assert "MediaPipe Model Maker" in awe["label"] and awe["params"] > 0 and awe["train_time_s"] > 0
    assert set(awe["exports"]) == {"none", "dynamic"}
    for mode, entry in awe["exports"].items():
        assert 0 <= entry["metric"] <= 1 and entry["size_bytes"] > 0 and entry["android_compatible"]
        assert set(entry["latency"]) == {"1", "2"}
        assert entry["latency"]["1"]["p90_ms"] >= entry["latency"]["1"]["median_ms"] > 0
        assert entry["drop_points"] == round((awe["keras_metric"] - entry["metric"]) * 100, 3)
    assert awe["exports"]["dynamic"]["size_ratio"] < 0.6  # int8 weights: about a quarter of the float file
    tfidf = trec["baselines"]["tfidf_logreg"]
    assert 0 < tfidf["metric"] <= 1 and tfidf["pickle_bytes"] > 0
    default = trec["baselines"]["keras_default_export"]["awe"]
    assert default["flex_ops"] == [] and default["runs_without_flex_delegate"] and default["size_bytes"] > 0
    lm = results["lm"]["tiny_shakespeare"]["models"]["char_lstm"]
    assert lm["keras_metric"] > 0 and set(lm["exports"]) == {"none", "dynamic", "float16", "int8"}
    assert abs(lm["exports"]["none"]["metric"] - lm["keras_metric"]) < 1e-3  # the float file steps like Keras
    assert "not supported" in lm["exports"]["int8"]["error"]

    text = markdown.read_text()
    assert text.startswith(HAND_WRITTEN.rstrip("\n"))
    assert text.count("<!-- suite:tiny:start -->") == 1 and text.count("<!-- suite:tiny:end -->") == 1
    section = text.split("<!-- suite:tiny:start -->")[1]
    for expected in ("Wall time:", "Machine:", "awe (MediaPipe Model Maker-style", "TF-IDF + logistic regression",
                     "Keras' default", "#### Language model: tiny_shakespeare", "plots/tiny_accuracy_vs_size.png"):
        assert expected in section, expected
    names = sorted(os.listdir(plots))
    assert names == ["tiny_accuracy_vs_size.png", "tiny_latency_vs_size.png", "tiny_quantization_drop.png"]
    for name in names:
        assert (plots / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # Re-rendering replaces the section in place; text added around it by others stays.
    markdown.write_text(text + "\n## Added later by someone else\n")
    _run(args + ["--report-only"], tmp_path)
    again = markdown.read_text()
    assert again.count("<!-- suite:tiny:start -->") == 1 and again.endswith("## Added later by someone else\n")


def test_suites_cover_every_family_and_the_issue_datasets():
    from benchmarks.suite.config import FAMILIES, SUITES

    quick = SUITES["quick"]
    assert {s["task"] for s in quick} == {"classification", "ner", "lm"}
    for step in (s for s in quick if s["task"] == "classification"):
        assert step["families"] == list(FAMILIES) and step["transformer"] and step["tfidf"]
        assert step["quantize"] == ["none", "dynamic", "float16", "int8"]
    assert any(s.get("keras_default") for s in quick)
    full = {(s["task"], s["name"]) for s in SUITES["full"]}
    assert full == {("classification", n) for n in ("sst2", "ag_news", "trec6", "sms_spam", "zh_sentiment")} | {
        ("ner", n) for n in ("wikiann_en", "wnut17", "resume_zh", "weibo_zh")} | {("lm", "tiny_shakespeare")}
    needed = {"classification": ("train.tsv",), "ner": ("train.txt", "dev.txt", "test.txt"), "lm": ("input.txt",)}
    for task, name in full:
        for filename in needed[task]:
            shared_data(name, filename)  # every step's files are where the suite reads them


def test_merged_runs_report_the_whole_suite_time():
    from benchmarks.suite.report import header

    machine = {k: "x" for k in ("cpu", "cores", "memory", "platform", "python", "tensorflow", "keras", "ai_edge_litert", "gpu")}
    results = {
        "suite": "full", "command": "python benchmarks/run.py --suite full --only b", "date": "d", "started_utc": "t",
        "machine": machine, "wall_time_s": 100.0, "cpu_time_s": 50.0, "errors": [],
        "steps": [{"task": "classification", "name": "b", "wall_s": 100.0, "cpu_s": 50.0}],
        "earlier_steps": [{"task": "ner", "name": "a", "wall_s": 300.0, "cpu_s": 200.0}],
        "earlier_runs": [{"command": "python benchmarks/run.py --suite full --only a"}],
    }
    text = "\n".join(header(results, "benchmarks/plots/full_"))
    assert "Merged from earlier runs of this suite: ner/a (300 s)." in text
    assert "Whole suite (2 steps, each step's latest run): **400 s (6.7 min)** wall, 250 s (4.2 min) process CPU time, in 2 invocations." in text
