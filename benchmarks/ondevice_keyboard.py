"""Keyboard personalisation benchmark (issue 25): a word LM adapts to one speaker through `train`.

The base LM (word-level LSTM) is trained on Tiny Shakespeare WITHOUT one speaker's speeches
(default GLOUCESTER); its vocabulary covers the whole text, as a keyboard's dictionary is larger
than its training data. The trainable file (frozen LSTM, output layer or bias trained by
`train`) is then adapted on the first 90% of the speaker's speeches and scored on the last 10%:
mean next-word cross-entropy computed from the file's `infer` logits (LiteRT, no TF) before
and after.

Usage:
    python benchmarks/ondevice_keyboard.py --out runs/ondevice_keyboard              # trains the base LM
    python benchmarks/ondevice_keyboard.py --out runs/ondevice_keyboard --reuse     # re-adapts only
About 8 minutes for the base LM (--time-budget) and 1-2 minutes per adaptation on 2 CPU cores.
"""

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TEXT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "tiny_shakespeare",
                    "input.txt")
RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def split_speaker(text, speaker):
    """(other speeches as "NAME:\\nlines" blocks, the speaker's speeches without the "NAME:" line).

    The name line is dropped from the speaker's speeches: predicting it would be free gain.
    """
    blocks = [b for b in text.split("\n\n") if b.strip()]
    mine = [b.split("\n", 1)[1] for b in blocks if b.startswith(speaker + ":\n") and "\n" in b]
    return [b for b in blocks if not b.startswith(speaker + ":\n")], mine


def windows(ids, window):
    n = (len(ids) - 1) // window
    x = np.asarray(ids[: n * window], np.int32).reshape(n, window)
    y = np.asarray(ids[1 : n * window + 1], np.int32).reshape(n, window)
    return x, y, np.ones_like(x, np.float32)


def base_lm(args, text, others):
    from keras_slm.tasks.language_model import LanguageModel
    from keras_slm.models.language_models import build_lm
    from keras_slm.text import lm_stream
    from keras_slm.tasks.lm_training import train_lm

    directory = os.path.join(args.out, "base_lm")
    if args.reuse and os.path.exists(os.path.join(directory, "model.keras")):
        return LanguageModel.load(directory), None
    tokenizer = lm_stream.fit_lm_tokenizer("word", text, max_vocab=args.max_vocab, min_count=1)
    network = build_lm("lstm", tokenizer.vocab_size, units=args.units, embedding_dim=args.embedding_dim)
    init = LanguageModel(network, tokenizer, "lstm", args.window)
    start = time.time()
    lm, _, metrics = train_lm("\n\n".join(others), init=init, epochs=args.epochs, time_budget=args.time_budget,
                              batch_size=32, verbose=0)
    metrics["train_s"] = round(time.time() - start, 1)
    lm.save(directory)
    return lm, metrics


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/ondevice_keyboard")
    parser.add_argument("--speaker", default="GLOUCESTER")
    parser.add_argument("--reuse", action="store_true", help="reuse OUT/base_lm if it exists")
    parser.add_argument("--window", type=int, default=32)
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--embedding-dim", type=int, default=64)
    parser.add_argument("--max-vocab", type=int, default=8000)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--time-budget", type=int, default=420)
    parser.add_argument("--train-part", choices=("output", "bias"), default="output")
    parser.add_argument("--learning-rate", type=float, default=0.5)
    parser.add_argument("--l2", type=float, default=0.0)
    parser.add_argument("--adapt-epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--split", choices=("last", "random"), default="last",
                        help="held-out 10%%: the speaker's last speeches, or a seeded random 10%% of them")
    args = parser.parse_args()

    from keras_slm.export.ondevice_driver import OnDeviceModel
    from keras_slm.tasks.personalisation import export_keyboard
    from keras_slm.text import lm_stream

    with open(TEXT, encoding="utf-8") as f:
        text = f.read()
    others, mine = split_speaker(text, args.speaker)
    if args.split == "random":
        mine = [mine[i] for i in np.random.default_rng(args.seed).permutation(len(mine))]
    cut = int(len(mine) * 0.9)
    lm, base_metrics = base_lm(args, text, others)
    path = os.path.join(args.out, f"keyboard_{args.train_part}.tflite")
    report = export_keyboard(lm, path, train=args.train_part, learning_rate=args.learning_rate, l2=args.l2,
                             quantize="dynamic")
    adapt = windows(lm_stream.encode_stream(lm.tokenizer, "\n\n".join(mine[:cut])), args.window)
    held = windows(lm_stream.encode_stream(lm.tokenizer, "\n\n".join(mine[cut:])), args.window)
    model = OnDeviceModel(path)
    before = model.lm_loss(*held)
    start = time.time()
    history = []
    per_epoch = []
    for _ in range(args.adapt_epochs):
        history += model.fit_lm(*adapt, epochs=1, batch_size=8, seed=args.seed + len(history))
        per_epoch.append(round(model.lm_loss(*held), 4))
    adapt_s = time.time() - start
    after = model.lm_loss(*held)
    result = {
        "speaker": args.speaker, "split": args.split, "speeches": len(mine), "adapt_speeches": cut, "heldout_speeches": len(mine) - cut,
        "adapt_windows": int(len(adapt[0])), "heldout_tokens": int(held[2].sum()), "window": args.window,
        "vocab_size": lm.tokenizer.vocab_size, "base_lm": base_metrics, "train_part": args.train_part,
        "learning_rate": args.learning_rate, "l2": args.l2, "adapt_epochs": args.adapt_epochs,
        "heldout_loss_before": round(before, 4), "heldout_loss_after": round(after, 4),
        "heldout_loss_per_epoch": per_epoch, "reduction": round(1 - after / before, 4),
        "adapt_loss_per_epoch": [round(v, 4) for v in history], "adapt_s": round(adapt_s, 1),
        "file_mb": round(report.size_bytes / 2**20, 2), "android_compatible": report.android_compatible,
        "signatures": sorted(report.signatures),
    }
    text_out = json.dumps(result, indent=1, default=float)
    print(text_out)
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, f"ondevice_keyboard_{args.train_part}_{args.split}.json"), "w") as f:
        f.write(text_out + "\n")


if __name__ == "__main__":
    main()
