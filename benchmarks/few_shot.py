"""Few-shot accuracy vs K: frozen MiniLM + logistic regression, the contrastive recipe, full fine-tuning.

For each dataset, K and seed: K training texts per class drawn with `sample_per_class` (seeded),
a classifier trained by one recipe, accuracy on the dataset's held-out rows. One JSON line per run
is appended to --results (runs already there are skipped, so the script resumes).

    python benchmarks/sst2_split.py --out runs/sst2      # held-out SST-2 sentences, phrases removed
    python benchmarks/few_shot.py --datasets sst2 --ks 16 --seeds 0,1,2 --recipes frozen,contrastive

Recipes: frozen (iterations 0: LR head on frozen MiniLM, the issue's baseline), contrastive (the
`keras-slm train --few-shot` defaults), finetune (MiniLM + softmax head trained with cross-entropy
on the K examples, `train_transformer_classifier`, --finetune-epochs epochs).
Time: ~2-4 min per contrastive run on 2 busy cores; evaluation ~30 s per 1,000 rows (frozen runs encode each
test set once per encoder and reuse its vectors: the encoder is the same published one in every frozen run).
"""

import argparse
import json
import os
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "shared", "data")
# name -> (train file, held-out file, min words per sampled text, evaluation rows)
DATASETS = {
    "sst2": ("runs/sst2/train.tsv", "runs/sst2/heldout.tsv", 8, 1000),
    "ag_news": (f"{DATA}/ag_news/train.tsv", f"{DATA}/ag_news/test.tsv", 0, 1000),
    "trec6": (f"{DATA}/trec6/train.tsv", f"{DATA}/trec6/test.tsv", 0, 500),
    "zh_sentiment": (f"{DATA}/zh_sentiment/train.tsv", f"{DATA}/zh_sentiment/test.tsv", 0, 1000),
}


def _done(path):
    if not os.path.exists(path):
        return set()
    with open(path, encoding="utf-8") as f:
        return {(r["dataset"], r["k"], r["seed"], r["recipe"]) for r in map(json.loads, f)}


def _name(recipe, args):
    return recipe + ("" if args.model == "minilm" else "_" + args.model) + args.tag


def run_one(dataset, k, seed, recipe, args):
    name = _name(recipe, args)
    from keras_slm.data import read_classification
    from keras_slm.data.few_shot import sample_per_class
    from keras_slm.tasks.few_shot import train_few_shot_classifier
    from keras_slm.tasks.classifier_training import train_transformer_classifier

    train_path, test_path, min_words, n_eval = DATASETS[dataset]
    sample = sample_per_class(read_classification(train_path), k, seed=seed, min_words=min_words)
    test = read_classification(test_path)
    test = test.subset(range(min(n_eval, len(test))))
    start, cpu = time.time(), time.process_time()
    if recipe == "finetune":
        clf, _, _ = train_transformer_classifier(
            sample, sample, model=args.model, seq_len=args.seq_len, epochs=args.finetune_epochs,
            batch_size=16, seed=seed, patience=args.finetune_epochs, verbose=args.verbose,
        )
    else:
        clf, _ = train_few_shot_classifier(
            sample, model=args.model, seq_len=args.seq_len, seed=seed, verbose=args.verbose,
            iterations=0 if recipe == "frozen" else args.iterations, max_pairs=args.max_pairs,
            end_to_end_epochs=args.end_to_end_epochs,
            learning_rate=args.lr,
        )
    train_s, cpu_s = time.time() - start, time.process_time() - cpu
    metrics = _frozen_evaluate(clf, test, (args.model, dataset, args.seq_len)) if recipe == "frozen" else clf.evaluate(test)
    return {"dataset": dataset, "k": k, "seed": seed, "recipe": name, "accuracy": round(metrics["accuracy"], 4),
            "macro_f1": round(metrics["macro_f1"], 4), "train_s": round(train_s, 1), "train_cpu_s": round(cpu_s, 1), "eval_rows": len(test),
            "load": os.getloadavg()[0]}


_FROZEN_VECTORS = {}


def _frozen_evaluate(clf, test, key):
    """`clf.evaluate(test)` for a head on the frozen encoder, with the test texts' sentence vectors computed once per
    (encoder, dataset, length): every frozen run loads the same published weights, so only the head differs (the
    vectors are the classifier's own "embedding" layer; BENCHMARKS.md checks this against `evaluate`)."""
    import keras
    from keras_slm.evaluation import classification_metrics

    if key not in _FROZEN_VECTORS:
        embedder = keras.Model(clf.model.inputs, clf.model.get_layer("embedding").output)
        _FROZEN_VECTORS[key] = embedder.predict(clf.encode(test.texts), batch_size=64, verbose=0)
    kernel, bias = clf.model.get_layer("scores").get_weights()
    y_pred = (_FROZEN_VECTORS[key] @ kernel + bias).argmax(axis=1)
    return classification_metrics(clf.labels.encode(test.labels, test), y_pred, clf.labels.labels)


def summarise(path):
    """{(dataset, recipe, k): (mean accuracy, seeds, mean train s)} from the results file."""
    groups = {}
    with open(path, encoding="utf-8") as f:
        for r in map(json.loads, f):
            groups.setdefault((r["dataset"], r["recipe"], r["k"]), []).append(r)
    return {key: (sum(r["accuracy"] for r in rows) / len(rows), len(rows), sum(r["train_s"] for r in rows) / len(rows))
            for key, rows in sorted(groups.items())}


def markdown(path, ks=(8, 16, 32, 64)):
    """A table: one row per dataset and recipe, one column per K, "mean (seed 0 / 1 / 2)" in each cell."""
    groups = {}
    with open(path, encoding="utf-8") as f:
        for r in map(json.loads, f):
            groups.setdefault((r["dataset"], r["recipe"]), {}).setdefault(r["k"], {})[r["seed"]] = r["accuracy"]
    lines = ["| dataset | recipe | " + " | ".join(f"K={k}" for k in ks) + " |", "|---|---|" + "---|" * len(ks)]
    for (dataset, recipe), by_k in sorted(groups.items()):
        cells = []
        for k in ks:
            seeds = by_k.get(k, {})
            values = [seeds[s] for s in sorted(seeds)]
            cells.append(f"{sum(values) / len(values):.3f} ({' / '.join(f'{v:.3f}' for v in values)})" if values else "-")
        lines.append(f"| {dataset} | {recipe} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(path, out):
    """Accuracy vs K, one panel per dataset, one line per recipe (mean over seeds)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = summarise(path)
    datasets = sorted({d for d, _, _ in summary})
    recipes = sorted({r for _, r, _ in summary})
    colors = {r: plt.get_cmap("tab10")(i % 10) for i, r in enumerate(recipes)}  # one colour per recipe in every panel
    fig, axes = plt.subplots(1, len(datasets), figsize=(4.5 * len(datasets), 3.5), squeeze=False)
    for ax, dataset in zip(axes[0], datasets):
        for recipe in sorted({r for d, r, _ in summary if d == dataset}):
            ks = sorted(k for d, r, k in summary if d == dataset and r == recipe)
            ax.plot(ks, [summary[(dataset, recipe, k)][0] for k in ks], marker="o", label=recipe, color=colors[recipe])
        ax.set_xscale("log", base=2)
        ax.set_xlabel("K (examples per class)")
        ax.set_ylabel("held-out accuracy")
        ax.set_title(dataset)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=100)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="sst2")
    parser.add_argument("--ks", default="16")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--recipes", default="frozen,contrastive")
    parser.add_argument("--model", default="minilm", help="minilm or mpnet (recipe names get a _mpnet suffix)")
    parser.add_argument("--iterations", type=int, default=None, help="pair rounds (default: the library's)")
    parser.add_argument("--max-pairs", type=int, default=None, help="cap on pairs (default: the library's)")
    parser.add_argument("--lr", type=float, default=None, help="contrastive learning rate (default: the library's)")
    parser.add_argument("--end-to-end-epochs", type=int, default=0)
    parser.add_argument("--finetune-epochs", type=int, default=10)
    parser.add_argument("--seq-len", type=int, default=64)
    parser.add_argument("--tag", default="", help="appended to the recipe name in the results (a variant's settings)")
    parser.add_argument("--verbose", type=int, default=0)
    parser.add_argument("--results", default="runs/few_shot/results.jsonl")
    parser.add_argument("--plot", metavar="PNG", help="only plot the results file's accuracy vs K into PNG")
    parser.add_argument("--markdown", action="store_true", help="only print the results file as a table (K columns)")
    args = parser.parse_args()
    if args.markdown:
        return print(markdown(args.results))
    if args.plot:
        for key, (accuracy, seeds, seconds) in summarise(args.results).items():
            print(*key, f"{accuracy:.3f}", f"{seeds} seed(s)", f"{seconds:.0f}s", sep="\t")
        return plot(args.results, args.plot)
    os.makedirs(os.path.dirname(args.results) or ".", exist_ok=True)
    done = _done(args.results)
    for dataset in args.datasets.split(","):
        for k in map(int, args.ks.split(",")):
            for recipe in args.recipes.split(","):
                for seed in map(int, args.seeds.split(",")):
                    if (dataset, k, seed, _name(recipe, args)) in done:
                        continue
                    row = run_one(dataset, k, seed, recipe, args)
                    print(json.dumps(row), flush=True)
                    with open(args.results, "a", encoding="utf-8") as f:
                        f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
