"""Translation quality: corpus BLEU and chrF from sacreBLEU (its default settings)."""


def translation_metrics(hypotheses, references):
    """Corpus BLEU (13a tokenization, exponential smoothing) and chrF (character 6-grams, beta 2).

    Args:
        hypotheses: list of system outputs (str).
        references: list of reference translations (str), one per hypothesis.

    Returns:
        {"bleu", "chrf", "n", "bleu_signature", "chrf_signature"}: scores 0-100, as sacreBLEU prints them.

    Example:
    >>> translation_metrics(["The cat sat on the mat."], ["The cat sat on the mat."])["bleu"]
    100.0
    """
    import sacrebleu

    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references.")
    if not hypotheses:
        raise ValueError("no sentences to score.")
    bleu, chrf = sacrebleu.metrics.BLEU(), sacrebleu.metrics.CHRF()
    bleu_score = bleu.corpus_score(list(hypotheses), [list(references)])
    chrf_score = chrf.corpus_score(list(hypotheses), [list(references)])
    return {"bleu": round(float(bleu_score.score), 4), "chrf": round(float(chrf_score.score), 4), "n": len(hypotheses),
            "bleu_signature": str(bleu.get_signature()), "chrf_signature": str(chrf.get_signature())}
