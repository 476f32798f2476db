"""Classification metrics (scikit-learn's) in the shape our CLI and reports print."""

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support


def classification_metrics(y_true, y_pred, labels):
    """Accuracy, macro-F1 and a per-class table.

    Args:
        y_true: true class ids.
        y_pred: predicted class ids.
        labels: class names, index = class id.

    Returns:
        {"accuracy", "macro_f1", "n", "per_class": {label: {"precision", "recall", "f1", "support"}}}

    Example:
    >>> m = classification_metrics([0, 1, 1], [0, 1, 0], ["neg", "pos"])
    >>> round(m["accuracy"], 3), m["n"]
    (0.667, 3)
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    ids = list(range(len(labels)))
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=ids, zero_division=0
    )
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=ids, average="macro", zero_division=0)),
        "n": int(len(y_true)),
        "per_class": {
            label: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, label in enumerate(labels)
        },
    }


def format_classification_table(metrics):
    """The metrics as a small text table."""
    width = max([len("class")] + [len(k) for k in metrics["per_class"]])
    lines = [
        f"accuracy {metrics['accuracy']:.4f}   macro-F1 {metrics['macro_f1']:.4f}   n={metrics['n']}",
        f"{'class':<{width}}  precision  recall     f1  support",
    ]
    for label, m in metrics["per_class"].items():
        lines.append(
            f"{label:<{width}}  {m['precision']:9.4f}  {m['recall']:6.4f}  {m['f1']:.4f}  {m['support']:7d}"
        )
    return "\n".join(lines)
