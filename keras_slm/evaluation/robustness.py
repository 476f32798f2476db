"""Robustness report: a model's score on clean data and under each seeded perturbation (`perturbations`).

The evaluator sees a model through a `RobustnessTarget`: a predict function over inputs (texts,
or token lists for taggers) and a scorer of (labels, predictions). Classifiers and taggers have
ready adapters; another task plugs in with its own two functions, e.g. an intent + slot model:

    target = RobustnessTarget(lambda texts: model.predict_intents(texts),
                              lambda gold, pred: accuracy(gold, pred), metric="intent_accuracy")
    report = evaluate_robustness(target, texts, intents)

Example:
>>> target = RobustnessTarget(lambda texts: [len(t) > 10 for t in texts],
...                           lambda gold, pred: sum(g == p for g, p in zip(gold, pred)) / len(gold))
>>> report = evaluate_robustness(target, ["a gorgeous, witty film", "bad"], [True, False], seed=0)
>>> report["clean"], [p["name"] for p in report["perturbations"]][:2]
(1.0, ['typo_5', 'typo_10'])
"""

import os

from keras_slm import files
from keras_slm.evaluation import perturbations as P


class RobustnessTarget:
    """What `evaluate_robustness` needs from a model.

    Args:
        predict: function from a list of inputs to a list (or array) of predictions.
        score: function (gold labels, predictions) -> float, higher is better.
        metric: the score's name, for reports.
        tokens: inputs are token lists (perturbed inside tokens only, labels stay aligned).
    """

    def __init__(self, predict, score, metric="accuracy", tokens=False):
        self.predict, self.score, self.metric, self.tokens = predict, score, metric, tokens


def classifier_target(classifier):
    """A `RobustnessTarget` for a `TextClassifier` (Keras or .tflite): accuracy over label names."""

    def predict(texts):
        return [classifier.labels.labels[i] for i in classifier.predict_scores(list(texts)).argmax(axis=1)]

    def accuracy(gold, pred):
        return sum(g == p for g, p in zip(gold, pred)) / max(1, len(gold))

    return RobustnessTarget(predict, accuracy, "accuracy")


def tagger_target(tagger):
    """A `RobustnessTarget` for a `SequenceTagger`: entity F1 over token lists."""
    from keras_slm.evaluation.entities import entity_metrics

    return RobustnessTarget(lambda sentences: tagger.predict_tags(list(sentences)),
                            lambda gold, pred: entity_metrics(gold, pred)["f1"], "entity_f1", tokens=True)


def evaluate_robustness(target, inputs, labels, perturbations=None, seed=0, language=None):
    """The clean score, and each perturbation's score and drop (clean - perturbed).

    Args:
        target: `RobustnessTarget`.
        inputs: texts, or token lists when `target.tokens`.
        labels: gold labels (tag lists for taggers), in the form `target.score` takes.
        perturbations: `Perturbation`s; None: `perturbations.suite(language)` (those with a token
            form for token inputs).
        seed: the perturbations' seed; the same seed gives the same perturbed inputs.
        language: "en" or "zh"; None: detected from the inputs.

    Returns:
        {"metric", "clean", "n", "seed", "language", "perturbations": [{"name", "description",
         "score", "drop", "changed" (share of inputs the perturbation changed)}]}
    """
    texts = [" ".join(s) for s in inputs] if target.tokens else list(inputs)
    language = language or P.detect_language(texts)
    if perturbations is None:
        pool = P.character_pool(texts) if language == "zh" else None
        perturbations = [p for p in P.suite(language, pool) if p.on_tokens or not target.tokens]
    clean = float(target.score(labels, target.predict(inputs)))
    rows = []
    for p in perturbations:
        if target.tokens:
            changed_inputs = P.perturb_tokens(p, inputs, seed)
        else:
            changed_inputs = P.perturb_texts(p, inputs, seed)
        changed = sum(a != b for a, b in zip(changed_inputs, inputs)) / max(1, len(inputs))
        score = float(target.score(labels, target.predict(changed_inputs)))
        rows.append({"name": p.name, "description": p.description, "score": score, "drop": clean - score,
                     "changed": changed})
    return {"metric": target.metric, "clean": clean, "n": len(inputs), "seed": seed, "language": language,
            "perturbations": rows}


def format_robustness_table(report):
    """The report as a text table (score, drop in points, share of inputs changed)."""
    width = max([len("perturbation")] + [len(r["name"]) for r in report["perturbations"]])
    lines = [f"{report['metric']} on {report['n']} rows (seed {report['seed']}, {report['language']})",
             f"{'perturbation':<{width}}  {report['metric']:>10}  drop (pts)  changed",
             f"{'clean':<{width}}  {report['clean']:10.4f}  {'':>10}  {'':>7}"]
    for r in report["perturbations"]:
        lines.append(f"{r['name']:<{width}}  {r['score']:10.4f}  {100 * r['drop']:10.1f}  {r['changed']:7.0%}")
    return "\n".join(lines)


def plot_robustness(report, path, title=None):
    """Bars of the clean and perturbed scores, written atomically to `path` (PNG; needs matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = ["clean"] + [r["name"] for r in report["perturbations"]]
    scores = [report["clean"]] + [r["score"] for r in report["perturbations"]]
    fig, ax = plt.subplots(figsize=(1.0 + 0.7 * len(names), 3.6))
    bars = ax.bar(names, scores, color=["#4c72b0"] + ["#dd8452"] * (len(names) - 1))
    for bar, s in zip(bars, scores):
        ax.text(bar.get_x() + bar.get_width() / 2, s, f"{s:.3f}", ha="center", va="bottom", fontsize=7)
    ax.set_ylabel(report["metric"])
    ax.set_ylim(0, 1.05)
    ax.set_title(title or f"robustness ({report['n']} rows, seed {report['seed']})", fontsize=9)
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    fig.tight_layout()
    with files.atomic_path(os.fspath(path)) as tmp:
        fig.savefig(tmp, format="png", dpi=110)
    plt.close(fig)
