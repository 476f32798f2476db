"""Keyboard personalisation benchmark (issue 25): an LM adapts to one speaker through `train`.

The base LM (word- or char-level LSTM) is trained on Tiny Shakespeare WITHOUT one speaker's
speeches (default GLOUCESTER); its vocabulary covers the whole text, as a keyboard's dictionary is
larger than its training data. The trainable file (frozen LSTM; output layer, bias or a LoRA update
of the output layer trained by `train` with SGD or Adam) is then adapted on the first 90% of the
speaker's speeches and scored on the last 10%: mean next-token cross-entropy computed from the
file's `infer` logits (LiteRT, no TF) before and after each epoch, on the scored speeches and on the
adaptation text. `--eval validation` adapts on the first 90% of the 90% and scores its last 10%
(settings are picked there, not on the held-out speeches); `--eval oracle` adapts on the held-out
speeches themselves: the most the trained part can gain there.

Usage:
    python benchmarks/ondevice_keyboard.py --tokenizer char --epochs 10 --time-budget 1100 --out runs/kb_char
    python benchmarks/ondevice_keyboard.py --tokenizer char --out runs/kb_char --reuse --eval validation \
        --train-part output --optimizer adam --learning-rate 0.001 --adapt-epochs 5
Base LM: about 20 minutes (char, 10 epochs) on 2 shared CPU cores; 30-60 s per adaptation run.
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


def adapt_and_scored(mine, mode="heldout", split="last", seed=0):
    """(adaptation speeches, scored speeches) of the speaker's speeches `mine` (see `--eval`, `--split`).

    heldout: the first 90% / the last 10%; validation: the first 90% of the 90% / its last 10%;
    oracle: the last 10% / the last 10%. `split="random"` shuffles the speeches first (seeded).
    """
    if split == "random":
        mine = [mine[i] for i in np.random.default_rng(seed).permutation(len(mine))]
    cut = int(len(mine) * 0.9)
    fit_part, score_part = mine[:cut], mine[cut:]
    if mode == "validation":
        fit_part, score_part = fit_part[: int(cut * 0.9)], fit_part[int(cut * 0.9) :]
    elif mode == "oracle":
        fit_part = score_part
    return fit_part, score_part


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
        saved = os.path.join(directory, "base_metrics.json")
        metrics = json.load(open(saved)) if os.path.exists(saved) else None
        return LanguageModel.load(directory), metrics
    tokenizer = lm_stream.fit_lm_tokenizer(args.tokenizer, text, max_vocab=args.max_vocab, min_count=1)
    network = build_lm("lstm", tokenizer.vocab_size, units=args.units, embedding_dim=args.embedding_dim)
    init = LanguageModel(network, tokenizer, "lstm", args.window)
    start = time.time()
    lm, _, metrics = train_lm("\n\n".join(others), init=init, epochs=args.epochs, time_budget=args.time_budget,
                              batch_size=32, verbose=0)
    metrics["train_s"] = round(time.time() - start, 1)
    lm.save(directory)
    with open(os.path.join(directory, "base_metrics.json"), "w") as f:
        json.dump(metrics, f, default=float)
    return lm, metrics


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/ondevice_keyboard")
    parser.add_argument("--speaker", default="GLOUCESTER")
    parser.add_argument("--reuse", action="store_true", help="reuse OUT/base_lm if it exists")
    parser.add_argument("--tokenizer", choices=("word", "char"), default="word")
    parser.add_argument("--window", type=int, default=None, help="32 words / 100 characters (train --task lm's default)")
    parser.add_argument("--units", type=int, default=None, help="128 (word) / 256 (char, train --task lm's default)")
    parser.add_argument("--embedding-dim", type=int, default=64)
    parser.add_argument("--max-vocab", type=int, default=8000)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--time-budget", type=int, default=420)
    parser.add_argument("--train-part", choices=("output", "bias", "lora"), default="output")
    parser.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd")
    parser.add_argument("--rank", type=int, default=8, help="--train-part lora: rank of the kernel update")
    parser.add_argument("--clipnorm", type=float, default=0.0, help="clip each step's gradient norm (0: off)")
    parser.add_argument("--learning-rate", type=float, default=0.5)
    parser.add_argument("--l2", type=float, default=0.0)
    parser.add_argument("--adapt-epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--split", choices=("last", "random"), default="last",
                        help="held-out 10%%: the speaker's last speeches, or a seeded random 10%% of them")
    parser.add_argument("--eval", choices=("heldout", "validation", "oracle"), default="heldout",
                        help="heldout: adapt on the 90%%, score the held-out 10%%; validation: adapt on the first 90%% "
                             "of the 90%%, score its last 10%% (to pick settings without the held-out speeches); "
                             "oracle: adapt on the held-out 10%% itself (what the trained part could gain at best)")
    args = parser.parse_args()
    char = args.tokenizer == "char"
    args.window = args.window or (100 if char else 32)
    args.units = args.units or (256 if char else 128)

    from keras_slm.export.ondevice_driver import OnDeviceModel
    from keras_slm.tasks.personalisation import export_keyboard
    from keras_slm.text import lm_stream

    with open(TEXT, encoding="utf-8") as f:
        text = f.read()
    others, mine = split_speaker(text, args.speaker)
    fit_part, score_part = adapt_and_scored(mine, args.eval, args.split, args.seed)
    lm, base_metrics = base_lm(args, text, others)
    name = f"keyboard_{args.tokenizer}_{args.train_part}_{args.optimizer}"
    path = os.path.join(args.out, name + ".tflite")
    report = export_keyboard(lm, path, train=args.train_part, learning_rate=args.learning_rate, l2=args.l2,
                             quantize="dynamic", optimizer=args.optimizer, rank=args.rank, clipnorm=args.clipnorm)
    adapt = windows(lm_stream.encode_stream(lm.tokenizer, "\n\n".join(fit_part)), args.window)
    held = windows(lm_stream.encode_stream(lm.tokenizer, "\n\n".join(score_part)), args.window)
    model = OnDeviceModel(path)
    before, adapt_before = model.lm_loss(*held), model.lm_loss(*adapt)
    start = time.time()
    history, per_epoch, adapt_per_epoch = [], [], []
    for _ in range(args.adapt_epochs):
        history += model.fit_lm(*adapt, epochs=1, batch_size=8, seed=args.seed + len(history))
        per_epoch.append(round(model.lm_loss(*held), 4))
        adapt_per_epoch.append(round(model.lm_loss(*adapt), 4))
    adapt_s = time.time() - start
    after = per_epoch[-1] if per_epoch else before
    result = {
        "speaker": args.speaker, "split": args.split, "eval": args.eval, "speeches": len(mine),
        "fit_speeches": len(fit_part), "scored_speeches": len(score_part),
        "adapt_windows": int(len(adapt[0])), "scored_tokens": int(held[2].sum()), "window": args.window,
        "tokenizer": args.tokenizer, "vocab_size": lm.tokenizer.vocab_size, "base_lm": base_metrics,
        "train_part": args.train_part, "optimizer": args.optimizer, "rank": args.rank, "clipnorm": args.clipnorm,
        "learning_rate": args.learning_rate, "l2": args.l2, "adapt_epochs": args.adapt_epochs,
        "scored_loss_before": round(before, 4), "scored_loss_per_epoch": per_epoch,
        "best_epoch": int(np.argmin(per_epoch)) + 1 if per_epoch else 0,
        "reduction": round(1 - after / before, 4), "best_reduction": round(1 - min(per_epoch + [before]) / before, 4),
        "adapt_text_loss_before": round(adapt_before, 4), "adapt_text_loss_per_epoch": adapt_per_epoch,
        "train_loss_per_epoch": [round(v, 4) for v in history], "adapt_s": round(adapt_s, 1),
        "file_mb": round(report.size_bytes / 2**20, 2), "android_compatible": report.android_compatible,
        "signatures": sorted(report.signatures),
    }
    text_out = json.dumps(result, indent=1, default=float)
    print(text_out)
    os.makedirs(RESULTS, exist_ok=True)
    suffix = (f"{args.learning_rate:g}" + (f"_r{args.rank}" if args.train_part == "lora" else "")
              + (f"_l2{args.l2:g}" if args.l2 else "") + (f"_clip{args.clipnorm:g}" if args.clipnorm else ""))
    with open(os.path.join(RESULTS, f"ondevice_{name}_{suffix}_{args.split}_{args.eval}.json"), "w") as f:
        f.write(text_out + "\n")


if __name__ == "__main__":
    main()
