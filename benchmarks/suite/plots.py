"""Matplotlib plots of a suite's results (PNG, written atomically), and the pruning sparsity curve.

- accuracy vs size: task metric of every TFLite file against its size, one panel per dataset
  (TF-IDF + logistic regression as a dashed line);
- latency vs size: 1-thread median latency against size;
- quantization drop: points lost by dynamic / float16 / int8 files against the Keras model;
- sparsity: held-out accuracy and gzip size against sparsity, from benchmarks/pruning.py's JSON.
"""

import json
import os

MODES = ("none", "dynamic", "float16", "int8")
MARKERS = {"none": "o", "dynamic": "s", "float16": "^", "int8": "D"}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path):
    from keras_slm import files

    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with files.atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
    _pyplot().close(fig)
    return path


def _panels(results):
    """[(title, result)] for datasets whose metric is higher-is-better (classification, NER)."""
    return [(f"{task}: {name}", r) for task in ("classification", "ner")
            for name, r in results.get(task, {}).items() if r.get("models")]


def _grid(plt, n):
    cols = min(n, 2)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(6.5 * cols, 4.5 * rows), squeeze=False, layout="constrained")
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def _scatter(results, path, y_of, ylabel, title, log_y=False):
    plt = _pyplot()
    panels = _panels(results)
    if not panels:
        return None
    fig, axes = _grid(plt, len(panels))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, (name, r) in zip(axes, panels):
        for i, model in enumerate(r["models"].values()):
            for mode in MODES:
                e = model["exports"].get(mode, {})
                if "size_bytes" not in e or y_of(e) is None:
                    continue
                ax.scatter(e["size_bytes"] / 1024, y_of(e), color=colors[i % len(colors)], marker=MARKERS[mode],
                           label=model["family"] if mode == "none" else None, s=40)
        tfidf = r["baselines"].get("tfidf_logreg")
        if tfidf and ylabel.startswith("held-out"):
            ax.axhline(tfidf["metric"], color="gray", linestyle="--", label="TF-IDF + LR")
        from matplotlib.ticker import FuncFormatter, LogFormatter

        axes_to_format = [ax.xaxis] + ([ax.yaxis] if log_y else [])
        ax.set_xscale("log")
        if log_y:
            ax.set_yscale("log")
        for axis in axes_to_format:  # plain numbers; minor labels only when under a decade is shown
            axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            axis.set_minor_formatter(LogFormatter(labelOnlyBase=False, minor_thresholds=(1, 0.5)))
        ax.set_xlabel("TFLite file size (KiB, log)")
        ax.set_ylabel(ylabel if r["metric"] == "accuracy" or not ylabel.startswith("held-out") else f"test {r['metric']}")
        ax.set_title(name)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, title="o none  s dynamic  ^ float16  D int8", title_fontsize=7)
    fig.suptitle(title)
    return _save(fig, path)


def accuracy_vs_size(results, path):
    return _scatter(results, path, lambda e: e["metric"], "held-out accuracy",
                    f"{results['suite']} suite: task metric vs file size")


def latency_vs_size(results, path):
    return _scatter(results, path, lambda e: (e.get("latency") or {}).get("1", {}).get("median_ms"),
                    "latency, 1 thread, median (ms, log)", f"{results['suite']} suite: latency vs file size", log_y=True)


def quantization_drop(results, path):
    plt = _pyplot()
    rows = [(f"{name}\n{model['family']}", model) for _, r in _panels(results) for name in [r["settings"]["name"]]
            for model in r["models"].values()]
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * len(rows) + 2), 4.5))
    width = 0.25
    for j, mode in enumerate(("dynamic", "float16", "int8")):
        xs, ys = [], []
        for i, (_, model) in enumerate(rows):
            e = model["exports"].get(mode, {})
            if "drop_points" in e:
                xs.append(i + (j - 1) * width)
                ys.append(e["drop_points"])
        ax.bar(xs, ys, width, label=mode)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(rows)), [label for label, _ in rows], fontsize=7, rotation=45, ha="right")
    ax.set_ylabel("points lost vs Keras (accuracy / entity F1)")
    ax.set_title(f"{results['suite']} suite: quantization drop (positive = worse than Keras)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend()
    return _save(fig, path)


def sparsity_curve(pruning_json, path):
    """Held-out accuracy and gzip size vs sparsity from benchmarks/pruning.py's JSON (None if absent)."""
    if not os.path.exists(pruning_json):
        return None
    with open(pruning_json, encoding="utf-8") as f:
        record = json.load(f)
    plt = _pyplot()
    fig, (acc_ax, size_ax) = plt.subplots(1, 2, figsize=(12, 4.5))
    try:
        for name, model in record["models"].items():
            rows = sorted(model["pruned"], key=lambda row: row["sparsity"])
            xs = [row["sparsity"] for row in rows]
            acc_ax.plot(xs, [row["heldout_keras"] for row in rows], marker="o", label=f"{name} Keras")
            for mode in rows[0]["exports"]:
                acc_ax.plot(xs, [row["exports"][mode]["heldout_tflite"] for row in rows], marker=MARKERS.get(mode, "x"),
                            linestyle=":", label=f"{name} TFLite {mode}")
                size_ax.plot(xs, [row["exports"][mode]["gzip_bytes"] / 1024 for row in rows],
                             marker=MARKERS.get(mode, "x"), label=f"{name} {mode} (gzip)")
    except (KeyError, IndexError, TypeError) as e:  # another script's format: say so, do not guess
        plt.close(fig)
        print(f"{pruning_json}: unexpected format ({e!r}); no sparsity plot")
        return None
    acc_ax.set_xlabel("sparsity")
    acc_ax.set_ylabel("held-out accuracy")
    size_ax.set_xlabel("sparsity")
    size_ax.set_ylabel("gzip-compressed .tflite (KiB)")
    for ax in (acc_ax, size_ax):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(f"Magnitude pruning on SST-2 ({os.path.basename(pruning_json)})")
    return _save(fig, path)


def write_all(results, plots_dir, pruning_json=None):
    """Writes every plot that has data; returns {name: path}."""
    suite = results["suite"]
    written = {
        "accuracy vs size": accuracy_vs_size(results, os.path.join(plots_dir, f"{suite}_accuracy_vs_size.png")),
        "latency vs size": latency_vs_size(results, os.path.join(plots_dir, f"{suite}_latency_vs_size.png")),
        "quantization drop": quantization_drop(results, os.path.join(plots_dir, f"{suite}_quantization_drop.png")),
    }
    if pruning_json:
        written["sparsity curve"] = sparsity_curve(pruning_json, os.path.join(plots_dir, "pruning_sparsity.png"))
    return {name: path for name, path in written.items() if path}
