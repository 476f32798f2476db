"""translation_metrics: our wrapper gives sacreBLEU's own corpus scores (default settings)."""

import pytest
import sacrebleu

from keras_slm.evaluation.translation import translation_metrics

HYPOTHESES = ["The cat is on the mat.", "I don't like it!", "Tom went home early", "Hi."]
REFERENCES = ["The cat sat on the mat.", "I don't like that!", "Tom went home early.", "Hello."]


def test_bleu_and_chrf_equal_sacrebleu_corpus_scores():
    metrics = translation_metrics(HYPOTHESES, REFERENCES)
    assert metrics["bleu"] == pytest.approx(sacrebleu.corpus_bleu(HYPOTHESES, [REFERENCES]).score, abs=1e-4)
    assert metrics["chrf"] == pytest.approx(sacrebleu.corpus_chrf(HYPOTHESES, [REFERENCES]).score, abs=1e-4)
    assert metrics["n"] == 4 and 0 < metrics["bleu"] < 100
    assert metrics["bleu_signature"].startswith("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp")


def test_identical_text_scores_100_and_mismatched_lengths_fail():
    assert translation_metrics(REFERENCES, REFERENCES)["bleu"] == 100.0
    with pytest.raises(ValueError, match="3 hypotheses but 4 references"):
        translation_metrics(HYPOTHESES[:3], REFERENCES)
