"""Few-shot splits: a seeded sample of K labelled rows per class, and checks that a file can train one.

`sample_per_class` makes reproducible few-shot training sets (the same file, K and seed give
the same rows on every machine); `check_few_shot` says in one line what a few-shot training file
lacks (a second class, two examples of each class).
"""

import collections

import numpy as np

from keras_slm import files
from keras_slm.data.classification import ClassificationData
from keras_slm.errors import DataError


def _by_label(data):
    if data.labels is None:
        raise DataError(data.path, None, "few-shot sampling needs labelled rows; the file has no labels")
    rows = collections.defaultdict(list)
    for i, label in enumerate(data.labels):
        rows[label].append(i)
    return rows


def check_few_shot(data):
    """Raises `DataError` unless `data` has >= 2 classes with >= 2 examples each (one line, naming them).

    Contrastive training pairs each example with another of its class, so a class needs two.

    Example:
    >>> check_few_shot(ClassificationData(["a b", "c d", "e f", "g h"], ["x", "x", "y", "y"]))
    """
    rows = _by_label(data)
    if len(rows) < 2:
        raise DataError(data.path, None, f"few-shot training needs at least 2 classes, found only {sorted(rows)}")
    thin = {label: len(index) for label, index in sorted(rows.items()) if len(index) < 2}
    if thin:
        listed = ", ".join(f"{label!r} ({n})" for label, n in thin.items())
        raise DataError(data.path, None, f"few-shot training needs at least 2 examples per class; too few: {listed}")


def sample_per_class(data, per_class, seed=0, min_words=0):
    """A seeded sample of `per_class` distinct texts of each class (rows kept in file order).

    Args:
        data: labelled `ClassificationData`.
        per_class: K, the examples to draw per class (>= 1).
        seed: the draw's seed: the same file, K and seed give the same rows.
        min_words: draw only texts of at least this many white-space words (e.g. 8 for
            full SST-2 sentences, not its phrases).

    Returns:
        `ClassificationData` of K x classes rows (their `lines` point into the source file).

    Raises:
        DataError: unlabelled data, a single class, or a class with fewer than K eligible texts
            (the message names the class and how many it has).

    Example:
    >>> data = ClassificationData(["a", "b", "c", "d", "e"], ["x", "x", "y", "y", "y"])
    >>> sample_per_class(data, 2, seed=0).labels
    ['x', 'x', 'y', 'y']
    """
    if not isinstance(per_class, (int, np.integer)) or per_class < 1:
        raise ValueError(f"`per_class` must be an integer >= 1, received {per_class!r}.")
    rows = _by_label(data)
    if len(rows) < 2:
        raise DataError(data.path, None, f"a few-shot sample needs at least 2 classes, found only {sorted(rows)}")
    rng = np.random.default_rng(seed)
    chosen = []
    for label in sorted(rows):
        seen, eligible = set(), []
        for i in rows[label]:
            key = " ".join(data.texts[i].split())
            if key not in seen and len(key.split()) >= min_words:
                seen.add(key)
                eligible.append(i)
        if len(eligible) < per_class:
            what = f"distinct texts of >= {min_words} words" if min_words else "distinct texts"
            raise DataError(data.path, None,
                            f"class {label!r} has {len(eligible)} {what}, fewer than the {per_class} per class asked for")
        chosen += [eligible[j] for j in rng.choice(len(eligible), per_class, replace=False)]
    return data.subset(sorted(chosen))


def write_tsv(data, path, text_column="text", label_column="label"):
    """Writes `data` as a TSV file with a header (atomically); tabs and newlines in texts become spaces.

    Example:
    >>> import os, tempfile
    >>> write_tsv(ClassificationData(["a\\tb"], ["x"]), os.path.join(tempfile.mkdtemp(), "k.tsv"))
    """
    lines = [f"{text_column}\t{label_column}\n"]
    for text, label in zip(data.texts, data.labels):
        lines.append(f"{' '.join(text.split())}\t{label}\n")
    files.write_text_atomic(path, "".join(lines))
