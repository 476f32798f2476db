"""Robustness table: BiLSTM classifiers trained plain, with `--augment noise` and with `--adversarial fgm`,
each scored by `keras-slm evaluate MODEL.tflite --robustness` (issue 22).

Usage (after `python benchmarks/sst2_split.py --min-words 1 --out runs/sst2r`):
    python benchmarks/robustness.py --runs runs --out benchmarks/results/robustness.json [--only sst2]
Trains missing models into RUNS/<data>_<option>/ one at a time (SST-2 ~3-15 min each on 2 cores,
zh_sentiment ~1-5 min; noise and FGM roughly double the step count or step time), then evaluates
every model's model.tflite (about 20 s of CPU each). Models already trained are reused.
"""

import argparse
import json
import os
import subprocess
import sys

ZH = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "zh_sentiment")
DATASETS = {
    # name: (train file, test file, extra train options)
    "sst2": ("{runs}/sst2r/train.tsv", "{runs}/sst2r/heldout.tsv", ["--model", "bilstm"]),
    "zh": (os.path.join(ZH, "train.tsv"), os.path.join(ZH, "test.tsv"), ["--tokenizer", "char"]),
}
OPTIONS = {
    "plain": [],
    "noise": ["--augment", "noise"],
    "fgm": ["--adversarial", "fgm"],
}


def keras_slm(*args):
    proc = subprocess.run([sys.executable, "-m", "keras_slm", *args], capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"keras-slm {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return proc.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="runs")
    parser.add_argument("--out", default="benchmarks/results/robustness.json")
    parser.add_argument("--only", choices=sorted(DATASETS))
    parser.add_argument("--epochs", type=int, default=3, help="training epochs (SST-2's plain BiLSTM peaks at 3)")
    parser.add_argument("--seed", type=int, default=0, help="perturbation seed")
    args = parser.parse_args()
    results = {}
    for name, (train, test, extra) in DATASETS.items():
        if args.only and name != args.only:
            continue
        train, test = train.format(runs=args.runs), test.format(runs=args.runs)
        for option, flags in OPTIONS.items():
            model = os.path.join(args.runs, f"{name}_{option}")
            if not os.path.exists(os.path.join(model, "model.tflite")):
                keras_slm("train", "--data", train, "--out", model, "--epochs", str(args.epochs), *extra, *flags)
            report = json.loads(keras_slm("evaluate", os.path.join(model, "model.tflite"), "--data", test,
                                          "--robustness", "--json", "--seed", str(args.seed)))
            results[f"{name}/{option}"] = report
            drops = ", ".join(f"{r['name']} {100 * r['drop']:.1f}" for r in report["perturbations"])
            print(f"{name}/{option}: clean {report['clean']:.4f}; drops (points): {drops}", flush=True)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
