"""Distillation benchmark (issue 7): BiLSTM distilled from a MiniLM teacher vs the same BiLSTM on labels.

Both students are `keras-slm train`'s defaults (bilstm, word tokenizer, seq 64, 5 epochs,
patience 2, batch 32, Adam 1e-3, seeded leak-free 10% validation: whole sentences), trained on the
leak-free SST-2 split and scored from their float TFLite files on the 1,000 held-out sentences.

The teacher's scores come either from a model folder (`--teacher DIR`: scored here on CPU, what
`keras-slm distill --teacher DIR` does) or, much faster, from a file of softmax scores aligned
with the training rows (`--teacher-scores`: benchmarks/minilm_teacher_gpu.py writes one for
runs/sst2r/train.tsv). benchmarks/minilm_import_finetuned.py checks that our Keras import of
that teacher reproduces those scores.

Usage:
    python benchmarks/distillation.py --teacher-scores runs/minilm_teacher_gpu/teacher_train_scores.npy
About 15 minutes per student on 2 CPU cores.
"""

import argparse
import json
import os
import time

import numpy as np


class ScoresTeacher:
    """A teacher whose scores were computed elsewhere: looks them up by training text."""

    def __init__(self, labels, texts, scores):
        if len(texts) != len(scores):
            raise SystemExit(f"{len(texts)} training rows but {len(scores)} teacher scores")
        self.labels = labels
        self._scores = dict(zip(texts, scores))

    def predict_scores(self, texts):
        return np.stack([self._scores[t] for t in texts])


def heldout_accuracy(classifier, out_dir, heldout, sample_texts):
    report = classifier.export(os.path.join(out_dir, "model.tflite"), sample_texts=sample_texts)
    from keras_slm.models import TextClassifier

    tflite = TextClassifier.load(os.path.join(out_dir, "model.tflite")).evaluate(heldout)
    return {"keras": classifier.evaluate(heldout)["accuracy"], "tflite": tflite["accuracy"],
            "tflite_macro_f1": tflite["macro_f1"], "size_bytes": report.size_bytes}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="runs/sst2r")
    parser.add_argument("--teacher", help="teacher model folder (scored on CPU)")
    parser.add_argument("--teacher-scores", help="teacher softmax scores aligned with SPLIT/train.tsv rows (.npy)")
    parser.add_argument("--student", default="bilstm")
    parser.add_argument("--temperature", type=float, default=2.0)
    parser.add_argument("--alpha", type=float, default=0.5)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--skip-baseline", action="store_true", help="only the distilled student")
    parser.add_argument("--out", default="runs/distill")
    parser.add_argument("--json", default="benchmarks/results/distillation_sst2.json")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--augment", type=int, default=0,
                        help="perturbed copies per training text of 4+ words, labelled by the teacher (needs --teacher)")
    parser.add_argument("--random-val", action="store_true",
                        help="validation from random rows (phrases), as `keras-slm train` did before 2026-11-29")
    args = parser.parse_args()
    from keras_slm.data import read_classification
    from keras_slm.data.labels import LabelVocabulary
    from keras_slm.models import TextClassifier
    from keras_slm.training import holdout_split, train_classifier
    from keras_slm.training.distillation import distill_classifier

    data = read_classification(os.path.join(args.split, "train.tsv"))
    heldout = read_classification(os.path.join(args.split, "heldout.tsv"))
    if args.teacher:
        teacher = TextClassifier.load(args.teacher)
    else:
        teacher = ScoresTeacher(LabelVocabulary.fit(data.labels), data.texts, np.load(args.teacher_scores))
    teacher_heldout = teacher.predict_scores(heldout.texts) if args.teacher else None
    train, val = holdout_split(data, 0.1, args.seed, leak_free=not args.random_val)
    settings = dict(epochs=args.epochs, seed=args.seed, verbose=2)
    record = {"split": args.split, "train_rows": len(train), "val_rows": len(val), "heldout_rows": len(heldout),
              "student": args.student, "temperature": args.temperature, "alpha": args.alpha,
              "teacher": args.teacher or args.teacher_scores,
              "augment": args.augment,
              "validation": "random rows" if args.random_val else "leak-free (whole sentences)"}
    if teacher_heldout is not None:
        record["teacher_heldout_accuracy"] = float((teacher_heldout.argmax(1) == teacher.labels.encode(heldout.labels, heldout)).mean())
    runs = [("distilled", lambda: distill_classifier(teacher, train, val, student=args.student, temperature=args.temperature,
                                                     alpha=args.alpha, augment=args.augment, **settings))]
    if not args.skip_baseline:
        runs.append(("labels_only", lambda: train_classifier(train, val, model=args.student, **settings)))
    for name, fit in runs:
        t0 = time.time()
        classifier, _, metrics = fit()
        wall = time.time() - t0
        out_dir = os.path.join(args.out, name)
        classifier.save(out_dir)
        record[name] = {"validation_accuracy": metrics["accuracy"], "best_epoch": metrics.get("best_epoch"),
                        "augmented_rows": metrics.get("augmented_rows"),
                        "epochs_run": metrics.get("epochs_run"), "train_wall_s": round(wall, 1),
                        **heldout_accuracy(classifier, out_dir, heldout, train.texts[:500])}
        print(name, json.dumps(record[name]), flush=True)
        os.makedirs(os.path.dirname(args.json), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(record, f, indent=1)


if __name__ == "__main__":
    main()
