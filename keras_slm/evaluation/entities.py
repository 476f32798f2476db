"""Entity-level precision / recall / F1 (seqeval's default, conlleval-style scoring)."""

from keras_slm.data.conll import bio_spans


def entity_metrics(true_tags, pred_tags):
    """Micro precision / recall / F1 over exact entity spans, and a per-type table.

    Equal to `seqeval.metrics` (default mode) on BIO tags: a predicted entity counts only if
    its type, start and end all match a true one.

    Args:
        true_tags: list of sentences, each a list of BIO tags.
        pred_tags: same shape, predicted.

    Returns:
        {"f1", "precision", "recall", "n" (sentences), "tokens", "true_entities",
         "pred_entities", "per_type": {type: {"precision", "recall", "f1", "support"}}}

    Example:
    >>> m = entity_metrics([["B-PER", "I-PER", "O"]], [["B-PER", "I-PER", "O"]])
    >>> m["f1"], m["per_type"]["PER"]["support"]
    (1.0, 1)
    """
    if len(true_tags) != len(pred_tags):
        raise ValueError(f"{len(true_tags)} true sentences but {len(pred_tags)} predicted.")
    true_set, pred_set = set(), set()
    for i, (t, p) in enumerate(zip(true_tags, pred_tags)):
        if len(t) != len(p):
            raise ValueError(f"Sentence {i}: {len(t)} true tags but {len(p)} predicted.")
        true_set.update((i,) + span for span in bio_spans(t))
        pred_set.update((i,) + span for span in bio_spans(p))
    types = sorted({s[1] for s in true_set | pred_set})
    per_type = {}
    for type_ in types:
        t = {s for s in true_set if s[1] == type_}
        p = {s for s in pred_set if s[1] == type_}
        per_type[type_] = dict(_prf(len(t & p), len(p), len(t)), support=len(t))
    result = _prf(len(true_set & pred_set), len(pred_set), len(true_set))
    result.update(
        n=len(true_tags), tokens=sum(len(t) for t in true_tags), true_entities=len(true_set),
        pred_entities=len(pred_set), per_type=per_type,
    )
    return result


def _prf(correct, predicted, true):
    precision = correct / predicted if predicted else 0.0
    recall = correct / true if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall}


def format_entity_table(metrics):
    """The metrics as a small text table (one row per entity type)."""
    width = max([len("type"), len("overall")] + [len(k) for k in metrics["per_type"]])
    lines = [f"{'type':<{width}}  precision  recall      f1  support"]
    rows = list(metrics["per_type"].items()) + [("overall", dict(metrics, support=metrics["true_entities"]))]
    for name, m in rows:
        lines.append(f"{name:<{width}}  {m['precision']:9.4f}  {m['recall']:6.4f}  {m['f1']:6.4f}  {m['support']:7d}")
    lines.append(f"sentences {metrics['n']}, tokens {metrics['tokens']}")
    return "\n".join(lines)
