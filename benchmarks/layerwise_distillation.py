"""Layer-wise (TinyBERT-style) vs logits-only distillation from MiniLM on held-out SST-2 sentences (issue 20).

Teacher: all-MiniLM-L6-v2 fine-tuned on `--rows` SST-2 training rows (1 epoch, length 64: what 2
CPU cores afford; no fine-tuned MiniLM is kept on disk). Every student sees the same rows, the same
teacher, the same WordPiece ids and the same number of passes over the data: logits-only gets
`--epochs + --layer-epochs` prediction-layer epochs, layer-wise gets `--layer-epochs` intermediate-
layer epochs then `--epochs` prediction-layer epochs. Each model is exported int8 (AI Edge
Quantizer path, the default for transformers) at length 64 (held-out accuracy of the file,
1-thread latency) and at length 128 (latency only). Results are appended run by run to `--out`,
so an interrupted run resumes where it stopped.

`--unlabelled N` gives every student (the BiLSTM too) N more texts drawn from the training rows outside
`--rows`, their labels dropped: the same 3,000-row teacher scores them (`distill --unlabelled`), and
`tinybert_4x192_layerwise_general` also runs general distillation on them first.

Usage (same 1,000 held-out sentences as the rest of BENCHMARKS.md):
    python benchmarks/sst2_split.py --min-words 1 --val 300 --out runs/sst2rv
    nice -n 10 python benchmarks/layerwise_distillation.py --split runs/sst2rv \\
        --out benchmarks/results/layerwise_distillation_sst2.json
    nice -n 10 python benchmarks/layerwise_distillation.py --split runs/sst2rv --unlabelled 6000 \
        --runs tinybert_4x192_layerwise_general,tinybert_4x192_logits,bilstm,tinybert_4x192_layerwise \
        --work runs/layerwise_u --out benchmarks/results/layerwise_distillation_sst2_unlabelled.json
"""

import argparse
import json
import os
import time

RUNS = {  # name -> (student preset or dict, layer-wise?, augment copies); "bilstm": `distill_classifier`'s BiLSTM
    "tinybert_4x312_logits": ("tinybert_4x312", False, 0),
    "tinybert_4x312_layerwise": ("tinybert_4x312", True, 0),
    "mobilebert_4x128_layerwise": ("mobilebert_4x128", True, 0),
    "mobilebert_4x128_nonorm_layerwise": ({"block": "mobilebert", "num_layers": 4, "hidden_dim": 128, "intra_dim": 256,
                                           "num_heads": 4, "intermediate_dim": 512, "num_feedforward": 2,
                                           "norm": "nonorm"}, True, 0),
    "tinybert_4x312_layerwise_augment": ("tinybert_4x312", True, 1),
    "tinybert_4x192_layerwise": ("tinybert_4x192", True, 0),
    "tinybert_4x192_logits": ("tinybert_4x192", False, 0),
    "tinybert_4x192_layerwise_general": ("tinybert_4x192", "general", 0),  # + general distillation on --unlabelled
    "bilstm": ("bilstm", False, 0),
}


def _data(split, rows, seed, unlabelled=0):
    """(train, val, test, unlabelled texts): `rows` seeded training rows; `unlabelled` texts of the other rows."""
    import numpy as np

    from keras_slm.data import read_classification
    from keras_slm.training import holdout_split

    train = read_classification(os.path.join(split, "train.tsv"))
    val = read_classification(os.path.join(split, "val.tsv"))
    test = read_classification(os.path.join(split, "heldout.tsv"))
    rest = None
    if rows and len(train) > rows:
        train, rest = holdout_split(train, 1 - rows / len(train), seed)
    if not unlabelled:
        return train, val, test, None
    order = np.random.default_rng(seed).permutation(len(rest))[:unlabelled]
    return train, val, test, [rest.texts[i] for i in order]  # their labels are dropped


def _exports(classifier, name, work, train, test):
    from keras_slm.tasks import TextClassifier

    record = {}
    for length in (64, 128):
        clf = TextClassifier(classifier.model, classifier.tokenizer, classifier.labels, length, family=classifier.family)
        start = time.time()
        report = clf.export(os.path.join(work, f"{name}_int8_{length}.tflite"), quantize="int8",
                            sample_texts=train.texts[:300], eval_data=test if length == 64 else None,
                            latency_threads=(1,), latency_runs=100)
        d = report.to_dict()
        record[str(length)] = {"size_bytes": d["size_bytes"], "latency": d.get("latency"), "metric": d.get("metric"),
                               "android_compatible": d["android_compatible"], "wall_s": round(time.time() - start, 1)}
        print(name, length, record[str(length)], flush=True)
    return record


def _teacher(args, train, val, test):
    import keras

    from keras_slm.data.labels import LabelVocabulary
    from keras_slm.models.transformer_classifier import transformer_classifier
    from keras_slm.tasks import TextClassifier, load_minilm
    from keras_slm.training.classification import fit_best_epoch
    from keras_slm.training.transformer import bert_dataset

    path = os.path.join(args.work, "teacher")
    if os.path.exists(os.path.join(path, "model.keras")):
        return TextClassifier.load(path), None
    keras.utils.set_random_seed(args.seed)
    start = time.time()
    encoder, tokenizer = load_minilm(max_length=128)
    labels = LabelVocabulary.fit(train.labels, train)
    net = transformer_classifier(encoder, len(labels))
    net.compile(keras.optimizers.AdamW(5e-5, weight_decay=0.01, clipnorm=1.0), loss="sparse_categorical_crossentropy",
                metrics=["accuracy"])
    ids = lambda data: tokenizer.encode(data.texts, args.seq_len)["input_word_ids"]  # noqa: E731
    fit_best_epoch(net, bert_dataset(ids(train), labels.encode(train.labels, train), 32, shuffle=True, seed=args.seed),
                   bert_dataset(ids(val), labels.encode(val.labels, val), 128), epochs=1, patience=1, verbose=2)
    teacher = TextClassifier(net, tokenizer, labels, args.seq_len, family="minilm")
    teacher.save(path)
    return teacher, round(time.time() - start, 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="runs/sst2rv")
    parser.add_argument("--out", default="benchmarks/results/layerwise_distillation_sst2.json")
    parser.add_argument("--work", default="runs/layerwise")
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--seq-len", type=int, default=64)
    parser.add_argument("--layer-epochs", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--runs", default=",".join(RUNS))
    parser.add_argument("--seed", type=int, default=0, help="seeds the rows drawn, the teacher and the students")
    parser.add_argument("--student-seed", type=int, help="seeds the students only (default --seed): a second student "
                                                          "seed over the same rows and teacher (--work's teacher is reused)")
    parser.add_argument("--unlabelled", type=int, default=0, metavar="N",
                        help="also give every student N texts of the other training rows, labels dropped (the teacher "
                             "scores them; `distill --unlabelled`)")
    parser.add_argument("--latency-only", action="store_true",
                        help="re-time every int8 file of --work back to back (one quiet pass, comparable numbers)")
    args = parser.parse_args()
    if args.latency_only:
        return remeasure(args)

    from keras_slm.tasks.classifier_training import distill_classifier
    from keras_slm.tasks.layerwise_distill import layerwise_distill_classifier

    os.makedirs(args.work, exist_ok=True)
    results = json.load(open(args.out)) if os.path.exists(args.out) else {}
    results["settings"] = dict(vars(args), cpus=os.cpu_count())
    train, val, test, unlabelled = _data(args.split, args.rows, args.seed, args.unlabelled)
    teacher, wall = _teacher(args, train, val, test)

    def save():
        os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)

    if "teacher" not in results:
        results["teacher"] = {"train_wall_s": wall, "train_rows": len(train),
                              "keras_heldout_accuracy": teacher.evaluate(test)["accuracy"],
                              "int8": _exports(teacher, "teacher", args.work, train, test)}
        save()
    student_seed = args.seed if args.student_seed is None else args.student_seed
    for name in filter(None, args.runs.split(",")):
        if name in results:
            continue
        student, layerwise, augment = RUNS[name]
        start = time.time()
        passes = args.epochs + args.layer_epochs
        if student == "bilstm":  # `keras-slm distill`'s defaults (word tokenizer, T 2, alpha 0.5), the same passes
            clf, _, metrics = distill_classifier(teacher, train, val, student="bilstm", seq_len=args.seq_len,
                                                 epochs=passes, patience=passes, seed=student_seed, verbose=2,
                                                 augment=augment, unlabelled=unlabelled)
        else:
            clf, _, metrics = layerwise_distill_classifier(
                teacher, train, val, student=student, seq_len=args.seq_len, max_length=128,
                general_texts=unlabelled if layerwise == "general" else None,
                layer_epochs=args.layer_epochs if layerwise else 0,
                epochs=args.epochs if layerwise else passes, patience=passes, augment=augment,
                unlabelled=unlabelled, seed=student_seed, verbose=2)
        wall = round(time.time() - start, 1)
        results[name] = {"train_wall_s": wall, "val_accuracy": metrics["accuracy"],
                         "layerwise": metrics.get("layerwise"), "best_epoch": metrics.get("best_epoch"),
                         "augmented_rows": metrics["augmented_rows"], "unlabelled_rows": metrics["unlabelled_rows"],
                         "params": int(clf.model.count_params()),
                         "keras_heldout_accuracy": clf.evaluate(test)["accuracy"],
                         "int8": _exports(clf, name, args.work, train, test)}
        print(name, {k: v for k, v in results[name].items() if k != "int8"}, flush=True)
        save()


def remeasure(args, rounds=3, runs=100):
    """Median 1-thread latency of every int8 file in --work, `rounds` interleaved passes (best median kept)."""
    from keras_slm.export.latency import measure_latency

    results = json.load(open(args.out))
    paths = sorted(name for name in os.listdir(args.work) if name.endswith(".tflite"))
    best = {}
    for _ in range(rounds):
        for name in paths:
            ms = measure_latency(os.path.join(args.work, name), threads=(1,), runs=runs)["1"]["median_ms"]
            best[name] = min(ms, best.get(name, ms))
    results["latency_remeasured"] = {"ms_1_thread_best_median": best, "rounds": rounds, "runs": runs,
                                     "load_average": os.getloadavg()}
    print(json.dumps(results["latency_remeasured"], indent=1))
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
