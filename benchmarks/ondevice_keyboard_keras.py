"""Keyboard personalisation upper bound (issue 25): how far does the held-out loss fall when MORE of the LM adapts?

The on-device files keep the LSTM frozen (output layer, bias or a LoRA update of it train). This
benchmark adapts the same Keras base LM (from `ondevice_keyboard.py`, e.g. runs/kb_char/base_lm)
in Keras, where any part can train, on the same speaker split (`ondevice_keyboard.adapt_and_scored`):
  output       only the output layer (a sanity check against the file's output-layer runs),
  lstm_output  the LSTM and the output layer (embedding frozen),
  full         every weight.
For each part and learning rate, Adam (clipnorm 1, batch 8 windows as the file's `fit_lm`) adapts on
the first 90% of the 90% and is scored after each epoch on its last 10% (the validation slice, as
`ondevice_keyboard.py --eval validation`); training stops `--patience` epochs after the best one.
The learning rate and epoch count with the lowest validation loss per part are then run ONCE from
the base LM on the whole 90% and scored on the held-out 10%. Loss: mean next-token cross-entropy
(nats) over the same 100-token windows as the file's `lm_loss` (each window from a zero state).

Usage:
    python benchmarks/ondevice_keyboard_keras.py --base runs/kb_char/base_lm
    python benchmarks/ondevice_keyboard_keras.py --base runs/kb_char/base_lm --parts full --lrs 1e-4 3e-4
About 2-6 s per epoch on 2 shared CPU cores (char LM, 256 units); the default grid about 20 minutes.
"""

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from ondevice_keyboard import RESULTS, TEXT, adapt_and_scored, split_speaker, windows  # noqa: E402

TRAINED_LAYERS = {"output": ("logits",), "lstm_output": ("lstm", "logits"), "full": None}


def fresh_network(base, part, learning_rate):
    """The base LM's network loaded anew, with only `part`'s layers trainable, compiled with Adam."""
    import keras

    from keras_slm.tasks.language_model import LanguageModel

    network = LanguageModel.load(base).model
    names = TRAINED_LAYERS[part]
    for layer in network.layers:
        layer.trainable = names is None or layer.name.startswith(names)
    network.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0),
                    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return network


def adapt(base, part, learning_rate, fit, scored, epochs, patience, batch_size, seed):
    """Adapts a fresh copy on `fit` windows; scored-window loss before and after each epoch (early stop)."""
    import keras

    keras.utils.set_random_seed(seed)
    network = fresh_network(base, part, learning_rate)
    before = float(network.evaluate(scored[0], scored[1], batch_size=32, verbose=0))
    fit_before = float(network.evaluate(fit[0], fit[1], batch_size=32, verbose=0))
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience) if patience else None
    start = time.time()
    history = network.fit(fit[0], fit[1], validation_data=scored[:2], epochs=epochs, batch_size=batch_size,
                          shuffle=True, callbacks=[stop] if stop else [], verbose=0).history
    scored_losses = [round(float(v), 4) for v in history["val_loss"]]
    best = int(np.argmin(scored_losses))
    return {
        "part": part, "learning_rate": learning_rate, "trainable_params": int(sum(
            int(np.prod(w.shape)) for w in network.trainable_weights)),
        "scored_loss_before": round(before, 4), "scored_loss_per_epoch": scored_losses,
        "best_epoch": best + 1, "best_scored_loss": scored_losses[best],
        "best_reduction": round(1 - scored_losses[best] / before, 4),
        "final_reduction": round(1 - scored_losses[-1] / before, 4),
        "adapt_text_loss_before": round(fit_before, 4),
        "train_loss_per_epoch": [round(float(v), 4) for v in history["loss"]], "adapt_s": round(time.time() - start, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="runs/kb_char/base_lm", help="the base LM dir of ondevice_keyboard.py")
    parser.add_argument("--speaker", default="GLOUCESTER")
    parser.add_argument("--parts", nargs="+", choices=sorted(TRAINED_LAYERS), default=["output", "lstm_output", "full"])
    parser.add_argument("--lrs", nargs="+", type=float, default=[3e-5, 1e-4, 3e-4, 1e-3, 3e-3])
    parser.add_argument("--max-epochs", type=int, default=30)
    parser.add_argument("--patience", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from keras_slm.tasks.language_model import LanguageModel
    from keras_slm.text import lm_stream

    with open(TEXT, encoding="utf-8") as f:
        _, mine = split_speaker(f.read(), args.speaker)
    lm = LanguageModel.load(args.base)

    def encoded(mode):
        fit_part, score_part = adapt_and_scored(mine, mode)
        return [windows(lm_stream.encode_stream(lm.tokenizer, "\n\n".join(p)), lm.seq_len) for p in (fit_part, score_part)]

    validation, heldout = encoded("validation"), encoded("heldout")
    runs, picked = [], []
    for part in args.parts:
        tried = []
        for lr in args.lrs:
            run = adapt(args.base, part, lr, *validation, args.max_epochs, args.patience, args.batch_size, args.seed)
            print(json.dumps({"eval": "validation", **run}), flush=True)
            tried.append(run)
        runs += [{"eval": "validation", **r} for r in tried]
        choice = min(tried, key=lambda r: r["best_scored_loss"])
        run = adapt(args.base, part, choice["learning_rate"], *heldout, choice["best_epoch"], 0, args.batch_size,
                    args.seed)
        for key in ("best_epoch", "best_scored_loss", "best_reduction", "final_reduction"):
            run.pop(key)  # picked on validation: the held-out result is the last epoch's
        run.update({"eval": "heldout", "epochs": choice["best_epoch"], "validation_loss": choice["best_scored_loss"],
                    "scored_loss_after": run["scored_loss_per_epoch"][-1],
                    "reduction": round(1 - run["scored_loss_per_epoch"][-1] / run["scored_loss_before"], 4)})
        print(json.dumps(run), flush=True)
        picked.append(run)
    result = {
        "speaker": args.speaker, "base": os.path.abspath(args.base), "window": lm.seq_len,
        "validation_windows": {"adapt": len(validation[0][0]), "scored": len(validation[1][0])},
        "heldout_windows": {"adapt": len(heldout[0][0]), "scored": len(heldout[1][0])},
        "optimizer": "adam, clipnorm 1", "batch_size": args.batch_size, "max_epochs": args.max_epochs,
        "patience": args.patience, "seed": args.seed, "validation_runs": runs, "heldout_runs": picked,
    }
    os.makedirs(RESULTS, exist_ok=True)
    name = f"ondevice_keyboard_keras_{lm_stream.lm_kind(lm.tokenizer)}_{'_'.join(args.parts)}.json"
    with open(os.path.join(RESULTS, name), "w") as f:
        f.write(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
