"""Model card: what a bundled model is for, what it was trained on, how well it does, its limits.

The card is written twice into a bundle: `model_card.json` (read by the registry for search,
compare and lineage) and `MODEL_CARD.md` (read by people).
"""

import json
import os

from keras_slm.files import sha256_file

CARD_FILE = "model_card.json"
CARD_MARKDOWN = "MODEL_CARD.md"
DEFAULT_LICENCE = "unspecified"
# Quality metrics, by name or suffix (test_accuracy, val_loss, ...); every other number in metrics.json's
# "validation" part (learning_rate, augmented_rows, epochs_run, params, ...) describes training and goes to
# the card's "training" part, never compared or starred as a winner (issue 19.8).
QUALITY_METRICS = ("accuracy", "macro_f1", "f1", "precision", "recall", "auc", "bleu", "chrf", "exact_match",
                   "loss", "perplexity", "error_rate", "cer", "wer", "agreement")
LOWER_IS_BETTER = ("loss", "perplexity", "error_rate", "cer", "wer")


# Training facts that cards written before the split (issue 19.8) still hold among their metrics.
TRAINING_FACTS = {"learning_rate", "augmented_rows", "epochs_run", "best_epoch", "params", "wall_time_s",
                  "train_tokens", "val_tokens", "skipped", "support", "n", "tokens", "temperature", "alpha"}


def comparable_metrics(metrics):
    """A card's metrics without the training facts older cards mixed in (what compare, list and show print)."""
    return {k: v for k, v in metrics.items() if k not in TRAINING_FACTS}


def _ends_with(name, suffixes):
    name = name.lower()
    return any(name == s or name.endswith("_" + s) for s in suffixes)


def is_quality_metric(name):
    """True for a model-quality metric name (accuracy, f1, loss, test_accuracy ...), False for hyperparameters."""
    return _ends_with(name, QUALITY_METRICS) and not name.lower().startswith("teacher_")


def lower_is_better(name):
    """True for metrics where the smaller value wins (loss, perplexity, error rates)."""
    return _ends_with(name, LOWER_IS_BETTER)


def _numbers(metrics):
    source = metrics.get("validation", metrics) if isinstance(metrics, dict) else {}
    return {k: float(v) for k, v in source.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def headline_metrics(metrics):
    """Flat {name: number} of quality metrics from a metrics.json dict (its "validation" part)."""
    return {k: v for k, v in _numbers(metrics).items() if is_quality_metric(k)}


def training_facts(metrics):
    """Flat {name: number} of the other numbers there: hyperparameters and training facts."""
    return {k: v for k, v in _numbers(metrics).items() if not is_quality_metric(k)}


def training_data_lineage(metrics, data=None):
    """[{"name", "rows", "sha256"?}] for the training data: `data` paths, else metrics.json's record.

    A file that still exists at bundle time is hashed, so two bundles can be checked to come
    from the same data without shipping it.
    """
    training = metrics.get("training", {}) if isinstance(metrics, dict) else {}
    paths = list(data) if data else ([training["data"]] if training.get("data") else [])
    lineage = []
    for path in paths:
        entry = {"name": os.path.basename(str(path))}
        if not data and training.get("train_rows") is not None:
            entry["rows"] = int(training["train_rows"]) + int(training.get("val_rows") or 0)
        if os.path.isfile(path):
            entry["sha256"] = sha256_file(path)
        lineage.append(entry)
    return lineage


def make_card(config, metrics, *, name, language=None, licence=None, limitations=None,
              description=None, data=None, parent=None, extra_metrics=None, labels=None, files=None):
    """The model card dict for a model directory's config.json and metrics.json.

    Args:
        config: config.json contents (task, seq_len, model, tokenizer).
        metrics: metrics.json contents ({} when the directory has none).
        name: model name.
        language: BCP-47 code of the text it reads ("en", "zh"); "und" when unknown.
        licence: licence of the weights (mind the training data's licence).
        limitations: known limits; a default naming the data and sequence length is written otherwise.
        description: one paragraph on what it does.
        data: training data paths (default: the path recorded in metrics.json).
        parent: "name@version" this model was fine-tuned or derived from.
        extra_metrics: {name: number} measured elsewhere (e.g. a test set), merged into metrics.
        labels: class names.
        files: {file name: size in bytes} of the deployable files.
    """
    training = metrics.get("training", {}) if isinstance(metrics, dict) else {}
    quality = headline_metrics(metrics)
    quality.update({k: float(v) for k, v in (extra_metrics or {}).items()})
    lineage = training_data_lineage(metrics, data)
    task = config.get("task", "unknown")
    seq_len = config.get("seq_len")
    if limitations is None:
        names = ", ".join(d["name"] for d in lineage) or "unrecorded data"
        limitations = (
            f"Trained on {names}; metrics are from a held-out split of the same source, so expect "
            f"lower quality on other domains. Texts longer than {seq_len} tokens are truncated. "
            "Not evaluated for bias or for adversarial input; review before user-facing use."
        )
    return {
        "name": name,
        "task": task,
        "language": language or "und",
        "licence": licence or DEFAULT_LICENCE,
        "description": description or " ".join(
            p for p in (config.get("model"), task.replace("_", " "), "model trained with keras-slm.") if p
        ).capitalize(),
        "data": {"training": lineage, "train_rows": training.get("train_rows"), "val_rows": training.get("val_rows")},
        "metrics": quality,
        "training": training_facts(metrics),
        "limitations": limitations,
        "lineage": {"parent": parent, "training_data": lineage},
        "model": {
            "family": config.get("model"), "seq_len": seq_len, "tokenizer": config.get("tokenizer"),
            "vocab_size": training.get("vocab_size"), "params": training.get("params"),
            "labels": list(labels) if labels else None,
        },
        "files": dict(files or {}),
    }


def render_markdown(card):
    """MODEL_CARD.md text for a card dict."""
    lines = [f"# {card['name']}", "", card.get("description") or "", ""]
    lines += [
        "| | |", "| --- | --- |",
        f"| task | {card['task']} |", f"| language | {card['language']} |", f"| licence | {card['licence']} |",
    ]
    model = card.get("model", {})
    for key in ("family", "tokenizer", "seq_len", "vocab_size", "params"):
        if model.get(key) is not None:
            lines.append(f"| {key.replace('_', ' ')} | {model[key]} |")
    if model.get("labels"):
        lines.append(f"| labels | {', '.join(model['labels'])} |")
    lines += ["", "## Metrics", ""]
    lines += [f"- {k}: {v:.4f}" for k, v in sorted(card["metrics"].items())] or ["- none recorded"]
    if card.get("training"):
        lines += ["", "## Training", ""]
        lines += [f"- {k}: {v:g}" for k, v in sorted(card["training"].items())]
    lines += ["", "## Training data", ""]
    for entry in card["data"]["training"] or [{"name": "unrecorded"}]:
        extra = ", ".join(f"{k} {entry[k]}" for k in ("rows", "sha256") if k in entry)
        lines.append(f"- {entry['name']}" + (f" ({extra})" if extra else ""))
    lines += ["", "## Lineage", "", f"- parent: {card['lineage'].get('parent') or 'none (trained from scratch)'}"]
    lines += ["", "## Files", ""] + [f"- {name}: {size} bytes" for name, size in sorted(card.get("files", {}).items())]
    lines += ["", "## Limitations", "", card["limitations"], ""]
    return "\n".join(lines)


def dumps(card):
    return json.dumps(card, indent=1, ensure_ascii=False, sort_keys=True)
