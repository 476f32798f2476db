"""Pruning benchmark on held-out SST-2 sentences (issue 7: accuracy and compressed size at 50% / 80%).

For each model (BiLSTM by default): train it dense on the leak-free SST-2 split (best epoch
kept), then, from those same dense weights, fine-tune `--prune-epochs` epochs with
`MagnitudePruning` to each target sparsity (0% is the like-for-like baseline: same fine-tuning,
no pruning), strip, export float (and `--quantize`) TFLite files, and record held-out accuracy
in Keras and TFLite, the measured sparsity, the file size and the gzip-compressed size (what a
download costs). About 25-40 minutes on 2 shared CPU cores with the defaults.

Usage:
    python benchmarks/sst2_split.py --min-words 1 --out runs/sst2r
    nice -n 10 python benchmarks/pruning.py --split runs/sst2r --out benchmarks/results/pruning_sst2.json
"""

import argparse
import json
import os
import platform
import random
import time


def _data(split, max_rows, seed):
    from keras_slm.data import read_classification
    from keras_slm.training import holdout_split

    train = read_classification(os.path.join(split, "train.tsv"))
    test = read_classification(os.path.join(split, "heldout.tsv"))
    if max_rows and len(train) > max_rows:
        train, _ = holdout_split(train, 1 - max_rows / len(train), seed)
    train, val = holdout_split(train, 0.1, seed)
    return train, val, test


def run_model(name, train, val, test, args):
    from keras_slm.callbacks import gzip_size
    from keras_slm.training import train_classifier
    from keras_slm.training.pruning import prune_classifier

    start = time.time()
    clf, _, metrics = train_classifier(train, val, model=name, epochs=args.epochs, patience=args.epochs,
                                       seed=args.seed, verbose=2)
    record = {"dense": {"val_accuracy": metrics["accuracy"], "best_epoch": metrics["best_epoch"],
                        "heldout_accuracy": clf.evaluate(test)["accuracy"], "wall_s": round(time.time() - start, 1),
                        "params": int(clf.model.count_params())},
              "pruned": []}
    print(f"{name} dense: held-out {record['dense']['heldout_accuracy']:.4f} ({record['dense']['wall_s']:.0f}s)")
    dense_weights = clf.model.get_weights()
    samples = random.Random(args.seed).sample(train.texts, min(500, len(train)))
    os.makedirs(args.work, exist_ok=True)
    for target in args.sparsities:
        clf.model.set_weights(dense_weights)
        start = time.time()
        result = prune_classifier(clf, train, val, final_sparsity=target, epochs=args.prune_epochs,
                                  learning_rate=args.prune_lr, seed=args.seed, verbose=2)
        row = {"target_sparsity": target, "sparsity": round(result["sparsity"], 4),
               "val_accuracy": result["accuracy"], "heldout_keras": clf.evaluate(test)["accuracy"],
               "finetune_wall_s": round(time.time() - start, 1), "exports": {}}
        for mode in args.quantize:
            path = os.path.join(args.work, f"{name}_s{round(100 * target)}_{mode}.tflite")
            report = clf.export(path, quantize=mode, sample_texts=samples, eval_data=test, latency_threads=())
            row["exports"][mode] = {"heldout_tflite": report.metric["tflite"], "size_bytes": report.size_bytes,
                                    "gzip_bytes": gzip_size(path), "max_abs_diff": report.parity["max_abs_diff"],
                                    "android_compatible": report.android_compatible}
        record["pruned"].append(row)
        float_export = row["exports"]["none"]
        print(f"{name} sparsity {row['sparsity']:.3f}: held-out Keras {row['heldout_keras']:.4f} "
              f"TFLite {float_export['heldout_tflite']:.4f}, {float_export['size_bytes']:,} bytes, "
              f"gzip {float_export['gzip_bytes']:,} ({row['finetune_wall_s']:.0f}s)", flush=True)
    return record


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="runs/sst2r", help="folder from benchmarks/sst2_split.py")
    parser.add_argument("--out", default="benchmarks/results/pruning_sst2.json", help="JSON file to write")
    parser.add_argument("--work", default="runs/pruning", help="folder for the .tflite files")
    parser.add_argument("--models", default="bilstm", help="comma-separated classifier families")
    parser.add_argument("--sparsities", default="0,0.5,0.8", help="comma-separated target sparsities")
    parser.add_argument("--quantize", default="none,dynamic", help="export modes per pruned model (none first)")
    parser.add_argument("--epochs", type=int, default=3, help="dense training epochs (best kept)")
    parser.add_argument("--prune-epochs", type=int, default=2, help="fine-tuning epochs while pruning")
    parser.add_argument("--prune-lr", type=float, default=5e-4, help="fine-tuning learning rate (Adam)")
    parser.add_argument("--max-rows", type=int, default=0, help="training rows (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.sparsities = [float(s) for s in args.sparsities.split(",")]
    args.quantize = args.quantize.split(",")
    if args.quantize[0] != "none":
        args.quantize.insert(0, "none")
    train, val, test = _data(args.split, args.max_rows, args.seed)
    start = time.time()
    record = {"train_rows": len(train), "val_rows": len(val), "heldout_rows": len(test), "models": {}}
    for name in args.models.split(","):
        record["models"][name] = run_model(name, train, val, test, args)
    record.update(settings=vars(args), total_wall_s=round(time.time() - start, 1),
                  machine={"cpus": os.cpu_count(), "platform": platform.platform()})
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(record, f, indent=1)
    print(f"wrote {args.out} ({record['total_wall_s']:.0f}s)")


if __name__ == "__main__":
    main()
