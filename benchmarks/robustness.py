"""Robustness table: classifiers (BiLSTM by default, or `--model minilm`) trained plain, with `--augment noise` and
with `--adversarial fgm`, each scored by `keras-slm evaluate MODEL.tflite --robustness` (issue 22), for one or more
training seeds.

Usage (after `python benchmarks/sst2_split.py --min-words 1 --out runs/sst2r`):
    python benchmarks/robustness.py --runs runs --out benchmarks/results/robustness.json \
        [--only sst2] [--options plain,noise] [--seeds 0,1,2] [--epochs 5] [--model minilm --train-rows 3000]
--model replaces the dataset's own model options (SST-2: `--model bilstm`, zh: a word BiLSTM on `--tokenizer char`).
--train-rows N trains every arm on the same N rows: a random sample (random.Random(0), rows kept in file order) of
the dataset's training file, written once to RUNS/<data>_train<N>.tsv and reused; the training seed still draws the
weights, the shuffling and the 10% validation split out of those N rows. Models go to
RUNS/<data>[_<model>][_n<N>_e<epochs>]_<option>_s<seed>/ (no suffixes without --model / --train-rows: the
BiLSTM table's directories).
Trains missing models into RUNS/<data>_<option>_s<seed>/ (`train --seed <seed>`: weights, shuffling and
the 10% validation split) one at a time (SST-2 ~3-10 min each on 2 idle cores, zh_sentiment ~1-5 min;
noise costs about the same, FGM roughly doubles the step time), then evaluates every model's model.tflite
(about 20 s of CPU each) with the perturbation seed --seed. Models already trained and reports already
written (MODEL/robustness_seed<seed>.json) are reused. Prints each model's clean accuracy and drops, then
per option the mean over the seeds.
"""

import argparse
import json
import os
import random
import subprocess
import sys

from keras_slm.files import write_text_atomic

ZH = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "zh_sentiment")
DATASETS = {
    # name: (train file, test file, extra train options)
    "sst2": ("{runs}/sst2r/train.tsv", "{runs}/sst2r/heldout.tsv", ["--model", "bilstm"]),
    "zh": (os.path.join(ZH, "train.tsv"), os.path.join(ZH, "test.tsv"), ["--tokenizer", "char"]),
}
OPTIONS = {
    "plain": [],
    "noise": ["--augment", "noise"],
    "noise2": ["--augment", "noise:2"],  # two noisy copies per row: 2/3 of an epoch's rows are perturbed
    "fgm": ["--adversarial", "fgm"],
}


def keras_slm(*args):
    proc = subprocess.run([sys.executable, "-m", "keras_slm", *args], capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"keras-slm {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return proc.stdout


def evaluate(model, test, seed):
    """`evaluate MODEL/model.tflite --robustness --json`, kept as MODEL/robustness_seed<seed>.json and reused."""
    cache = os.path.join(model, f"robustness_seed{seed}.json")
    if os.path.exists(cache) and os.path.getmtime(cache) > os.path.getmtime(os.path.join(model, "model.tflite")):
        with open(cache, encoding="utf-8") as f:
            return json.load(f)
    text = keras_slm("evaluate", os.path.join(model, "model.tflite"), "--data", test, "--robustness", "--json",
                     "--seed", str(seed))
    with open(cache, "w", encoding="utf-8") as f:
        f.write(text)
    return json.loads(text)


def train_slice(train, runs, name, rows):
    """RUNS/<name>_train<rows>.tsv: header + a random.Random(0) sample of `rows` rows of `train` (file order kept),
    written once and reused, so every arm and seed trains on the same rows."""
    path = os.path.join(runs, f"{name}_train{rows}.tsv")
    if os.path.exists(path):
        return path
    with open(train, encoding="utf-8") as f:
        header, *lines = f.readlines()
    if rows > len(lines):
        raise SystemExit(f"--train-rows {rows}: {train} has only {len(lines)} rows")
    keep = sorted(random.Random(0).sample(range(len(lines)), rows))
    write_text_atomic(path, header + "".join(lines[i] for i in keep))
    return path


def _csv(kind, choices=None):
    def parse(value):
        items = [kind(v) for v in value.split(",") if v]
        if not items or (choices and not set(items) <= set(choices)):
            of = f" of {', '.join(choices)}" if choices else ""
            raise argparse.ArgumentTypeError(f"expected a comma-separated list{of}, got {value!r}")
        return items
    return parse


def summarize(results, name, option, seeds):
    """Mean clean accuracy and mean drop per perturbation over `seeds` (points), printed and returned."""
    reports = [results[f"{name}/{option}/s{s}"] for s in seeds]
    clean = sum(r["clean"] for r in reports) / len(reports)
    drops = {}
    for r in reports:
        for p in r["perturbations"]:
            drops[p["name"]] = drops.get(p["name"], 0.0) + 100 * p["drop"] / len(reports)
    print(f"{name}/{option} mean of seeds {seeds}: clean {clean:.4f}; drops (points): "
          + ", ".join(f"{k} {v:.1f}" for k, v in drops.items()), flush=True)
    return {"seeds": seeds, "clean": clean, "drop_points": drops}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="runs")
    parser.add_argument("--out", default="benchmarks/results/robustness.json")
    parser.add_argument("--only", choices=sorted(DATASETS))
    parser.add_argument("--options", type=_csv(str, OPTIONS), default=list(OPTIONS),
                        help="comma-separated, default all")
    parser.add_argument("--seeds", type=_csv(int), default=[0], help="training seeds, comma-separated (default 0)")
    parser.add_argument("--epochs", type=int, default=5, help="at most this many training epochs (train's default 5; "
                        "early stopping with patience 2 picks the best epoch on validation accuracy)")
    parser.add_argument("--seed", type=int, default=0, help="perturbation seed of `evaluate --robustness`")
    parser.add_argument("--model", help="train this --model instead of the dataset's own (e.g. minilm)")
    parser.add_argument("--train-rows", type=int, help="train on a fixed random sample of this many training rows "
                        "(RUNS/<data>_train<N>.tsv, written once)")
    args = parser.parse_args()
    results, means = {}, {}
    for name, (train, test, extra) in DATASETS.items():
        if args.only and name != args.only:
            continue
        train, test = train.format(runs=args.runs), test.format(runs=args.runs)
        tag = name + (f"_{args.model}" if args.model else "") + (f"_n{args.train_rows}" if args.train_rows else "")
        tag += f"_e{args.epochs}" if tag != name else ""
        if args.model:
            extra = ["--model", args.model]
        if args.train_rows:
            train = train_slice(train, args.runs, name, args.train_rows)
        for option in args.options:
            for seed in args.seeds:
                model = os.path.join(args.runs, f"{tag}_{option}_s{seed}")
                if not os.path.exists(os.path.join(model, "model.tflite")):
                    keras_slm("train", "--data", train, "--out", model, "--epochs", str(args.epochs),
                              "--seed", str(seed), *extra, *OPTIONS[option])
                report = evaluate(model, test, args.seed)
                with open(os.path.join(model, "metrics.json"), encoding="utf-8") as f:
                    training = json.load(f)
                report["training"] = {**{k: training["training"][k] for k in (
                    "seed", "epochs", "epochs_run", "best_epoch", "train_rows", "wall_time_s", "noise_copies",
                    "adversarial")}, "val_accuracy": training["validation"]["accuracy"]}
                report["training"]["model"] = training["training"]["model"]
                results[f"{name}/{option}/s{seed}"] = report
                drops = ", ".join(f"{r['name']} {100 * r['drop']:.1f}" for r in report["perturbations"])
                print(f"{name}/{option}/s{seed}: clean {report['clean']:.4f}; drops (points): {drops}; "
                      f"best epoch {report['training']['best_epoch']}/{report['training']['epochs_run']}, "
                      f"val {report['training']['val_accuracy']:.4f}", flush=True)
            means[f"{name}/{option}"] = summarize(results, name, option, args.seeds)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump({"models": results, "means": means}, f, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
