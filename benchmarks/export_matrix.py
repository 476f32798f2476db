"""Export benchmark: every classifier family x every quantization mode on held-out SST-2.

For each family: train on the leak-free SST-2 split (benchmarks/sst2_split.py), then for
float / dynamic / float16 / int8 files report held-out accuracy (Keras and TFLite), size
(and its ratio to the float file), parity and 1/2-thread latency; and, side by side, Keras'
own `model.export(format="litert")`: the Flex ops it needs, its size, latency and parity
(run with TensorFlow's own interpreter where it can run at all: files with Flex ops
need the select-TF-ops runtime, which neither it nor LiteRT's interpreter carries).

Usage (about 15-25 minutes on 2 CPU cores):
    python benchmarks/sst2_split.py --out runs/sst2
    python benchmarks/export_matrix.py --split runs/sst2 --out benchmarks/results/export_matrix.json
"""

import argparse
import json
import os
import platform
import random
import tempfile
import time

import numpy as np


def keras_default_export(model, seq_len, ids):
    """Keras' own LiteRT export: ops, size, latency and parity, run with Flex available."""
    import tensorflow as tf

    from keras_slm.export import inspect_tflite

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "keras_default.tflite")
        model.export(path, format="litert", verbose=False)
        info = inspect_tflite(path)
        result = {
            "size_bytes": info.size_bytes,
            "flex_ops": info.flex_ops,
            "android_compatible": info.android_compatible,
            "num_subgraphs": info.num_subgraphs,
        }
        interpreter = tf.lite.Interpreter(model_path=path, num_threads=1)
        detail = interpreter.get_input_details()[0]
        interpreter.resize_tensor_input(detail["index"], [1, seq_len])
        try:
            interpreter.allocate_tensors()
        except RuntimeError as e:
            # The pip TensorFlow's interpreter carries no Flex delegate either: such a file
            # runs nowhere without shipping the select-TF-ops runtime.
            result["runs_without_flex_delegate"] = False
            result["error"] = str(e).split("See instructions")[0].strip()
            return result
        result["runs_without_flex_delegate"] = True
        out_index = interpreter.get_output_details()[0]["index"]
        outputs = []
        for row in ids:
            interpreter.set_tensor(detail["index"], row[None].astype(np.int32))
            interpreter.invoke()
            outputs.append(interpreter.get_tensor(out_index)[0])
        times = []
        for _ in range(200):
            start = time.perf_counter()
            interpreter.invoke()
            times.append(time.perf_counter() - start)
        keras_out = model.predict(ids, verbose=0)
        result["max_abs_diff"] = float(np.max(np.abs(np.asarray(outputs) - keras_out)))
        result["latency_1_thread"] = {"median_ms": float(np.median(times) * 1e3), "p90_ms": float(np.percentile(times, 90) * 1e3)}
        return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="runs/sst2", help="folder from sst2_split.py (val.tsv optional)")
    parser.add_argument("--families", nargs="+", default=["awe", "lstm", "gru", "bilstm", "stacked_lstm"])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--seq-len", type=int, default=64)
    parser.add_argument("--out", default="benchmarks/results/export_matrix.json")
    parser.add_argument("--models-dir", default="runs/export_matrix")
    parser.add_argument("--merge", action="store_true", help="keep other families already in --out")
    args = parser.parse_args()

    from keras_slm.data import read_classification
    from keras_slm.training import train_classifier

    train = read_classification(os.path.join(args.split, "train.tsv"))
    val_path = os.path.join(args.split, "val.tsv")
    val = read_classification(val_path) if os.path.exists(val_path) else None
    test = read_classification(os.path.join(args.split, "heldout.tsv"))
    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, {platform.platform()}",
        "date": time.strftime("%Y-%m-%d"),
        "command": "python benchmarks/export_matrix.py " + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items() if not isinstance(v, list)),
        "data": {"train_rows": len(train), "val_rows": len(val) if val else "10% of train", "test_sentences": len(test)},
        "families": {},
    }
    if args.merge and os.path.exists(args.out):
        with open(args.out) as f:
            results["families"] = json.load(f)["families"]
    calibration = random.Random(0).sample(train.texts, 1000)  # as `keras-slm train` keeps them
    for family in args.families:
        start = time.time()
        clf, _, val_metrics = train_classifier(
            train, val, model=family, seq_len=args.seq_len, epochs=args.epochs, verbose=0, patience=2
        )
        train_time = time.time() - start
        out_dir = os.path.join(args.models_dir, family)
        clf.save(out_dir)
        entry = {
            "train_time_s": round(train_time, 1),
            "best_epoch": val_metrics["best_epoch"],
            "params": int(clf.model.count_params()),
            "keras_test_accuracy": clf.evaluate(test)["accuracy"],
            "exports": {},
        }
        for quantize in ("none", "dynamic", "float16", "int8"):
            report = clf.export(
                os.path.join(out_dir, f"model_{quantize}.tflite"), quantize=quantize,
                sample_texts=calibration, eval_data=test,
            )
            entry["exports"][quantize] = {
                "size_bytes": report.size_bytes,
                "test_accuracy": report.metric["tflite"],
                "drop_points": round(report.metric["drop"] * 100, 3),
                "max_abs_diff": report.parity["max_abs_diff"],
                "argmax_agreement": report.parity["argmax_agreement"],
                "num_subgraphs": report.num_subgraphs,
                "android_compatible": report.android_compatible,
                "xnnpack": report.xnnpack,
                "latency": report.latency,
            }
        float_size = entry["exports"]["none"]["size_bytes"]
        for e in entry["exports"].values():
            e["size_ratio"] = round(e["size_bytes"] / float_size, 4)
        entry["keras_default_export"] = keras_default_export(clf.model, args.seq_len, clf.encode(test.texts[:200]))
        results["families"][family] = entry
        print(json.dumps({family: entry}, indent=1), flush=True)
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
