"""Held-out SST-2 sentences that share no text with the training rows.

SST-2's train split mixes full sentences with their sub-phrases, so a random split leaks:
a held-out sentence's phrases are in training and accuracy reads 8-10 points too high.
This holds out whole sentences (long rows that are no part of any other row, so they are
tree roots, not phrases of a longer training sentence) and removes from training every
row that is a word-span of a held-out sentence.

Usage: python benchmarks/sst2_split.py --data ../shared/data/sst2/train.tsv --out runs/sst2
Writes OUT/train.tsv, OUT/heldout.tsv (test sentences) and, with --val N, OUT/val.tsv
(validation sentences for early stopping; their phrases also leave training, which costs
training data). Takes a few seconds.
"""

import argparse
import csv
import os
import random


def _spans(sentence):
    words = sentence.split()
    return {" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}


def split_rows(rows, heldout=1000, val=0, min_words=12, seed=0, glue=False):
    """(train, heldout, val) lists of [text, label] rows: held-out sentences share no text with train.

    With `glue`, a phrase of a held-out sentence stays in training when it is also a phrase of a
    training sentence, as in GLUE's own train/dev split: its trees are split by sentence, so a
    common phrase ("funny", "the film") is in train.tsv whenever any training sentence holds it.
    Without it, every word-span of a held-out sentence leaves training (stricter than GLUE).
    """
    long_rows = sorted({r[0] for r in rows if len(r[0].split()) >= min_words})
    random.Random(seed).shuffle(long_rows)
    exact = {}
    for r in rows:
        exact[r[0]] = exact.get(r[0], 0) + 1
    corpus = "\n" + "\n".join(r[0] for r in rows) + "\n"
    held = set()
    for text in long_rows:
        # A row found inside another row is a phrase of a longer sentence: not held out.
        if corpus.count(text) == exact[text]:
            held.add(text)
            if len(held) == heldout + val:
                break
    spans = set()
    for sentence in held:
        spans |= _spans(sentence)
    if glue:
        # Tree roots: rows that are no proper span of another row. A span of a training root
        # is in GLUE's train split too, so only phrases found in held-out trees alone leave.
        text_spans = {text: _spans(text) for text in exact}  # computed once: the slow part
        inner = set()
        for text, own in text_spans.items():
            inner |= own - {text}
        for text, own in text_spans.items():
            if text not in inner and text not in held:
                spans -= own
    chosen = [t for t in long_rows if t in held]  # shuffled order: the first `heldout` are the test set
    test_set = set(chosen[:heldout])
    seen, heldout_unique, val_unique = set(), [], []
    for r in rows:
        if r[0] in held and r[0] not in seen:
            seen.add(r[0])
            (heldout_unique if r[0] in test_set else val_unique).append(r)
    train = [r for r in rows if r[0] not in spans]
    return train, heldout_unique, val_unique


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "sst2", "train.tsv"))
    parser.add_argument("--out", default="runs/sst2")
    parser.add_argument("--heldout", type=int, default=1000, help="held-out test sentences")
    parser.add_argument("--val", type=int, default=0, help="held-out validation sentences (for early stopping)")
    parser.add_argument("--min-words", type=int, default=12, help="a row this long counts as a sentence")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--glue", action="store_true",
                        help="keep phrases that training sentences share with held-out ones (GLUE's protocol)")
    args = parser.parse_args()

    with open(args.data, encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    train, heldout_unique, val_unique = split_rows(rows, args.heldout, args.val, args.min_words, args.seed, args.glue)
    os.makedirs(args.out, exist_ok=True)
    parts = [("train.tsv", train), ("heldout.tsv", heldout_unique)] + ([("val.tsv", val_unique)] if val_unique else [])
    for name, part in parts:
        with open(os.path.join(args.out, name), "w", encoding="utf-8") as f:
            f.write("text\tlabel\n")
            f.writelines(f"{t}\t{label}\n" for t, label in part)
    print(f"train {len(train)} rows (removed {len(rows) - len(train)} overlapping), "
          f"heldout {len(heldout_unique)} sentences, val {len(val_unique)} sentences")


if __name__ == "__main__":
    main()
