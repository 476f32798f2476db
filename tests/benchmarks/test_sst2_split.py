"""benchmarks/sst2_split.py: held-out sentences share no text with training, in both protocols."""

import importlib.util
import os

from tests.conftest import REPO

_spec = importlib.util.spec_from_file_location("sst2_split", os.path.join(REPO, "benchmarks", "sst2_split.py"))
sst2_split = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sst2_split)

# Two little treebanks: each sentence (a tree root) with some of its phrases, as SST-2 lists them.
ROWS = [
    ["a funny and moving film", "1"], ["funny", "1"], ["moving film", "1"], ["a funny", "1"],
    ["a dull and funny mess", "0"], ["dull", "0"], ["funny mess", "0"], ["a dull", "0"],
]


def _split(glue):
    train, held, _ = sst2_split.split_rows(ROWS, heldout=1, min_words=3, seed=0, glue=glue)
    return {t for t, _ in train}, [t for t, _ in held]


def test_strict_split_drops_every_span_of_the_heldout_sentence():
    train, (sentence,) = _split(glue=False)
    assert sentence in ("a funny and moving film", "a dull and funny mess")
    spans = sst2_split._spans(sentence)
    assert not train & spans
    assert train == {t for t, _ in ROWS} - spans


def test_glue_split_keeps_phrases_a_training_sentence_also_has():
    train, (sentence,) = _split(glue=True)
    other = ({"a funny and moving film", "a dull and funny mess"} - {sentence}).pop()
    # "funny" is a phrase of both sentences: GLUE's train split has it; the held-out
    # sentence and its own phrases ("a funny" / "funny mess", ...) stay out.
    assert "funny" in train and other in train and sentence not in train
    only_heldout = sst2_split._spans(sentence) - sst2_split._spans(other)
    assert not train & only_heldout
    assert train == {t for t, _ in ROWS} - only_heldout
