"""Which op types to keep in float in an int8 transformer file: accuracy, size and latency per choice.

Exports a saved classifier (e.g. the MiniLM of benchmarks/minilm_import_finetuned.py) to full
int8 several times, each time keeping another set of TFLite op types in float
(`keras_slm.export.convert(float_ops=...)`; weights stay int8), and scores every file on the
held-out rows. Writes benchmarks/results/int8_float_ops_<name>.json.

    nice -n 10 python benchmarks/int8_float_ops.py --model runs/minilm_sst2 \\
        --sets "core" "core,ADD" "core,ADD,MUL,NEG,GELU"

"aeq" is the default int8 file since: only the dense layers and embedding tables in int8 (AI Edge
Quantizer, `TRANSFORMER_INT8_OPS`), every other op in float. "core" stands for the attention core and layer norms (`keras_slm.export._convert.ATTENTION_FLOAT_OPS`:
SELECT_V2, SOFTMAX, BATCH_MATMUL, TRANSPOSE, MEAN, SQUARED_DIFFERENCE, RSQRT), the default before
this benchmark; "none" for a file with every op in int8.
"""

import argparse
import json
import os
import time

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="runs/minilm_sst2")
    parser.add_argument("--split", default="runs/sst2r", help="folder with train.tsv (calibration) and heldout.tsv")
    parser.add_argument("--sets", nargs="+", default=["core", "core,ADD", "core,ADD,MUL,NEG,GELU"])
    parser.add_argument("--calibration", type=int, default=300, help="seeded random training texts")
    parser.add_argument("--calibration-min-words", type=int, default=1,
                        help="draw calibration texts only from training rows this long (whole sentences, not phrases)")
    parser.add_argument("--name", default="minilm_sst2")
    args = parser.parse_args()
    from keras_slm.data import read_classification
    from keras_slm.export._convert import ATTENTION_FLOAT_OPS
    from keras_slm.models import TextClassifier

    classifier = TextClassifier.load(args.model)
    train = read_classification(os.path.join(args.split, "train.tsv"))
    heldout = read_classification(os.path.join(args.split, "heldout.tsv"))
    rng = np.random.default_rng(0)
    pool = [t for t in train.texts if len(t.split()) >= args.calibration_min_words]
    calibration = [pool[i] for i in rng.choice(len(pool), args.calibration, replace=False)]
    record = {"model": args.model, "heldout_rows": len(heldout), "calibration_rows": args.calibration,
              "calibration_min_words": args.calibration_min_words,
              "load_1min": round(os.getloadavg()[0], 2), "runs": []}
    for spec in args.sets:
        if spec == "aeq":  # the default: TRANSFORMER_INT8_OPS with AI Edge Quantizer
            choice = {}
        else:
            choice = {"float_ops": [] if spec == "none" else
                      [o for part in spec.split(",") for o in (ATTENTION_FLOAT_OPS if part == "core" else (part,))]}
        t0 = time.time()
        path = os.path.join(args.model, "model_int8_float_ops.tflite")
        report = classifier.export(path, quantize="int8", sample_texts=calibration, eval_data=heldout,
                                   latency_runs=100, **choice)
        # "set" is the --sets entry; float_ops / int8_ops are what the file really has (earlier
        # result files stored the set name under "float_ops").
        entry = {"set": spec, "float_ops": choice.get("float_ops"), "int8_ops": report.int8_ops,
                 "metric": report.metric, "size_bytes": report.size_bytes,
                 "latency": report.latency, "android_compatible": report.android_compatible,
                 "wall_s": round(time.time() - t0, 1)}
        record["runs"].append(entry)
        print(json.dumps(entry, default=str), flush=True)
        os.remove(path)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", f"int8_float_ops_{args.name}.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump(record, f, indent=1, default=str)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
