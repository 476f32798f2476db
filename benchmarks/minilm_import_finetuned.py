"""Imports the GPU-fine-tuned MiniLM (benchmarks/minilm_teacher_gpu.py) into a keras_slm classifier.

Builds our Keras MiniLM classifier (`load_minilm` + `transformer_classifier`), copies the
fine-tuned float16 weights in with `load_bert_weights` (the same loader as the published
checkpoint) plus the head, saves a normal model folder (`TextClassifier.load` reads it; it is
the teacher of benchmarks/distillation.py), checks that Keras reproduces the GPU run's held-out
scores, and exports TFLite files in the quantization modes asked for, each scored on the
held-out sentences (size, accuracy drop, 1-thread latency at --seq-len).

Usage (after the GPU run's files are in --weights):
    python benchmarks/minilm_import_finetuned.py --weights runs/minilm_teacher_gpu \
        --out runs/minilm_sst2 --json benchmarks/results/minilm_sst2_gpu.json
About 10-20 minutes on 2 CPU cores (mostly the int8 calibration and scoring at length 128).
"""

import argparse
import glob
import json
import os
import time

import numpy as np


def read_weights(folder):
    from safetensors.numpy import load_file

    tensors = {}
    for path in sorted(glob.glob(os.path.join(folder, "finetuned_*.safetensors"))):
        tensors.update(load_file(path))
    name = "bert.embeddings.word_embeddings.weight"
    tensors[name] = np.concatenate([tensors.pop(name + ":0"), tensors.pop(name + ":1")])
    return {k: v.astype(np.float32) for k, v in tensors.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default="runs/minilm_teacher_gpu")
    parser.add_argument("--split", default="runs/sst2r")
    parser.add_argument("--out", default="runs/minilm_sst2")
    parser.add_argument("--json", default="benchmarks/results/minilm_sst2_gpu.json")
    parser.add_argument("--seq-len", type=int, default=128)
    parser.add_argument("--modes", default="none,dynamic,int8")
    args = parser.parse_args()
    from keras_slm.data import read_classification
    from keras_slm.data.labels import LabelVocabulary
    from keras_slm.evaluation import classification_metrics
    from keras_slm.models import TextClassifier, load_bert_weights, load_minilm, transformer_classifier

    start = time.time()
    train = read_classification(os.path.join(args.split, "train.tsv"))
    heldout = read_classification(os.path.join(args.split, "heldout.tsv"))
    labels = LabelVocabulary.fit(train.labels)
    tensors = read_weights(args.weights)
    encoder, tokenizer = load_minilm(max_length=args.seq_len)
    positions = "bert.embeddings.position_embeddings.weight"
    tensors[positions] = tensors[positions][: args.seq_len]
    head = {k: tensors.pop(k) for k in ("head.weight", "head.bias")}
    net = transformer_classifier(encoder, len(labels))
    unused = load_bert_weights(encoder, tensors, num_heads=12)
    if unused:
        raise SystemExit(f"unused tensors: {unused}")
    net.get_layer("scores").set_weights([head["head.weight"].T, head["head.bias"]])
    classifier = TextClassifier(net, tokenizer, labels, args.seq_len, family="minilm")
    classifier.save(args.out)
    with open(os.path.join(args.weights, "results.json")) as f:
        gpu = json.load(f)
    scores = classifier.predict_scores(heldout.texts)
    gpu_scores = np.load(os.path.join(args.weights, "teacher_heldout_scores.npy"))
    keras_metrics = classification_metrics(labels.encode(heldout.labels, heldout), scores.argmax(1), labels.labels)
    record = {
        "gpu_run": gpu, "train_rows_gpu": gpu["fit_rows"], "heldout_rows": len(heldout),
        "keras": {"accuracy": keras_metrics["accuracy"], "macro_f1": keras_metrics["macro_f1"],
                  "argmax_agreement_with_gpu": float((scores.argmax(1) == gpu_scores.argmax(1)).mean()),
                  "max_abs_score_diff_vs_gpu_bf16": float(np.abs(scores - gpu_scores).max())},
        "seq_len": args.seq_len, "exports": {},
    }
    print(json.dumps(record["keras"]), flush=True)
    rng = np.random.default_rng(0)
    calibration = [train.texts[i] for i in rng.choice(len(train.texts), 300, replace=False)]
    for mode in args.modes.split(","):
        t0 = time.time()
        name = "model.tflite" if mode == "none" else f"model_{mode}.tflite"
        report = classifier.export(os.path.join(args.out, name), quantize=mode, sample_texts=calibration,
                                   eval_data=heldout)
        entry = report.to_dict()
        entry["export_and_eval_wall_s"] = round(time.time() - t0, 1)
        record["exports"][mode] = entry
        print(mode, report.to_text(), flush=True)
    record["wall_s"] = round(time.time() - start, 1)
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(record, f, indent=1, default=str)


if __name__ == "__main__":
    main()
