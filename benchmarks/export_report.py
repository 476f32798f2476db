"""Renders benchmarks/results/export_matrix.json as the Markdown tables of BENCHMARKS.md.

Usage: python benchmarks/export_report.py [--results benchmarks/results/export_matrix.json]
Prints Markdown; paste it (or redirect it) into BENCHMARKS.md's export section.
"""

import argparse
import json

MODES = ("none", "dynamic", "float16", "int8")


def _kib(n):
    return f"{n / 1024:,.0f} KiB"


def _ms(latency, threads):
    entry = latency.get(str(threads)) if latency else None
    return f"{entry['median_ms']:.3f} / {entry['p90_ms']:.3f}" if entry else "-"


def _xnn(flag):
    return {True: "yes", False: "NO (builtin kernels)", None: "not recorded"}[flag]


def render(results):
    lines = [
        f"Machine: {results['machine']}. Date: {results['date']}.",
        f"Command: `{results['command']}`.",
        f"Data: {results['data']['train_rows']:,} training rows, validation {results['data']['val_rows']}, "
        f"{results['data']['test_sentences']:,} held-out sentences.",
        "",
        "### keras-slm export, per family and quantization mode",
        "",
        "| family | mode | held-out acc. (Keras -> TFLite) | drop (points) | size | of float | agreement | max abs diff "
        "| subgraphs | builtin only | XNNPACK | latency ms 1 thr (median / p90) | 2 thr |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for family, entry in results["families"].items():
        for mode in MODES:
            e = entry["exports"][mode]
            lines.append(
                f"| {family} | {mode} | {entry['keras_test_accuracy']:.3f} -> {e['test_accuracy']:.3f} | "
                f"{e['drop_points']:+.1f} | {_kib(e['size_bytes'])} | {e['size_ratio'] * 100:.1f}% | "
                f"{e['argmax_agreement']:.3f} | {e['max_abs_diff']:.1e} | {e['num_subgraphs']} | "
                f"{'yes' if e['android_compatible'] else 'NO'} | {_xnn(e.get('xnnpack'))} | {_ms(e['latency'], 1)} | {_ms(e['latency'], 2)} |"
            )
    lines += [
        "",
        "### Ours (float) vs Keras' default `model.export(format=\"litert\")`",
        "",
        "| family | ops needing Flex (Keras default) | runs without Flex: ours / Keras | size: ours / Keras "
        "| latency ms 1 thr: ours / Keras | max abs diff: ours / Keras |",
        "|---|---|---|---|---|---|",
    ]
    for family, entry in results["families"].items():
        ours, theirs = entry["exports"]["none"], entry["keras_default_export"]
        flex = ", ".join(theirs["flex_ops"]) or "none"
        runs = theirs.get("runs_without_flex_delegate", True)
        their_latency = f"{theirs['latency_1_thread']['median_ms']:.3f}" if runs else "cannot run"
        their_diff = f"{theirs['max_abs_diff']:.1e}" if runs else "-"
        lines.append(
            f"| {family} | {flex} | {'yes' if ours['android_compatible'] else 'NO'} / "
            f"{'yes' if runs and theirs['android_compatible'] else 'NO'} | {_kib(ours['size_bytes'])} / {_kib(theirs['size_bytes'])} | "
            f"{ours['latency']['1']['median_ms']:.3f} / {their_latency} | {ours['max_abs_diff']:.1e} / {their_diff} |"
        )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default="benchmarks/results/export_matrix.json")
    args = parser.parse_args()
    with open(args.results, encoding="utf-8") as f:
        print(render(json.load(f)), end="")


if __name__ == "__main__":
    main()
