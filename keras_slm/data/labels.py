"""Label vocabulary: string labels <-> class ids, saved beside the model."""

import os

import numpy as np

from keras_slm import files
from keras_slm.errors import DataError, ModelDirError

LABELS_FILE = "labels.txt"


class LabelVocabulary:
    """Maps string labels to ids in sorted order, so the same labels give the same ids.

    Args:
        labels: list of distinct label strings; index = class id.

    Example:
    >>> vocab = LabelVocabulary.fit(["pos", "neg", "pos"])
    >>> vocab.labels, vocab.encode(["pos", "neg"]).tolist()
    (['neg', 'pos'], [1, 0])
    """

    def __init__(self, labels):
        labels = list(labels)
        if len(labels) < 2:
            raise ValueError(f"A classifier needs at least 2 labels, received {labels}.")
        if len(set(labels)) != len(labels):
            raise ValueError(f"`labels` holds duplicates: {labels}.")
        self.labels = labels
        self._ids = {label: i for i, label in enumerate(labels)}

    @classmethod
    def fit(cls, labels, data=None):
        """The sorted distinct `labels`; `data` (their `ClassificationData`) names the file if fewer than 2."""
        distinct = sorted(set(labels))
        if len(distinct) < 2 and data is not None:
            raise DataError(data.path, None, f"holds {len(distinct)} distinct label(s) {distinct[:5]}; "
                            "a classifier needs at least 2")
        return cls(distinct)

    def __len__(self):
        return len(self.labels)

    def encode(self, labels, data=None):
        """Class ids (int32) of `labels`.

        Args:
            labels: list of label strings.
            data: the `ClassificationData` they came from, so an unseen label is
                reported with its file and line.
        """
        out = np.empty(len(labels), dtype=np.int32)
        for i, label in enumerate(labels):
            if label not in self._ids:
                path = data.path if data is not None else "<labels>"
                line = data.lines[i] if data is not None else i + 1
                raise DataError(
                    path, line, f"label {label!r} was not seen in training; known labels: {self.labels}"
                )
            out[i] = self._ids[label]
        return out

    def unseen_rows(self, data):
        """Indices of rows of `data` whose label is not in this vocabulary."""
        return [i for i, label in enumerate(data.labels) if label not in self._ids]

    def decode(self, ids):
        return [self.labels[int(i)] for i in ids]

    def save(self, directory):
        files.write_text_atomic(
            os.path.join(directory, LABELS_FILE), "".join(f"{label}\n" for label in self.labels)
        )

    @classmethod
    def load(cls, directory, filename=LABELS_FILE):
        """DIR/labels.txt (or DIR/`filename`), one label per line; a `ModelDirError` naming the file if it is bad."""
        path = os.path.join(directory, filename)
        if not os.path.exists(path):
            raise ModelDirError(f"{directory}: no {filename}")
        text = files.read_text(path, "one label per line") if os.path.isfile(path) else None
        if text is None:
            raise ModelDirError(f"{path}: is not a file; expected one label per line")
        try:
            return cls([line for line in text.split("\n") if line])
        except ValueError as e:
            raise ModelDirError(f"{path}: {e} (expected one label per line, the labels the model was trained on)") from None
