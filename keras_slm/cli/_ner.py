"""NER parts of `keras-slm train --task ner`, and `evaluate` / `predict` on a tagger directory."""

import json
import os

from keras_slm.cli._common import print_json, robust_training_kwargs
from keras_slm.errors import KerasSlmError

NER_MODELS = ("bilstm_crf", "bilstm", "char_bilstm_crf", "char_bilstm", "transformer_crf")


def add_train_arguments(parser):
    """The options only `--task ner` reads (shared: --data, --val, --model, --out, --epochs, ...)."""
    g = parser.add_argument_group("NER (--task ner; CoNLL files: token ... tag, blank line between sentences)")
    g.add_argument("--token-column", type=int, default=0, help="CoNLL token column (default 0)")
    g.add_argument("--tag-column", type=int, default=-1, help="CoNLL tag column (default -1, the last)")
    g.add_argument("--tag-scheme", default="auto", choices=["auto", "bio", "iob1", "iobes", "bmes"],
                   help="tag scheme of the files (converted to BIO); auto: IOBES/BMES if E-/S-/M- tags occur")
    g.add_argument("--repair-tags", action="store_true",
                   help="turn an I- tag that continues no entity into B- (with a warning) instead of stopping")
    g.add_argument("--encoder", default=None,
                   help="--model transformer_crf: tiny_2x128 (default), small_4x256, base_6x384 (WordPiece "
                        "vocabulary learnt from --data), minilm (all-MiniLM-L6-v2), or a `keras-slm pretrain` DIR")
    g.add_argument("--time-budget", type=float, help="stop training after this many seconds")
    g.add_argument("--lstm-units", type=int, help="BiLSTM taggers: units per direction (default 100; 128 with --tokenizer char)")
    g.add_argument("--char-filters", type=int, help="bilstm_crf / bilstm: character-CNN filters (default 50)")


def is_ner_dir(path):
    """True when MODEL (a directory or a file in one) holds an NER tagger."""
    directory = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    try:
        with open(os.path.join(directory, "config.json"), encoding="utf-8") as f:
            return json.load(f).get("task") == "ner"
    except (OSError, ValueError, AttributeError):
        return False


def read(path, args):
    from keras_slm.data import read_conll

    data = read_conll(path, token_column=getattr(args, "token_column", 0), tag_column=getattr(args, "tag_column", -1),
                      scheme=getattr(args, "tag_scheme", "auto"), repair=getattr(args, "repair_tags", False))
    if data.repairs:
        print(f"{path}: repaired {len(data.repairs)} tag(s), e.g. {data.repairs[0]}")
    return data


def run_train(args):
    from keras_slm import files
    from keras_slm.tasks.tagger_training import train_tagger

    model = args.model or "bilstm_crf"
    if model not in NER_MODELS:
        raise KerasSlmError(f"--task ner trains --model {' / '.join(NER_MODELS)}, not {model!r}")
    if args.tokenizer == "char" and not model.startswith("char_"):
        model = f"char_{model}"  # one token per character (Chinese): the char-level tagger
    if not args.data:
        raise KerasSlmError("--task ner needs --data TRAIN (CoNLL)")
    if args.word_vectors and (model.startswith("char_") or model.startswith("transformer")):
        raise KerasSlmError(f"--word-vectors needs a word-level BiLSTM tagger (bilstm_crf, bilstm), got {model}")
    sizes = {k: v for k, v in (("lstm_units", args.lstm_units), ("char_filters", args.char_filters)) if v is not None}
    if sizes and (model.startswith("transformer") or (model.startswith("char_") and "char_filters" in sizes)):
        raise KerasSlmError(f"--{' / --'.join(k.replace('_', '-') for k in sizes)} do not apply to --model {model}")
    train = read(args.data, args)
    if args.val:
        val = read(args.val, args)
    else:
        cut = max(1, len(train) // 10)
        train, val = train.subset(range(cut, len(train))), train.subset(range(cut))
        print(f"validation: the first 10% of {args.data} ({len(val)} sentences)")
    tagger, history, metrics = train_tagger(
        train, val, model=model, seq_len=args.seq_len, min_count=args.min_count, epochs=args.epochs,
        batch_size=args.batch_size, learning_rate=args.lr, patience=args.patience,
        time_budget=args.time_budget, seed=args.seed, word_vectors=args.word_vectors, **sizes,
        **robust_training_kwargs(args),
        **({"encoder": args.init or getattr(args, "encoder", None)} if model.startswith("transformer") else {}),
    )
    tagger.save(args.staging)
    exports = {}
    samples = train.tokens[:300]
    for mode in ["none"] + ([args.quantize] if args.quantize != "none" else []):
        name = "model.tflite" if mode == "none" else f"model_{mode}.tflite"
        report = tagger.export(os.path.join(args.staging, name), quantize=mode, sample_sentences=samples,
                               latency_runs=100)
        report.path = os.path.join(args.out, name)  # where it lands after the swap
        exports[mode] = report.to_dict()
        print(f"\n{report.to_text()}")
    summary = {
        "validation": {k: metrics[k] for k in ("f1", "precision", "recall", "n", "per_type", "best_epoch", "epochs_run")},
        "training": {
            "data": os.path.abspath(args.data), "train_sentences": len(train), "val_sentences": len(val),
            "model": model, "seq_len": args.seq_len, "epochs": args.epochs, "batch_size": args.batch_size,
            "learning_rate": args.lr, "seed": args.seed, "word_vectors": args.word_vectors, **sizes,
            **robust_training_kwargs(args),
            "history": history,
            "vocab_size": len(tagger.words) or tagger.tokenizer.vocab_size, "tags": tagger.tags.labels, "wall_time_s": metrics["wall_time_s"],
            "params": int(tagger.model.count_params()),
        },
        "exports": exports,
    }
    files.write_text_atomic(os.path.join(args.staging, "metrics.json"), json.dumps(summary, indent=1, ensure_ascii=False))
    print(f"\nvalidation entity F1 {metrics['f1']:.4f} (P {metrics['precision']:.4f}, R {metrics['recall']:.4f}; "
          f"best epoch {metrics['best_epoch']}/{metrics['epochs_run']}, {metrics['wall_time_s']:.0f}s)")


def run_evaluate(args):
    from keras_slm.evaluation import format_entity_table
    from keras_slm.tasks.sequence_tagger import SequenceTagger

    tagger = SequenceTagger.load(args.model)
    data = read(args.data, args)
    unseen = sorted(set(data.tag_set()) - set(tagger.tags.labels))
    if unseen:
        raise KerasSlmError(f"{args.data}: tags {unseen} are not among the model's tags {tagger.tags.labels}")
    metrics = tagger.evaluate(data)
    metrics["model"] = args.model
    if args.json:
        print_json(metrics)
    else:
        print(format_entity_table(metrics))


def run_predict(args, texts):
    from keras_slm.tasks.sequence_tagger import SequenceTagger

    results = SequenceTagger.load(args.model).predict_text(texts)
    if args.json:
        print_json(results)
        return
    for r in results:
        spans = "  ".join(f"[{e['type']} {e['text']!r} {e['start']}:{e['end']}]" for e in r["entities"]) or "(no entities)"
        print(f"{r['text']}\t{spans}")
