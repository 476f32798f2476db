"""On-device personalisation benchmark (issue 25): training only through a .tflite file's `train`.

Parts (each writes benchmarks/results/ondevice_<part>.json):
- agnews: user categories. An untrained 8-slot head over the dynamic-range MiniLM embedder file
  learns AG News's 4 classes from 16 examples each, through `train` (LiteRT, no TF in the loop);
  compared with the same head trained in Keras (plain SGD, same batches) on the same examples,
  and timed: one `train` step per example at 1 thread.
- amazon: corrections. A SST-2 head (trained in Keras on the file's MiniLM features of SST-2
  training rows) is refined on-device on 200 Amazon review sentences; accuracy on the other
  800 Amazon rows and on 1,000 held-out SST-2 sentences, before and after.
- keyboard: see benchmarks/ondevice_keyboard.py.

Usage:
    python benchmarks/ondevice_personalisation.py --part agnews
About 3 minutes (agnews) and 6 minutes (amazon) on 2 CPU cores.
"""

import argparse
import csv
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data")
RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def read_tsv(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [r for r in rows[1:] if len(r) == 2]


def minilm_file(out_dir, seq_len, max_classes, kernel=None, bias=None, learning_rate=4.0, l2=0.0, name="head"):
    from keras_slm.tasks.minilm import load_minilm
    from keras_slm.tasks.sentence_embedder import SentenceEmbedder
    from keras_slm.tasks.personalisation import export_user_categories

    encoder, tokenizer = load_minilm(max_length=seq_len)
    embedder = SentenceEmbedder.from_encoder(encoder, tokenizer, seq_len=seq_len)
    path = os.path.join(out_dir, f"{name}.tflite")
    start = time.time()
    report = export_user_categories(embedder, path, max_classes=max_classes, kernel=kernel, bias=bias,
                                    learning_rate=learning_rate, l2=l2, quantize="dynamic")
    return path, tokenizer, report, time.time() - start


def encode(tokenizer, texts, seq_len):
    arrays = tokenizer.encode(list(texts), seq_len)
    return {name: np.asarray(arrays[name], np.int32) for name in tokenizer.input_names}


def accuracy(model, inputs, labels):
    return float((model.predict(inputs).argmax(1) == np.asarray(labels)).mean())


def bit_identical_after_restore(path, model, probe):
    from keras_slm.export.ondevice_driver import OnDeviceModel

    fresh = OnDeviceModel(path)
    fresh.restore(model.save())
    return bool(np.array_equal(fresh.infer(probe)["scores"], model.infer(probe)["scores"]))


def part_agnews(args):
    from keras_slm.export import inspect_tflite
    from keras_slm.export.ondevice_driver import OnDeviceModel
    from keras_slm.tasks.personalisation import fit_head

    train = read_tsv(os.path.join(DATA, "ag_news", "train.tsv"))
    test = read_tsv(os.path.join(DATA, "ag_news", "test.tsv"))
    names = sorted({label for _, label in train})
    rng = np.random.default_rng(args.seed)
    picked = []
    for c, name in enumerate(names):
        rows = [r for r in train if r[1] == name]
        picked += [(rows[i][0], c) for i in rng.choice(len(rows), args.shots, replace=False)]
    test = [test[i] for i in rng.choice(len(test), min(args.test_rows, len(test)), replace=False)]
    path, tokenizer, report, export_s = minilm_file(args.out, args.seq_len, args.max_classes,
                                                    learning_rate=args.learning_rate, name="user_categories")
    x_train = encode(tokenizer, [t for t, _ in picked], args.seq_len)
    y_train = np.array([c for _, c in picked], np.int32)
    x_test = encode(tokenizer, [t for t, _ in test], args.seq_len)
    y_test = np.array([names.index(label) for _, label in test], np.int32)

    model = OnDeviceModel(path, num_threads=1)
    start = time.time()
    history = model.fit(x_train, y_train, epochs=args.epochs, batch_size=args.batch_size, seed=args.seed)
    train_s = time.time() - start
    device_acc = accuracy(model, x_test, y_test)
    timing = model.time_train_step({k: v[: args.batch_size] for k, v in x_train.items()}, y_train[: args.batch_size])
    timing_1 = model.time_train_step({k: v[:1] for k, v in x_train.items()}, y_train[:1])
    infer_timing = model.time_train_step({k: v[: args.batch_size] for k, v in x_train.items()}, None, signature="infer")
    load = os.getloadavg()
    identical = bit_identical_after_restore(path, model, {k: v[:16] for k, v in x_test.items()})

    # The Keras twin: same features (the file's own encoder, before any training), same SGD batches.
    reference = OnDeviceModel(path)
    train_features = np.concatenate([reference.infer({k: v[i : i + 16] for k, v in x_train.items()})["features"]
                                     for i in range(0, len(y_train), 16)])
    test_features = np.concatenate([reference.infer({k: v[i : i + 32] for k, v in x_test.items()})["features"]
                                    for i in range(0, len(y_test), 32)])
    kernel, bias = fit_head(train_features, y_train, len(names), learning_rate=args.learning_rate,
                            epochs=args.epochs, batch_size=args.batch_size, seed=args.seed)
    keras_acc = float(((test_features @ kernel + bias).argmax(1) == y_test).mean())
    info = inspect_tflite(path)
    result = {
        "part": "agnews", "shots_per_class": args.shots, "classes": names, "max_classes": args.max_classes,
        "seq_len": args.seq_len, "epochs": args.epochs, "batch_size": args.batch_size,
        "learning_rate": args.learning_rate, "test_rows": len(y_test),
        "device_accuracy": device_acc, "keras_accuracy": keras_acc, "gap_points": 100 * (keras_acc - device_acc),
        "loss_per_epoch": [round(v, 4) for v in history], "on_device_training_s": round(train_s, 1),
        "train_step_1_thread": timing, "train_step_batch1_1_thread": timing_1, "infer_1_thread": infer_timing,
        "load_average_during_timing": [round(v, 1) for v in load], "cpu_cores": os.cpu_count(),
        "save_restore_bit_identical": identical, "file_mb": round(os.path.getsize(path) / 2**20, 2),
        "export_s": round(export_s, 1), "signatures": info.signatures, "android_compatible": info.android_compatible,
        "flex_ops": info.flex_ops, "custom_ops": info.custom_ops, "ops": info.ops,
    }
    return result


def head_accuracy(features, labels, state):
    """Accuracy of a saved head on features from the file's `infer` (what `infer` computes)."""
    logits = features @ state["kernel"] + state["bias"] + (1.0 - state["active"]) * -1e9
    return float((logits.argmax(1) == labels).mean())


def part_amazon(args):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from sst2_split import split_rows

    from keras_slm.export.ondevice_driver import OnDeviceModel
    from keras_slm.tasks.personalisation import fit_head

    names = ["negative", "positive"]
    sst_train, heldout, _ = split_rows(read_tsv(os.path.join(DATA, "sst2", "train.tsv")), heldout=1000)
    rng = np.random.default_rng(args.seed)
    sst_train = [sst_train[i] for i in rng.choice(len(sst_train), args.sst_rows, replace=False)]
    amazon = read_tsv(os.path.join(DATA, "review_sentences", "amazon.tsv"))
    amazon = [amazon[i] for i in rng.permutation(len(amazon))]
    adapt, amazon_test = amazon[:200], amazon[200:]

    # 1. The shipped SST-2 head: trained in Keras over the file's own MiniLM features.
    base_path, tokenizer, _, _ = minilm_file(args.out, args.seq_len, 2, name="features_only")
    base = OnDeviceModel(base_path)

    def data(rows):
        return encode(tokenizer, [t for t, _ in rows], args.seq_len), np.array([names.index(l) for _, l in rows], np.int32)

    (x_sst, y_sst), (x_held, y_held) = data(sst_train), data(heldout)
    (x_adapt, y_adapt), (x_amz, y_amz) = data(adapt), data(amazon_test)
    start = time.time()
    f_sst, f_held, f_adapt, f_amz = (base.features(x) for x in (x_sst, x_held, x_adapt, x_amz))
    features_s = time.time() - start
    kernel, bias = fit_head(f_sst, y_sst, 2, learning_rate=args.head_learning_rate, epochs=args.head_epochs,
                            batch_size=32, seed=args.seed)
    os.remove(base_path)

    # 2. The file that refines that head on the phone (reset and l2 go back to it).
    path, _, _, _ = minilm_file(args.out, args.seq_len, 2, kernel=kernel, bias=bias, learning_rate=args.learning_rate,
                                l2=args.l2, name="corrections")
    model = OnDeviceModel(path)
    shipped = model.save()
    before = {"amazon": head_accuracy(f_amz, y_amz, shipped), "sst2_heldout": head_accuracy(f_held, y_held, shipped)}
    start = time.time()
    history = model.fit(x_adapt, y_adapt, epochs=args.epochs, batch_size=args.batch_size, seed=args.seed)
    train_s = time.time() - start
    refined = model.save()
    after = {"amazon": accuracy(model, x_amz, y_amz), "sst2_heldout": accuracy(model, x_held, y_held)}
    # Sensitivity (not used to pick the setting above): other epochs through `train_features`.
    sweep = []
    for epochs in (1, 3, 10, 20):
        model.reset()
        _fit_features(model, f_adapt, y_adapt, epochs, args)
        state = model.save()
        sweep.append({"epochs": epochs, "amazon": head_accuracy(f_amz, y_amz, state),
                      "sst2_heldout": head_accuracy(f_held, y_held, state)})
    model.restore(refined)
    return {
        "part": "amazon", "sst2_head_rows": args.sst_rows, "head_epochs": args.head_epochs,
        "features_s": round(features_s, 1),
        "adapt_rows": len(adapt), "amazon_test_rows": len(amazon_test), "sst2_heldout_rows": len(heldout),
        "epochs": args.epochs, "batch_size": args.batch_size, "learning_rate": args.learning_rate, "l2": args.l2,
        "before": before, "after": after,
        "amazon_gain_points": 100 * (after["amazon"] - before["amazon"]),
        "sst2_change_points": 100 * (after["sst2_heldout"] - before["sst2_heldout"]),
        "after_from_features": {"amazon": head_accuracy(f_amz, y_amz, refined),
                                "sst2_heldout": head_accuracy(f_held, y_held, refined)},
        "epochs_sweep_train_features": sweep,
        "loss_per_epoch": [round(v, 4) for v in history], "on_device_training_s": round(train_s, 1),
        "save_restore_bit_identical": bit_identical_after_restore(path, model, {k: v[:16] for k, v in x_amz.items()}),
    }


def _fit_features(model, features, labels, epochs, args):
    rng = np.random.default_rng(args.seed)
    for _ in range(epochs):
        order = rng.permutation(len(labels))
        for i in range(0, len(labels), args.batch_size):
            model.train_features(features[order[i : i + args.batch_size]], labels[order[i : i + args.batch_size]])


def part_timing(args):
    """Per-example cost at 1 thread of `train`, `infer` and `train_features` on the agnews file."""
    from keras_slm.export.ondevice_driver import OnDeviceModel
    from keras_slm.text.wordpiece_tokenizer import WordPieceTokenizer

    path = os.path.join(args.out, "user_categories.tflite")
    tokenizer = WordPieceTokenizer.from_vocab_file(os.path.join(args.out, "vocab.txt"), lowercase=True)
    rows = read_tsv(os.path.join(DATA, "ag_news", "train.tsv"))[:8]
    inputs = encode(tokenizer, [t for t, _ in rows], args.seq_len)
    labels = np.arange(8, dtype=np.int32) % 4
    model = OnDeviceModel(path, num_threads=1)
    result = {"part": "timing", "file": path, "seq_len": args.seq_len, "load_average": [round(v, 1) for v in os.getloadavg()]}
    for batch in (1, 8):
        x = {k: v[:batch] for k, v in inputs.items()}
        result[f"train_batch{batch}"] = model.time_train_step(x, labels[:batch], runs=30)
        result[f"infer_batch{batch}"] = model.time_train_step(x, None, runs=30, signature="infer")
    if "train_features" in model.signatures:  # files exported before it existed lack it
        features = model.features(inputs)
        start = time.perf_counter()
        for _ in range(200):
            model.train_features(features, labels)
        result["train_features_batch8_ms"] = round((time.perf_counter() - start) / 200 * 1e3, 4)
    result["load_average_after"] = [round(v, 1) for v in os.getloadavg()]
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("agnews", "amazon", "timing"), required=True)
    parser.add_argument("--out", default="runs/ondevice")
    parser.add_argument("--seq-len", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shots", type=int, default=16, help="agnews: examples per class")
    parser.add_argument("--max-classes", type=int, default=8, help="agnews: class slots in the file")
    parser.add_argument("--test-rows", type=int, default=2000, help="agnews: test rows scored")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--learning-rate", type=float, default=4.0)
    parser.add_argument("--l2", type=float, default=0.0, help="amazon: pull towards the SST-2 head")
    parser.add_argument("--sst-rows", type=int, default=2000, help="amazon: SST-2 rows for the shipped head")
    parser.add_argument("--head-epochs", type=int, default=20, help="amazon: Keras epochs of the SST-2 head")
    parser.add_argument("--head-learning-rate", type=float, default=4.0)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    result = {"agnews": part_agnews, "amazon": part_amazon, "timing": part_timing}[args.part](args)
    text = json.dumps(result, indent=1)
    print(text)
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, f"ondevice_{args.part}.json"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
