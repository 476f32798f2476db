"""Joint intent / slot parts of `keras-slm train --task nlu`, and `evaluate` / `predict` on an nlu directory."""

import json
import os
import random

from keras_slm.cli._common import print_json, report_skipped, seeded_holdout
from keras_slm.errors import KerasSlmError

NLU_MODELS = ("bilstm_crf", "transformer_crf", "minilm")
CALIBRATION_FILE = "calibration.txt"


def add_train_arguments(parser):
    """The options only `--task nlu` reads (shared: --data, --val, --model, --tokenizer, --epochs, ...)."""
    g = parser.add_argument_group("NLU (--task nlu; TSV with header text<TAB>intent<TAB>slots, one BIO tag per token)")
    g.add_argument("--intent-to-slots", action="store_true",
                   help="feed the predicted intent to the slot head (intent-aware slot decoding)")


def is_nlu_dir(path):
    """True when MODEL (a directory or a file in one) holds a joint intent / slot model."""
    directory = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    try:
        with open(os.path.join(directory, "config.json"), encoding="utf-8") as f:
            return json.load(f).get("task") == "nlu"
    except (OSError, ValueError, AttributeError):
        return False


def read(path, args, unit=None):
    from keras_slm.data.nlu import read_nlu

    intent_column = "intent" if getattr(args, "label_column", "label") == "label" else args.label_column
    data = read_nlu(path, unit=unit or ("char" if getattr(args, "tokenizer", "word") == "char" else "word"),
                    text_column=getattr(args, "text_column", "text"), intent_column=intent_column,
                    skip_bad_rows=getattr(args, "skip_bad_rows", False))
    report_skipped(data.skipped)
    return data


def _summary(metrics):
    return (f"intent accuracy {metrics['intent_accuracy']:.4f}, slot F1 {metrics['slot_f1']:.4f}, "
            f"sentence accuracy {metrics['sentence_accuracy']:.4f} (n={metrics['n']})")


def run_train(args):
    from keras_slm import files

    model = args.model or "bilstm_crf"
    if model not in NLU_MODELS:
        raise KerasSlmError(f"--task nlu trains --model {' / '.join(NLU_MODELS)}, not {model!r}")
    if args.tokenizer not in ("word", "char"):
        raise KerasSlmError(f"--task nlu reads --tokenizer word (whitespace tokens) or char, not {args.tokenizer}")
    if args.tokenizer == "char" and model != "bilstm_crf":
        raise KerasSlmError(f"--tokenizer char (one slot tag per character) needs --model bilstm_crf, not {model}")
    if not args.data:
        raise KerasSlmError("--task nlu needs --data TRAIN (TSV: text, intent, slots)")
    train = read(args.data, args)
    if args.val:
        val = read(args.val, args)
    else:
        train, val = seeded_holdout(train, args, "utterances")
    sizes = {k: v for k, v in (("lstm_units", args.lstm_units), ("char_filters", args.char_filters)) if v is not None}
    if sizes and model != "bilstm_crf":
        raise KerasSlmError(f"--lstm-units / --char-filters apply to --model bilstm_crf, not {model}")
    from keras_slm.tasks.nlu_training import train_nlu  # TensorFlow: imported once the data reads cleanly

    seq_len = args.seq_len
    if seq_len is None:  # follow the data: the 95th percentile of the training utterances' token counts
        from keras_slm.text.sequence_length import choose_seq_len

        seq_len, note = choose_seq_len([len(t) for t in train.tokens])
        print(note)
    nlu, history, metrics = train_nlu(
        train, val, model=model, seq_len=seq_len, min_count=args.min_count, epochs=args.epochs,
        batch_size=args.batch_size, learning_rate=args.lr, patience=args.patience, time_budget=args.time_budget,
        seed=args.seed, encoder=args.init or args.encoder, intent_to_slots=args.intent_to_slots, **sizes)
    nlu.save(args.staging)
    picked = random.Random(args.seed).sample(range(len(train)), min(1000, len(train)))
    samples = [train.tokens[i] for i in picked]
    # Real utterances kept beside the model for `keras-slm export` (parity, int8 calibration, golden vectors).
    files.write_text_atomic(os.path.join(args.staging, CALIBRATION_FILE), "".join(f"{train.texts[i]}\n" for i in picked))
    exports = {}
    for mode in ["none"] + ([args.quantize] if args.quantize != "none" else []):
        name = "model.tflite" if mode == "none" else f"model_{mode}.tflite"
        report = nlu.export(os.path.join(args.staging, name), quantize=mode, sample_tokens=samples, eval_data=val,
                            latency_runs=100)
        report.path = os.path.join(args.out, name)  # where it lands after the swap
        exports[mode] = report.to_dict()
        p = report.parity
        print(f"\n{report.to_text()}\nKeras vs TFLite: intent agreement {p['intent_agreement']:.5f}, "
              f"tag agreement {p['tag_agreement']:.5f}")
    summary = {
        "validation": {k: metrics[k] for k in ("intent_accuracy", "slot_f1", "slot_precision", "slot_recall",
                                               "sentence_accuracy", "n", "per_type", "best_epoch", "epochs_run")},
        "training": {
            "data": os.path.abspath(args.data), "train_utterances": len(train), "val_utterances": len(val),
            "model": model, "unit": train.unit, "seq_len": seq_len, "epochs": args.epochs,
            "batch_size": args.batch_size, "learning_rate": args.lr, "seed": args.seed,
            "intent_to_slots": args.intent_to_slots, **sizes, "history": history,
            "intents": nlu.intents.labels, "tags": nlu.tags.labels, "wall_time_s": metrics["wall_time_s"],
            "params": int(nlu.model.count_params()),
        },
        "exports": exports,
    }
    files.write_text_atomic(os.path.join(args.staging, "metrics.json"), json.dumps(summary, indent=1, ensure_ascii=False))
    print(f"\nvalidation: {_summary(metrics)}; best epoch {metrics['best_epoch']}/{metrics['epochs_run']}, "
          f"{metrics['wall_time_s']:.0f}s")


def run_export(args, texts):
    """`keras-slm export DIR` on an nlu directory: another quantization, and golden vectors with --golden."""
    import sys

    from keras_slm.tasks.nlu import NluModel

    nlu = NluModel.load(args.model)
    default = "model.tflite" if args.quantize == "none" else f"model_{args.quantize}.tflite"
    out = args.out or os.path.join(args.model, default)
    eval_data = read(args.eval, args, unit=nlu.unit) if args.eval else None
    report = nlu.export(out, quantize=args.quantize, sample_tokens=[nlu.tokenize(t) for t in texts],
                        eval_data=eval_data, num_calibration_samples=args.calibration_samples,
                        latency_runs=args.latency_runs)
    if args.golden:
        golden = os.path.join(os.path.dirname(os.path.abspath(out)), "golden.json")
        nlu.write_golden(golden, texts, tflite=out, n=args.golden, quantize=args.quantize)
        print(f"wrote {golden}", file=sys.stderr)
    if args.json:
        print_json(report.to_dict())
    else:
        print(report.to_text())


def run_evaluate(args):
    from keras_slm.tasks.nlu import NluModel

    nlu = NluModel.load(args.model)
    data = read(args.data, args, unit=nlu.unit)
    metrics = nlu.evaluate(data)
    metrics.update(model=args.model, skipped=len(data.skipped))
    if args.json:
        print_json(metrics)
        return
    print(_summary(metrics))
    width = max([4] + [len(k) for k in metrics["per_type"]])
    for slot, m in metrics["per_type"].items():
        print(f"  {slot:<{width}}  P {m['precision']:.4f}  R {m['recall']:.4f}  F1 {m['f1']:.4f}  ({m['support']})")


def run_predict(args, texts):
    from keras_slm.tasks.nlu import NluModel

    results = [{"text": r["text"], "intent": r["intent"], "score": r["score"], "slots": r["slots"]}
               for r in NluModel.load(args.model).predict_text(texts)]
    if args.json:
        print_json(results)
        return
    for r in results:
        slots = "  ".join(f"[{s['slot']} {s['text']!r} {s['start']}:{s['end']}]" for s in r["slots"]) or "(no slots)"
        print(f"{r['intent']} {r['score']:.4f}\t{slots}\t{r['text']}")
