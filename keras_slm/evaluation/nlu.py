"""Joint intent / slot metrics: intent accuracy, slot entity F1 (seqeval-equal) and sentence accuracy."""

from keras_slm.evaluation.entities import entity_metrics


def nlu_metrics(true_intents, pred_intents, true_tags, pred_tags):
    """Intent accuracy, slot precision / recall / F1 and sentence accuracy.

    Slot scores are entity-level (`entity_metrics`, equal to seqeval's default mode); a
    sentence is right when its intent and every slot tag are right.

    Args:
        true_intents, pred_intents: intent strings, one per utterance.
        true_tags, pred_tags: BIO slot tag lists, one per utterance.

    Returns:
        {"intent_accuracy", "slot_f1", "slot_precision", "slot_recall", "sentence_accuracy",
         "n", "per_type": {slot: {"precision", "recall", "f1", "support"}}}

    Example:
    >>> m = nlu_metrics(["Play", "Book"], ["Play", "Play"], [["B-song"], ["O"]], [["B-song"], ["O"]])
    >>> m["intent_accuracy"], m["slot_f1"], m["sentence_accuracy"]
    (0.5, 1.0, 0.5)
    """
    if not len(true_intents) == len(pred_intents) == len(true_tags) == len(pred_tags):
        raise ValueError(f"Lengths differ: {len(true_intents)} / {len(pred_intents)} intents, "
                         f"{len(true_tags)} / {len(pred_tags)} tag sequences.")
    slots = entity_metrics(true_tags, pred_tags)
    n = len(true_intents)
    right = [a == b for a, b in zip(true_intents, pred_intents)]
    whole = [r and list(t) == list(p) for r, t, p in zip(right, true_tags, pred_tags)]
    return {
        "intent_accuracy": sum(right) / max(n, 1), "slot_f1": slots["f1"], "slot_precision": slots["precision"],
        "slot_recall": slots["recall"], "sentence_accuracy": sum(whole) / max(n, 1), "n": n,
        "per_type": slots["per_type"],
    }
