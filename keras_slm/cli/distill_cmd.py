"""keras-slm distill: a teacher model directory + data in, a small student model directory out."""

import json
import os
import time

from keras_slm.cli._common import add_data_options, add_quantize_option, read_data, validation_split
from keras_slm.cli.train_cmd import TRANSFORMER_PRESETS
from keras_slm.errors import KerasSlmError

# Listed here so `--help` does not import TensorFlow (keras_slm.models.classifiers / transformer_encoder).
TRANSFORMER_STUDENTS = TRANSFORMER_PRESETS
STUDENTS = ("awe", "lstm", "gru", "bilstm", "stacked_lstm", *TRANSFORMER_STUDENTS)


def add_parser(sub):
    p = sub.add_parser("distill", help="train a small student classifier from a teacher's soft scores")
    p.add_argument("--teacher", required=True,
                   help="teacher model directory (from `keras-slm train`), or its .tflite; with --layerwise a "
                        "transformer directory, `minilm`, or a Hugging Face BERT folder (config.json, "
                        "model.safetensors, vocab.txt)")
    p.add_argument("--student", default="bilstm", choices=STUDENTS, help="student family or transformer preset")
    p.add_argument("--data", required=True, help="training file (.tsv/.csv with header, or .jsonl)")
    p.add_argument("--val", help="validation file (default: a seeded 10%% of --data; on phrase-level data whole sentences, their phrases left out of training)")
    p.add_argument("--out", required=True, help="output model directory for the student")
    p.add_argument("--temperature", type=float, default=2.0, help="softening temperature (default 2)")
    p.add_argument("--alpha", type=float, default=0.5, help="weight of the hard-label loss (default 0.5)")
    p.add_argument("--augment", type=int, default=0, metavar="N",
                   help="also train on N perturbed copies of each training text of 4+ words (words dropped, "
                        "n-grams sampled), labelled by the teacher (default 0)")
    p.add_argument("--unlabelled", metavar="FILE",
                   help="texts without labels (.tsv/.csv/.jsonl with a text column; a label column is ignored) that "
                        "the teacher scores and the student also learns from (a transfer set, e.g. in-domain "
                        "sentences nobody labelled); with --layerwise they join the intermediate-layer stage too")
    p.add_argument("--layerwise", action="store_true",
                   help="TinyBERT-style: the transformer student first learns the teacher's embeddings, hidden states "
                        "and attention maps (on --general-data, then on the training texts), then its scores")
    p.add_argument("--general-data", help="--layerwise: unlabelled texts for general distillation (.tsv/.csv/.jsonl "
                                          "with a text column)")
    p.add_argument("--general-epochs", type=int, default=1, help="--layerwise: epochs on --general-data (default 1)")
    p.add_argument("--layer-epochs", type=int, default=2,
                   help="--layerwise: intermediate-layer epochs on the training texts (default 2)")
    p.add_argument("--max-steps", type=int, help="--layerwise: at most this many steps per epoch (quick runs)")
    p.add_argument("--tokenizer", default="word", choices=["word", "char"], help="student tokenizer (RNN/AWE)")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--seq-len", type=int, default=64)
    p.add_argument("--max-vocab", type=int, default=20000)
    p.add_argument("--lr", type=float, help="learning rate (default 1e-3; transformer students 5e-4)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--patience", type=int, default=2)
    add_quantize_option(p, help_text="also write a quantized model_<mode>.tflite")
    add_data_options(p)
    p.set_defaults(run=run)


def run(args):
    from keras_slm.tasks.model_files import check_replaceable
    from keras_slm.tasks.text_classifier import TextClassifier
    from keras_slm.tasks.classifier_training import distill_classifier

    if not 0 <= args.alpha <= 1 or args.temperature <= 0:
        raise KerasSlmError(f"--alpha must be in [0, 1] and --temperature > 0 (got {args.alpha}, {args.temperature})")
    if args.augment < 0:
        raise KerasSlmError(f"--augment must be >= 0 (got {args.augment})")
    check_replaceable(args.out, f"--out {args.out}")  # before training, not after it
    if args.layerwise:
        return _run_layerwise(args)
    teacher = TextClassifier.load(args.teacher)
    train = read_data(args.data, args)
    val = read_data(args.val, args) if args.val else None
    if val is None:
        train, val = validation_split(train, args)
    unseen = teacher.labels.unseen_rows(train)
    if unseen:
        row = unseen[0]
        raise KerasSlmError(f"{train.path}:{train.lines[row]}: label {train.labels[row]!r} is not one of the teacher's "
                            f"labels {teacher.labels.labels}")
    unlabelled = _unlabelled(args)
    start = time.time()
    teacher_metrics = teacher.evaluate(val)
    student, history, metrics = distill_classifier(
        teacher, train, val, student=args.student, tokenizer=args.tokenizer, seq_len=args.seq_len,
        max_vocab=args.max_vocab, temperature=args.temperature, alpha=args.alpha, epochs=args.epochs,
        batch_size=args.batch_size, learning_rate=args.lr, seed=args.seed, patience=args.patience,
        augment=args.augment, unlabelled=unlabelled,
    )
    wall = time.time() - start
    summary = {
        "validation": metrics,
        "teacher": {"path": os.path.abspath(args.teacher), "accuracy": teacher_metrics["accuracy"],
                    "macro_f1": teacher_metrics["macro_f1"], "family": teacher.family,
                    "scored_on": "the student's validation rows"},
        "training": {
            "data": os.path.abspath(args.data), "train_rows": len(train), "val_rows": len(val),
            "model": args.student, "distilled": True, "temperature": args.temperature, "alpha": args.alpha,
            "augment": args.augment, "augmented_rows": metrics["augmented_rows"],
            "unlabelled_rows": metrics["unlabelled_rows"], "seq_len": args.seq_len, "epochs": args.epochs, "epochs_run": metrics["epochs_run"],
            "best_epoch": metrics["best_epoch"], "batch_size": args.batch_size,
            "learning_rate": metrics["learning_rate"], "seed": args.seed, "wall_time_s": round(wall, 1),
            "params": int(student.model.count_params()),
        },
    }
    _write_student(student, args, train, val, summary)
    # The teacher may have been trained on these rows (a teacher fine-tuned on the whole file, say),
    # so its number is only a held-out score when the user knows it was not.
    print(f"\nteacher ({teacher.family}) accuracy on the student's validation rows {teacher_metrics['accuracy']:.4f} "
          f"(held-out only if the teacher did not train on them); "
          f"student ({args.student}, {summary['training']['params']:,} params) {metrics['accuracy']:.4f} ({wall:.0f}s)")
    print(f"wrote {args.out}/: model.keras, model.tflite, tokenizer.json, vocab.txt, labels.txt, metrics.json")


def _run_layerwise(args):
    from keras_slm.tasks.layerwise_distill import layerwise_distill_classifier

    if args.student not in TRANSFORMER_STUDENTS:
        raise KerasSlmError(f"--layerwise needs a transformer student ({', '.join(TRANSFORMER_STUDENTS)}), "
                            f"got {args.student}")
    for name in ("general_epochs", "layer_epochs"):
        if getattr(args, name) < 0:
            raise KerasSlmError(f"--{name.replace('_', '-')} must be >= 0 (got {getattr(args, name)})")
    if args.teacher != "minilm" and not os.path.isdir(args.teacher):
        raise KerasSlmError(f"{args.teacher}: no such teacher directory (expected a transformer model directory, "
                            f"`minilm` or a Hugging Face BERT folder)")
    train = read_data(args.data, args)
    val = read_data(args.val, args) if args.val else None
    if val is None:
        train, val = validation_split(train, args)
    general = read_data(args.general_data, args, require_label=False).texts if args.general_data else None
    unlabelled = _unlabelled(args)
    start = time.time()
    student, _, metrics = layerwise_distill_classifier(
        args.teacher, train, val, student=args.student, seq_len=args.seq_len, general_texts=general,
        general_epochs=args.general_epochs, layer_epochs=args.layer_epochs, epochs=args.epochs,
        temperature=args.temperature, alpha=args.alpha, augment=args.augment, unlabelled=unlabelled, batch_size=args.batch_size,
        learning_rate=args.lr or 5e-4, seed=args.seed, patience=args.patience, max_steps_per_epoch=args.max_steps,
    )
    wall = time.time() - start
    summary = {
        "validation": {k: v for k, v in metrics.items() if k != "layerwise"},
        "layerwise": metrics["layerwise"],
        "training": {
            "data": os.path.abspath(args.data), "train_rows": len(train), "val_rows": len(val),
            "model": args.student, "distilled": "layerwise", "temperature": args.temperature, "alpha": args.alpha,
            "augment": args.augment, "unlabelled_rows": metrics["unlabelled_rows"], "general_epochs": args.general_epochs, "layer_epochs": args.layer_epochs,
            "seq_len": args.seq_len, "epochs": args.epochs, "epochs_run": metrics["epochs_run"],
            "best_epoch": metrics["best_epoch"], "batch_size": args.batch_size, "seed": args.seed,
            "wall_time_s": round(wall, 1), "params": int(student.model.count_params()),
        },
    }
    _write_student(student, args, train, val, summary)
    print(f"\nstudent ({args.student}, layer-wise from {args.teacher}, {summary['training']['params']:,} params) "
          f"validation accuracy {metrics['accuracy']:.4f} ({wall:.0f}s)")
    print(f"wrote {args.out}/: model.keras, model.tflite, tokenizer.json, vocab.txt, labels.txt, metrics.json")


def _unlabelled(args):
    """The texts of --unlabelled (None without it); labels there are ignored."""
    return list(read_data(args.unlabelled, args, require_label=False).texts) if args.unlabelled else None


def _write_student(student, args, train, val, summary):
    """Writes the student, its TFLite file(s) and metrics.json (`summary` + "exports") into --out as a whole.

    As `train` does: into a fresh sibling swapped in at the end, so a failed export or a kill leaves
    the previous --out as it was, never a new model.keras beside an old model.tflite.
    """
    from keras_slm import files
    from keras_slm.cli.train_cmd import write_export
    from keras_slm.tasks.text_classifier import METRICS_FILE

    with files.atomic_dir(args.out) as staging:
        student.save(staging)
        exports = {}
        for mode in ["none"] + ([args.quantize] if args.quantize != "none" else []):
            report = write_export(student, staging, mode, train.texts[:500], val)
            report.path = os.path.join(args.out, os.path.basename(report.path))  # where it lands after the swap
            exports[mode] = report.to_dict()
            print(f"\n{report.to_text()}")
        summary["exports"] = exports
        files.write_text_atomic(os.path.join(staging, METRICS_FILE), json.dumps(summary, indent=1, ensure_ascii=False))
