"""Translation parts of `keras-slm train --task translation` and `keras-slm evaluate` on a translator."""

import json
import os
import random

from keras_slm.cli._common import print_json, seeded_holdout
from keras_slm.errors import KerasSlmError

TRANSLATION_MODELS = ("lstm_attention", "transformer")
PARITY_SENTENCES = 200


def add_train_arguments(parser):
    """The options only `--task translation` reads (shared: --data, --val, --model, --out, --epochs, ...)."""
    g = parser.add_argument_group("translation (--task translation; --model lstm_attention or transformer)")
    g.add_argument("--source-column", default="zh", help="source-language column / JSON key (default zh)")
    g.add_argument("--target-column", default="en", help="target-language column / JSON key (default en)")
    g.add_argument("--source-vocab", type=int, default=6000, help="most source tokens: CJK characters, Latin words (default 6000)")
    g.add_argument("--target-vocab", type=int, default=6000, help="target WordPiece vocabulary size (default 6000)")
    g.add_argument("--label-smoothing", type=float, default=0.1, help="label smoothing (default 0.1)")
    # Model size: the language-model options --units (LSTM units per direction), --embedding-dim,
    # --hidden-dim, --heads and --layers (transformer blocks per side) apply here too.


def read(path, args, require_target=True):
    from keras_slm.data.translation import read_parallel

    return read_parallel(path, getattr(args, "source_column", "zh"), getattr(args, "target_column", "en"),
                         require_target=require_target)


def _model_options(args, family):
    if family == "lstm_attention":
        return {"units": args.units, "embedding_dim": args.embedding_dim, "attention_dim": args.units}
    return {"hidden_dim": args.hidden_dim, "num_heads": args.heads, "num_layers": args.layers or 2,
            "intermediate_dim": 4 * args.hidden_dim}


def run_train(args):
    from keras_slm import files
    from keras_slm.tasks.translation import METRICS_FILE, TFLITE_FILE
    from keras_slm.tasks.translation_android import CALIBRATION_FILE
    from keras_slm.tasks.translation_training import train_translator

    family = args.model or "transformer"
    if family not in TRANSLATION_MODELS:
        raise KerasSlmError(f"--task translation trains --model {' or '.join(TRANSLATION_MODELS)}, not {family!r}")
    if not args.data:
        raise KerasSlmError("--task translation needs --data TRAIN (columns --source-column / --target-column)")
    train = read(args.data, args)
    if args.val:
        val = read(args.val, args)
    else:
        train, val = seeded_holdout(train, args, "pairs")
    translator, history, metrics = train_translator(
        train, val, model=family, source_vocab_size=args.source_vocab, target_vocab_size=args.target_vocab,
        epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.lr, label_smoothing=args.label_smoothing,
        patience=args.patience, time_budget=getattr(args, "time_budget", None), seed=args.seed,
        model_options=_model_options(args, family),
    )
    translator.save(args.staging)
    sample = random.Random(args.seed).sample(train.sources, min(300, len(train)))
    # Source sentences for `keras-slm export DIR` (int8 calibration, parity, golden vectors).
    files.write_text_atomic(os.path.join(args.staging, CALIBRATION_FILE), "".join(f"{t}\n" for t in sample))
    parity = val.sources[:PARITY_SENTENCES]
    exports = {}
    for mode in ["none"] + ([args.quantize] if args.quantize != "none" else []):
        name = TFLITE_FILE if mode == "none" else f"model_{mode}.tflite"
        report = translator.export(os.path.join(args.staging, name), quantize=mode, sample_texts=sample,
                                   parity_texts=parity)
        report["path"] = os.path.join(args.out, name)  # where it lands after the swap
        exports[mode] = report
        same = report["parity"]
        print(f"{name}: {report['size_bytes'] / 2**20:.2f} MiB, builtin ops only: {report['android_compatible']}, "
              f"greedy tokens identical to Keras on {same['greedy_identical']}/{same['n']} validation sentences, "
              f"{report['latency']['decode_step_median_ms']:.2f} ms per token")
    summary = {"validation": {k: metrics[k] for k in ("val_bleu", "val_chrf", "val_n") if k in metrics},
               "training": {"data": os.path.abspath(args.data), "model": family, "epochs": args.epochs,
                            "batch_size": args.batch_size, "seed": args.seed, **metrics, "history": history},
               "exports": exports}
    files.write_text_atomic(os.path.join(args.staging, METRICS_FILE), json.dumps(summary, indent=1, ensure_ascii=False))
    print(f"\nvalidation BLEU {metrics.get('val_bleu', float('nan')):.2f}, chrF {metrics.get('val_chrf', float('nan')):.2f} "
          f"(greedy; best epoch {metrics['best_epoch']}/{metrics['epochs_run']}, {metrics['wall_time_s']:.0f}s)")


def _print_report(name, report):
    line = f"{name}: {report['size_bytes'] / 2**20:.2f} MiB, builtin ops only: {report['android_compatible']}"
    if report.get("parity"):
        same = report["parity"]
        line += f", greedy tokens identical to Keras on {same['greedy_identical']}/{same['n']} sentences"
    if report.get("latency"):
        line += f", {report['latency']['decode_step_median_ms']:.2f} ms per token"
    print(line)


def run_export(args):
    """`keras-slm export DIR` on a translation directory: another quantization (DIR/model_<mode>.tflite
    or --out), or with --target android a folder for an app's assets; --golden N golden vectors."""
    import sys

    from keras_slm import files
    from keras_slm.export.golden import GOLDEN_FILE, pick_texts, write_json
    from keras_slm.tasks import translation_android as android
    from keras_slm.tasks.translation import SOURCE_DIR, TARGET_DIR, Translator

    samples = None
    if args.samples:
        samples = files.read_text_lines(args.samples, "source sentences, one per line (--samples FILE)")
    if args.target == "android":
        if not args.out or args.out.endswith(".tflite"):
            raise KerasSlmError("--target android needs --out FOLDER (a folder to copy into app/src/main/assets)")
        result = android.export_translation_android(args.model, args.out, quantize=args.quantize, samples=samples,
                                                    golden=args.golden or 100)
        if args.json:
            print_json(result)
            return
        print(f"Android folder: {result['folder']}")
        print("".join(f"  {name}\n" for name in result["files"]), end="")
        _print_report(android.TFLITE_FILE, result["export"])
        print(f"{GOLDEN_FILE}: {result['golden_cases']} sentences")
        return
    translator = Translator.load(args.model)
    directory = args.model if os.path.isdir(args.model) else os.path.dirname(os.path.abspath(args.model))
    samples = pick_texts(android.read_samples(directory, samples), None)
    default = "model.tflite" if args.quantize == "none" else f"model_{args.quantize}.tflite"
    out = args.out or os.path.join(directory, default)
    if not out.endswith(".tflite"):
        raise KerasSlmError(f"--out {out}: expected a path ending in .tflite (or --target android --out FOLDER)")
    with files.atomic_path(out) as staging:
        report = translator.export(staging, quantize=args.quantize, sample_texts=samples,
                                   parity_texts=samples[:PARITY_SENTENCES])
    report["path"] = out
    if args.eval:
        metrics, _ = android._tflite_translator(translator, out).evaluate(read(args.eval, args))
        report["eval"] = {k: metrics[k] for k in ("bleu", "chrf", "n")}
    if args.golden:
        golden = os.path.join(os.path.dirname(os.path.abspath(out)), GOLDEN_FILE)
        where = os.path.dirname(golden)
        doc = android.translation_golden(
            android._tflite_translator(translator, out), samples[: args.golden], keras_translator=translator,
            quantize=args.quantize, model_file=os.path.basename(out),
            source_vocab=os.path.relpath(os.path.join(directory, SOURCE_DIR, "vocab.txt"), where),
            target_vocab=os.path.relpath(os.path.join(directory, TARGET_DIR, "vocab.txt"), where))
        write_json(golden, doc)
        print(f"wrote {golden}", file=sys.stderr)
    if args.json:
        print_json(report)
        return
    _print_report(out, report)
    if "eval" in report:
        print(f"{args.eval}: BLEU {report['eval']['bleu']:.2f}  chrF {report['eval']['chrf']:.2f}  n {report['eval']['n']}")


def run_evaluate(args):
    """sacreBLEU BLEU / chrF of a translator (DIR, model.keras or a .tflite file) on a parallel file."""
    from keras_slm.tasks.translation import Translator

    translator = Translator.load(args.model)
    data = read(args.data, args)
    beam = getattr(args, "beam", 1) or 1
    metrics, _ = translator.evaluate(data, beam_width=beam)
    metrics.update({"model": args.model, "data": args.data})
    if args.json:
        print_json(metrics)
    else:
        print(f"BLEU {metrics['bleu']:.2f}  chrF {metrics['chrf']:.2f}  n {metrics['n']}  ({metrics['decoding']})")
        print(metrics["bleu_signature"])
