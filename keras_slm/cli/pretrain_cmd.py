"""keras-slm pretrain: unlabelled text in, masked-LM-pretrained transformer encoder out."""

import os

from keras_slm.cli.train_cmd import TRANSFORMER_MODELS

PRESETS = [name for name in TRANSFORMER_MODELS if name not in ("minilm", "mpnet")]  # keras_slm.models.transformer_encoder.PRESETS


def add_parser(sub):
    p = sub.add_parser("pretrain", help="pretrain a compact transformer encoder with masked LM on plain text")
    p.add_argument("--text", required=True, help="UTF-8 text file, one example per non-empty line")
    p.add_argument("--out", required=True, help="output directory (fine-tune it with `keras-slm train --init DIR`)")
    p.add_argument("--preset", default="tiny_2x128", choices=sorted(PRESETS), help="encoder size (layers x hidden)")
    p.add_argument("--vocab-size", type=int, default=8000, help="WordPiece vocabulary to learn (default 8000)")
    p.add_argument("--seq-len", type=int, default=64, help="tokens per example incl. [CLS]/[SEP] (default 64)")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=5e-4, help="AdamW learning rate")
    p.add_argument("--mask-rate", type=float, default=0.15, help="share of tokens to predict (default 0.15)")
    p.add_argument("--max-lines", type=int, help="read at most this many lines")
    p.add_argument("--max-steps", type=int, help="stop after this many training steps")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(run=run)


def run(args):
    from keras_slm.training.mlm import run_pretraining

    metrics = run_pretraining(
        args.text, args.out, max_lines=args.max_lines, preset=args.preset, vocab_size=args.vocab_size,
        seq_len=args.seq_len, epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.lr,
        mask_rate=args.mask_rate, max_steps=args.max_steps, seed=args.seed, verbose=2,
    )
    print(
        f"\nmasked-LM loss {metrics['final_loss']:.3f}, accuracy {metrics['final_accuracy']:.3f} "
        f"({metrics['lines']} lines, {metrics['epochs_run']} epoch(s), {metrics['wall_time_s']:.0f}s)"
    )
    print(f"wrote {os.path.join(args.out, '')}: encoder.keras, tokenizer.json, vocab.txt, config.json")
    print(f"fine-tune it: keras-slm train --init {args.out} --data TRAIN.tsv --out MODEL_DIR")
