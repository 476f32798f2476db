"""The generated section of BENCHMARKS.md: tables, machine, date, command and wall time of a suite.

`update_section` replaces only the text between `<!-- suite:NAME:start -->` and
`<!-- suite:NAME:end -->` (appending a new section with those markers when absent), so the
hand-written parts of BENCHMARKS.md stay as they are.
"""

import os
import re

from keras_slm import files

MODES = ("none", "dynamic", "float16", "int8")
TASK_TITLES = {"classification": "Classification", "ner": "NER", "lm": "Language model"}


METHOD = (
    "Method: classifiers are trained by `keras_slm.training.train_classifier` (the tiny transformer by "
    "`train_transformer_classifier`), 10% of the training rows held out for early stopping and the best "
    "epoch kept; taggers by `train_tagger` (best dev F1), the LM by `train_lm`. Every TFLite file comes from "
    "the model's `export()` (`keras_slm.export.convert`: builtin ops only, `[1, length]` input, RNNs unrolled "
    "for int8, calibrated on seeded random training texts) and its `ExportReport` gives the file's metric on the "
    "same test rows as Keras, size, agreement with Keras and latency: median / p90 of 200 `invoke()` calls "
    "after 20 warm-ups in LiteRT at 1 and 2 threads. The LM's metric is nats per character stepped through the "
    "Keras step model and each file alike. `awe` is MediaPipe Model Maker's average-word-embedding "
    "classifier (Model Maker itself pins TF < 2.16; ours masks padding out of the average). Keras' default "
    "export is `model.export(format=\"litert\")` of the same trained model, run in TensorFlow's interpreter "
    "when it can run at all. TF-IDF + logistic regression (scikit-learn; word 1-2 grams, character 1-3 grams "
    "for Chinese) is timed as one `predict` call per text in Python, its size is the pickled pipeline."
)


def _kib(n):
    return f"{n / 1024:,.0f} KiB" if n is not None else "-"


def _lat(latency, threads):
    t = (latency or {}).get(str(threads))
    return f"{t['median_ms']:.3f} / {t['p90_ms']:.3f}" if t else "-"


def _num(x, digits=3):
    return "-" if x is None else f"{x:.{digits}f}"


def _minutes(seconds):
    return f"{seconds:,.0f} s ({seconds / 60:.1f} min)"


def header(results, plots_prefix):
    m = results["machine"]
    load = results.get("load_average", {})
    steps = ", ".join(f"{s['task']}/{s['name']} {s['wall_s']:,.0f} s" for s in results["steps"])
    commits = sorted({s["git"] for s in results["steps"] + results.get("earlier_steps", []) if s.get("git")})
    lines = [
        f"Command: `{results['command']}`. Results: `{results.get('results_file', 'suite_' + results['suite'] + '.json')}`; "
        f"plots: `{plots_prefix}*.png`.",
        f"Date: {results['date']} (started {results['started_utc']}). Machine: {m['cpu']}, {m['cores']} CPU cores, "
        f"{m['memory']}, {m['platform']}; Python {m['python']}, TensorFlow {m['tensorflow']}, Keras {m['keras']}, "
        f"ai-edge-litert {m['ai_edge_litert']}; {m['gpu']}.",
        f"Wall time: **{_minutes(results.get('wall_time_s', 0))}** in all ({steps}); process CPU time "
        f"{_minutes(results.get('cpu_time_s', 0))}. Load average (1 min) while it ran: mean "
        f"{load.get('mean_1min', '-')}, max {load.get('max_1min', '-')} ({load.get('note', '')}); "
        "on a shared machine wall times and latency p90s are upper bounds.",
    ]
    if commits:
        lines.append(f"Library code: commit {', '.join(commits)}.")
    if results.get("command_note"):
        lines.append(f"{results['command_note']}.")
    if results.get("earlier_steps"):
        lines.append("Merged from earlier runs of this suite: " + ", ".join(
            f"{s['task']}/{s['name']} ({s['wall_s']:,.0f} s)" for s in results["earlier_steps"]) + ".")
        every = results["steps"] + results["earlier_steps"]
        lines.append(f"Whole suite ({len(every)} steps, each step's latest run): **"
                     f"{_minutes(sum(s['wall_s'] for s in every))}** wall, {_minutes(sum(s.get('cpu_s', 0) for s in every))} "
                     f"process CPU time, in {len(results.get('earlier_runs', [])) + 1} invocations.")
    if results.get("not_run"):
        lines.append("**Not run yet:** " + ", ".join(results["not_run"]) + ".")
    lines.append("Errors: " + ("; ".join(results["errors"]) if results.get("errors") else "none") + ".")
    return lines


def _data_line(task, name, r):
    d, s = r["data"], r["settings"]
    if task == "classification":
        return (f"{d['train_rows']:,} training rows (validation: {d['val_rows']}), {d['test_rows']:,} test rows; "
                f"{s['tokenizer']} tokens, length {s['seq_len']}, at most {s['epochs']} epoch{'s' if s['epochs'] > 1 else ''}.")
    if task == "ner":
        return (f"{d['train_sentences']:,} / {d['dev_sentences']:,} / {d['test_sentences']:,} train / dev / test "
                f"sentences, length {s['seq_len']}, at most {s['epochs']} epoch{'s' if s['epochs'] > 1 else ''}; entity F1 on test.")
    return (f"{d['train_chars']:,} training characters, metric over the first {d['eval_chars']:,} held-out "
            f"characters (lower is better), at most {s['epochs']} epoch{'s' if s['epochs'] > 1 else ''}.")


def model_table(task, r):
    lower = not r["higher_is_better"]
    unit = "nats" if lower else "pts"
    lines = [
        f"| model | params | train s | Keras {r['metric']} | TFLite mode | TFLite {r['metric']} | drop ({unit}) | size "
        "| of float | agreement | latency ms 1 thr (median / p90) | 2 thr |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, m in r["models"].items():
        first = True
        for mode in MODES:
            e = m["exports"].get(mode)
            if e is None:
                continue
            lead = (f"| {m['label']} | {m['params']:,} | {m['train_time_s']:,.0f} | {_num(m['keras_metric'])} "
                    if first else "| | | | ")
            first = False
            if "error" in e:
                lines.append(lead + f"| {mode} | {e['error'][:120]} | | | | | | |")
                continue
            drop = e.get("drop_nats", e.get("drop_points"))
            lines.append(
                lead + f"| {mode} | {_num(e['metric'])} | {drop:+.{3 if lower else 1}f} | {_kib(e['size_bytes'])} | "
                f"{e.get('size_ratio', 1) * 100:.0f}% | {_num(e.get('argmax_agreement'))} | {_lat(e['latency'], 1)} | "
                f"{_lat(e['latency'], 2)} |")
    tfidf = r["baselines"].get("tfidf_logreg")
    if tfidf:
        lines.append(
            f"| {tfidf['label']} | {tfidf['params']:,} | {tfidf['train_time_s']:,.0f} | {_num(tfidf['metric'])} | "
            f"(pickle) | | | {_kib(tfidf['pickle_bytes'])} | | | {_lat({'1': tfidf['latency_1_text']}, 1)} | |")
    return lines


def keras_default_table(r):
    defaults = r["baselines"].get("keras_default_export")
    if not defaults:
        return []
    lines = [
        "",
        "Keras' default `model.export(format=\"litert\")` of the same trained models, against ours (float):",
        "",
        "| family | ops needing Flex (Keras default) | runs without Flex: Keras / ours | size: Keras / ours "
        "| latency ms 1 thr: Keras / ours |",
        "|---|---|---|---|---|",
    ]
    for family, d in defaults.items():
        ours = r["models"][family]["exports"].get("none", {})
        runs = d.get("runs_without_flex_delegate", True)
        theirs = f"{d['latency_1_thread']['median_ms']:.3f}" if runs and "latency_1_thread" in d else "cannot run"
        ours_lat = ours.get("latency", {}).get("1", {}).get("median_ms")
        lines.append(
            f"| {family} | {', '.join(d['flex_ops']) or 'none'} | {'yes' if runs else 'NO'} / "
            f"{'yes' if ours.get('android_compatible') else 'NO'} | {_kib(d['size_bytes'])} / {_kib(ours.get('size_bytes'))} | "
            f"{theirs} / {_num(ours_lat)} |")
    return lines


def summary(task, name, r):
    """One line: the best file, the smallest file within 1 point of it, and the TF-IDF reference."""
    better = (lambda a, b: a > b) if r["higher_is_better"] else (lambda a, b: a < b)
    files_ = [(m["label"], mode, e) for m in r["models"].values() for mode, e in m["exports"].items() if "metric" in e]
    if not files_:
        return None
    best = files_[0]
    for f in files_[1:]:
        if better(f[2]["metric"], best[2]["metric"]):
            best = f
    text = (f"**{name}**: best file {best[0]} / {best[1]}: {best[2]['metric']:.3f} {r['metric']}, "
            f"{_kib(best[2]['size_bytes'])}, {_lat(best[2]['latency'], 1).split(' /')[0]} ms")
    if task != "lm":
        close = [f for f in files_ if abs(f[2]["metric"] - best[2]["metric"]) <= 0.01]
        small = min(close, key=lambda f: f[2]["size_bytes"])
        text += (f"; smallest within 1 point: {small[0]} / {small[1]}: {small[2]['metric']:.3f}, "
                 f"{_kib(small[2]['size_bytes'])}, {_lat(small[2]['latency'], 1).split(' /')[0]} ms")
    tfidf = r["baselines"].get("tfidf_logreg")
    if tfidf:
        text += f"; TF-IDF + logistic regression {tfidf['metric']:.3f}"
    return text + "."


def render(results, plots):
    """Markdown for a suite's results; `plots` maps plot names to paths relative to BENCHMARKS.md."""
    prefix = os.path.commonprefix(list(plots.values())) if plots else "benchmarks/plots/"
    lines = header(results, prefix) + ["", METHOD, ""]
    summaries = [summary(t, n, r) for t in TASK_TITLES for n, r in results.get(t, {}).items()]
    lines += [f"- {s}" for s in summaries if s] + [""]
    for task, title in TASK_TITLES.items():
        for name, r in results.get(task, {}).items():
            lines += [f"#### {title}: {name}", "", _data_line(task, name, r), ""]
            lines += model_table(task, r) + keras_default_table(r) + [""]
    if plots:
        lines += ["Plots: " + ", ".join(f"[{name}]({path})" for name, path in plots.items()) + ".", ""]
        lines += [f"![{name}]({path})" for name, path in plots.items()] + [""]
    return "\n".join(lines).rstrip() + "\n"


def update_section(path, suite, text, title=None):
    """Replaces the `suite:<suite>` marked section of `path` with `text` (appends it when absent)."""
    start, end = f"<!-- suite:{suite}:start -->", f"<!-- suite:{suite}:end -->"
    with open(path, encoding="utf-8") as f:
        content = f.read()
    block = f"{start}\n{text.rstrip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(content):
        content = pattern.sub(lambda _: block, content, count=1)
    else:
        heading = title or f"## Benchmark suite: `{suite}`"
        content = content.rstrip("\n") + f"\n\n{heading}\n\n{block}\n"
    files.write_text_atomic(path, content)
    return content
