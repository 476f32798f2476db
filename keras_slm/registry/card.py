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
# Metrics that describe training, not quality; kept out of the card's headline metrics.
_NOT_QUALITY = {"epochs_run", "best_epoch", "skipped", "support", "n"}


def headline_metrics(metrics):
    """Flat {name: number} of quality metrics from a metrics.json dict (its "validation" part)."""
    source = metrics.get("validation", metrics) if isinstance(metrics, dict) else {}
    return {
        k: float(v) for k, v in source.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool) and k not in _NOT_QUALITY
    }


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
