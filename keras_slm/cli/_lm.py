"""Language-model parts of `keras-slm train --task lm` and `keras-slm evaluate` on an LM directory."""

import json
import os

from keras_slm.cli._common import print_json
from keras_slm.errors import KerasSlmError

LM_MODELS = ("lstm", "transformer")
# Defaults of `train --task lm` (the shared --epochs / --seq-len default to None): a char LSTM with
# these reaches <= 1.70 nats/char on the last 10% of tiny_shakespeare (BENCHMARKS.md, issue 19).
DEFAULT_EPOCHS = 10
DEFAULT_CHAR_SEQ_LEN = 100


def add_train_arguments(parser):
    """The options only `--task lm` reads (the shared ones: --model, --tokenizer, --seq-len, ...)."""
    g = parser.add_argument_group("language model (--task lm)")
    g.add_argument("--text", help="plain UTF-8 training text (the whole file is one stream)")
    g.add_argument("--val-text", help="validation text (default: the last 10%% of --text, cut at a line end)")
    g.add_argument("--units", type=int, default=256, help="LSTM units per layer (default 256)")
    g.add_argument("--embedding-dim", type=int, default=64, help="LSTM embedding width (default 64)")
    g.add_argument("--layers", type=int, default=None, help="LSTM layers (1) / transformer blocks (2)")
    g.add_argument("--hidden-dim", type=int, default=128, help="transformer width (default 128)")
    g.add_argument("--heads", type=int, default=4, help="transformer attention heads (default 4)")
    g.add_argument("--prompts", type=int, default=20,
                   help="held-out prompts whose greedy TFLite continuation is checked against Keras (default 20)")


def _model_options(args, family):
    if family == "lstm":
        return {"units": args.units, "embedding_dim": args.embedding_dim, "num_layers": args.layers or 1}
    return {"hidden_dim": args.hidden_dim, "num_heads": args.heads, "num_layers": args.layers or 2,
            "intermediate_dim": 4 * args.hidden_dim}


def parity_prompts(text, n):
    """`n` prompts from a text: the first half of its longer lines."""
    lines = [line for line in text.splitlines() if len(line.split()) >= 4]
    return [line[: len(line) // 2] for line in lines[:n]]


def run_train(args):
    from keras_slm import files
    from keras_slm.export.lm import export_lm
    from keras_slm.tasks.language_model import METRICS_FILE, TFLITE_FILE
    from keras_slm.tasks.lm_training import train_lm
    from keras_slm.training.language_model import read_text, split_text

    text_path = args.text or args.data
    if not text_path:
        raise KerasSlmError("--task lm needs --text FILE (plain text)")
    family = args.model or "lstm"
    if family not in LM_MODELS:
        raise KerasSlmError(f"--task lm trains --model {' or '.join(LM_MODELS)}, not {family!r}")
    if args.quantize == "int8":
        raise KerasSlmError("language models export as none, dynamic or float16 (--quantize), not int8")
    text = read_text(text_path)
    val_text = read_text(args.val_text) if args.val_text else None
    val_source = args.val_text
    if val_text is None:
        text, val_text = split_text(text, 0.1)
        val_source = f"{text_path} (its last 10%, the validation text)"
        print(f"validation: the last 10% of {text_path} ({len(val_text):,} characters)")
    lm, history, metrics = train_lm(
        text, val_text, model=family, tokenizer=args.tokenizer, seq_len=args.seq_len, max_vocab=args.max_vocab,
        min_count=args.min_count, epochs=args.epochs, batch_size=args.batch_size,
        learning_rate=2e-3 if args.lr is None else args.lr, seed=args.seed, patience=args.patience,
        time_budget=getattr(args, "time_budget", None),  # --time-budget is shared with --task ner
        model_options=_model_options(args, family), source=text_path, val_source=val_source,
    )
    lm.save(args.staging)
    prompts = parity_prompts(val_text, args.prompts)
    exports = {}
    for mode in ["none"] + ([args.quantize] if args.quantize != "none" else []):
        name = TFLITE_FILE if mode == "none" else f"model_{mode}.tflite"
        report = export_lm(lm, os.path.join(args.staging, name), quantize=mode, prompts=prompts)
        report.path = os.path.join(args.out, name)  # where it lands after the swap
        exports[mode] = report.to_dict()
        print(f"\n{report.to_text()}")
    summary = {
        "validation": metrics,
        "training": {"text": os.path.abspath(text_path), "model": family, "tokenizer": args.tokenizer,
                     "seq_len": lm.seq_len, "vocab_size": lm.tokenizer.vocab_size, "epochs": args.epochs,
                     "batch_size": args.batch_size, "seed": args.seed, "history": history},
        "exports": exports,
    }
    files.write_text_atomic(os.path.join(args.staging, METRICS_FILE), json.dumps(summary, indent=1, ensure_ascii=False))
    print(f"\nvalidation loss {metrics['loss']:.4f} nats/token, perplexity {metrics['perplexity']:.2f} "
          f"({metrics['epochs_run']} epochs, {metrics['wall_time_s']:.0f}s)")


def run_evaluate(args):
    """Loss (nats per token) and perplexity of an LM directory on a text file."""
    from keras_slm.tasks.language_model import LanguageModel
    from keras_slm.training.language_model import read_text

    path = args.model
    if path.endswith(".tflite"):
        path = os.path.dirname(os.path.abspath(path))  # scored with the Keras model beside it
    lm = LanguageModel.load(path)
    metrics = lm.evaluate_text(read_text(args.data))
    metrics.update({"model": args.model, "data": args.data, "unit": "nats per token"})
    if args.json:
        print_json(metrics)
    else:
        print(f"loss {metrics['loss']:.4f} nats/token, perplexity {metrics['perplexity']:.3f} "
              f"over {metrics['tokens']:,} tokens")
