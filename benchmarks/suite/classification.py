"""One classification step: every family, the tiny transformer and the baselines on one dataset.

Per model: training time, parameters, held-out accuracy of the Keras model and of each
TFLite file (float / dynamic / float16 / int8) with its size, parity and 1- and 2-thread
latency, all from `TextClassifier.export`'s `ExportReport`. Baselines: TF-IDF + logistic
regression (scikit-learn), Keras' default `model.export(format="litert")`
(benchmarks/export_matrix.py), and the `awe` family, which is MediaPipe Model Maker's
average-word-embedding classifier (Model Maker itself pins TF < 2.16).
"""

import csv
import os
import pickle
import random
import time

import numpy as np

from benchmarks.export_matrix import keras_default_export
from benchmarks.sst2_split import split_rows

LABELS = {"awe": "awe (MediaPipe Model Maker-style average word embedding)"}


def _write_tsv(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write("text\tlabel\n")
        f.writelines(f"{t}\t{label}\n" for t, label in rows)
    return path


def _sample(data, n, seed=0):
    if not n or n >= len(data):
        return data
    return data.subset(sorted(np.random.default_rng(seed).permutation(len(data))[:n]))


def load_data(step, shared, work):
    """(train, test) `ClassificationData` for a step, sliced as it says."""
    from keras_slm.data import read_classification

    if step["source"] == "sst2_split":
        with open(os.path.join(shared, "sst2", "train.tsv"), encoding="utf-8") as f:
            rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
        train_rows, heldout, _ = split_rows(rows, heldout=1000, min_words=1)  # as BENCHMARKS.md's SST-2 split
        os.makedirs(work, exist_ok=True)
        train = read_classification(_write_tsv(os.path.join(work, "train.tsv"), train_rows))
        test = read_classification(_write_tsv(os.path.join(work, "heldout.tsv"), heldout))
    else:
        train = read_classification(os.path.join(shared, step["name"], "train.tsv"))
        test = read_classification(os.path.join(shared, step["name"], "test.tsv"))
    train = _sample(train, step["train_rows"])
    test = test if not step["test_rows"] else test.subset(range(min(step["test_rows"], len(test))))
    return train, test


def export_entry(report, keras_metric, export_s):
    """The JSON record of one TFLite file from its `ExportReport`."""
    return {
        "metric": report.metric["tflite"], "keras_metric": keras_metric,
        "drop_points": round((keras_metric - report.metric["tflite"]) * 100, 3),
        "size_bytes": report.size_bytes, "latency": report.latency,
        "argmax_agreement": report.parity["argmax_agreement"] if report.parity else None,
        "max_abs_diff": report.parity["max_abs_diff"] if report.parity else None,
        "num_subgraphs": report.num_subgraphs, "unrolled": report.unrolled,
        "android_compatible": report.android_compatible, "xnnpack": report.xnnpack, "export_s": round(export_s, 1),
    }


def export_all(model, step, out_dir, export_one):
    """Runs `export_one(path, mode) -> ExportReport` for each quantization mode; errors are recorded."""
    from keras_slm.errors import ExportError

    exports = {}
    for mode in step["quantize"]:
        start = time.time()
        try:
            report = export_one(os.path.join(out_dir, f"model_{mode}.tflite"), mode)
        except (ExportError, ValueError) as e:
            exports[mode] = {"error": str(e)[:500]}
            continue
        exports[mode] = export_entry(report, model["keras_metric"], time.time() - start)
    float_size = exports.get("none", {}).get("size_bytes")
    for entry in exports.values():
        if float_size and "size_bytes" in entry:
            entry["size_ratio"] = round(entry["size_bytes"] / float_size, 4)
    return exports


def tfidf_baseline(train, test, tokenizer):
    """TF-IDF (word 1-2 grams, or character 1-3 grams for `char` data) + logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    vectorizer = (TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
                  if tokenizer == "char" else TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1))
    pipeline = make_pipeline(vectorizer, LogisticRegression(C=4.0, max_iter=2000))
    start = time.time()
    pipeline.fit(train.texts, train.labels)
    train_s = time.time() - start
    accuracy = float(np.mean(pipeline.predict(test.texts) == np.asarray(test.labels)))
    times = []
    for text in (test.texts * 2)[:200]:
        t0 = time.perf_counter()
        pipeline.predict([text])
        times.append(time.perf_counter() - t0)
    return {
        "label": "TF-IDF + logistic regression (scikit-learn)", "metric": accuracy, "train_time_s": round(train_s, 1),
        "features": len(pipeline[0].vocabulary_), "params": int(pipeline[1].coef_.size + pipeline[1].intercept_.size),
        "pickle_bytes": len(pickle.dumps(pipeline)),
        "latency_1_text": {"median_ms": round(float(np.median(times) * 1e3), 4),
                           "p90_ms": round(float(np.percentile(times, 90) * 1e3), 4), "runs": len(times)},
    }


def _model_record(clf, val_metrics, train_s, test, family, label):
    metrics = clf.evaluate(test)
    return {
        "family": family, "label": label, "params": int(clf.model.count_params()), "train_time_s": round(train_s, 1),
        "epochs_run": val_metrics.get("epochs_run"), "best_epoch": val_metrics.get("best_epoch"),
        "val_accuracy": val_metrics.get("accuracy"), "keras_metric": metrics["accuracy"],
        "keras_macro_f1": metrics.get("macro_f1"),
    }


def run(step, shared, work, log=print):
    """Runs one classification step; returns its JSON record."""
    from keras_slm.training import holdout_split, train_classifier
    from keras_slm.training.transformer import train_transformer_classifier

    train, test = load_data(step, shared, os.path.join(work, "data"))
    result = {"metric": "accuracy", "higher_is_better": True, "settings": step,
              "data": {"train_rows": len(train), "val_rows": "10% of train", "test_rows": len(test)},
              "models": {}, "baselines": {}}
    if step["tfidf"]:
        result["baselines"]["tfidf_logreg"] = tfidf_baseline(train, test, step["tokenizer"])
        log(f"  tfidf_logreg: {result['baselines']['tfidf_logreg']['metric']:.3f}")
    calibration = random.Random(0).sample(train.texts, min(step["calibration"], len(train)))
    names = list(step["families"]) + ([f"transformer_{step['transformer']}"] if step["transformer"] else [])
    for name in names:
        start = time.time()
        if name.startswith("transformer_"):
            part, val = holdout_split(train, 0.1, 0)
            clf, _, val_metrics = train_transformer_classifier(
                part, val, model=step["transformer"], seq_len=step["seq_len"], vocab_size=4000,
                epochs=step["epochs"], patience=step["patience"], verbose=0)
        else:
            clf, _, val_metrics = train_classifier(
                train, None, model=name, tokenizer=step["tokenizer"], seq_len=step["seq_len"], epochs=step["epochs"],
                patience=step["patience"], verbose=0)
        model = _model_record(clf, val_metrics, time.time() - start, test, name, LABELS.get(name, name))
        out_dir = os.path.join(work, name)
        clf.save(out_dir)
        model["exports"] = export_all(model, step, out_dir, lambda path, mode: clf.export(
            path, quantize=mode, sample_texts=calibration, eval_data=test, latency_runs=step["latency_runs"]))
        if step["keras_default"] and not name.startswith("transformer_"):
            default = keras_default_export(clf.model, step["seq_len"], clf.encode(test.texts[:200]))
            result["baselines"].setdefault("keras_default_export", {})[name] = default
        result["models"][name] = model
        log(f"  {name}: Keras {model['keras_metric']:.3f}, " + ", ".join(
            f"{m} {e['metric']:.3f}" if "metric" in e else f"{m} ERROR" for m, e in model["exports"].items())
            + f" (train {model['train_time_s']}s)")
    return result
