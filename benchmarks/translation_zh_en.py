"""Translation benchmark: BLEU / chrF of a trained zh->en model's files on tatoeba test, token parity, speed.

Takes a folder written by `keras-slm train --task translation` (model.keras + model.tflite,
model_dynamic.tflite), writes the int8 file if missing (calibrated on 300 training sentences),
and for every file: greedy sacreBLEU BLEU / chrF on test.tsv, greedy tokens identical to Keras
on the first 200 test sentences, size and median milliseconds per decode step (1 thread).

    python benchmarks/translation_zh_en.py --model runs/zh_en --out benchmarks/results/translation_zh_en.json
"""

import argparse
import json
import os
import random


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", default="../shared/data/tatoeba_zh_en")
    parser.add_argument("--parity", type=int, default=200)
    parser.add_argument("--modes", default="none,dynamic,int8")
    parser.add_argument("--out", default="benchmarks/results/translation_zh_en.json")
    args = parser.parse_args()

    from keras_slm.data.translation import read_parallel
    from keras_slm.inference.seq2seq_driver import time_per_token
    from keras_slm.tasks.translation import Translator

    test = read_parallel(os.path.join(args.data, "test.tsv"))
    keras_translator = Translator.load(args.model)
    keras_scores, _ = keras_translator.evaluate(test)
    results = {"model": args.model, "family": keras_translator.family, "keras": keras_scores, "files": {}}
    print(f"Keras greedy: BLEU {keras_scores['bleu']:.2f}, chrF {keras_scores['chrf']:.2f}", flush=True)
    for mode in args.modes.split(","):
        path = os.path.join(args.model, "model.tflite" if mode == "none" else f"model_{mode}.tflite")
        if not os.path.exists(path):
            train = read_parallel(os.path.join(args.data, "train.tsv"))
            sample = random.Random(0).sample(train.sources, 300)
            keras_translator.export(path, quantize=mode, sample_texts=sample, latency_texts=0)
        lite = Translator.load(path)
        scores, _ = lite.evaluate(test)
        parity = test.sources[: args.parity]
        same = sum(keras_translator.translate_ids(t) == lite.translate_ids(t) for t in parity)
        speed = time_per_token(lite.driver(), [lite.source_ids(t) for t in parity[:50]], lite.bos_id, lite.eos_id,
                               lite.target_len - 1)
        results["files"][mode] = {"file": os.path.basename(path), "size_bytes": os.path.getsize(path),
                                  "bleu": scores["bleu"], "chrf": scores["chrf"], "n": scores["n"],
                                  "greedy_identical_to_keras": f"{same}/{len(parity)}", **speed}
        print(f"{os.path.basename(path)}: {os.path.getsize(path) / 2**20:.2f} MiB, BLEU {scores['bleu']:.2f}, "
              f"chrF {scores['chrf']:.2f}, identical {same}/{len(parity)}, {speed['decode_step_median_ms']:.3f} ms/token",
              flush=True)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
