"""Few-shot parts of `keras-slm train --few-shot`: the SetFit recipe on MiniLM or a pretrained encoder."""

import sys

from keras_slm.errors import KerasSlmError

FEW_SHOT_MODELS = ("minilm", "mpnet", "tiny_2x128", "small_4x256", "base_6x384")


def add_train_arguments(parser):
    """The options only `--few-shot` reads (shared ones: --model, --init, --epochs, --batch-size, --lr, --seq-len)."""
    g = parser.add_argument_group("few-shot classification (--few-shot)")
    g.add_argument("--few-shot", action="store_true",
                   help="train from a few labelled examples per class (8-64; see `keras-slm sample`): contrastive "
                   "tuning of a sentence encoder on example pairs, then a logistic-regression head (SetFit recipe); "
                   "--model mpnet (all-mpnet-base-v2, the default where installed: far more accurate from few "
                   "examples), minilm (5x smaller; the default otherwise) or --init DIR; --epochs 1, --batch-size 16, --lr 1e-4 (mpnet 2e-5) by default")
    g.add_argument("--pair-iterations", type=int, default=None, metavar="R",
                   help="rounds of pair drawing: each example gets one same-class and one other-class partner "
                   "per round (default 20, mpnet 5; 0: no tuning, a head on the frozen encoder)")
    g.add_argument("--max-pairs", type=int, default=None, metavar="N",
                   help="cap on the number of pairs (default 1280, mpnet 320)")
    g.add_argument("--end-to-end-epochs", type=int, default=0, metavar="N",
                   help="then fine-tune encoder and head together with cross-entropy for N epochs (default 0)")


def check_arguments(args):
    """Raises on options that do not go with --few-shot; fills its defaults."""
    from keras_slm.tasks import minilm, mpnet
    from keras_slm.tasks.few_shot import default_model

    if args.lora_rank is not None or args.word_vectors or args.tokenizer != "word":
        raise KerasSlmError("--few-shot does not take --lora-rank, --word-vectors or --tokenizer")
    if args.init is None:
        if args.model is None:
            args.model = default_model()
            hint = "" if args.model == "mpnet" else f"; more accurate: --model mpnet ({mpnet.INSTALL_HINT})"
            args.few_shot_note = f"few-shot encoder: {args.model}{hint}"  # said once the data passed its checks
        if args.model not in FEW_SHOT_MODELS:
            raise KerasSlmError(f"--few-shot trains a transformer encoder ({', '.join(FEW_SHOT_MODELS)}) or --init DIR, "
                                f"not --model {args.model}")
        for name, module, find in [("minilm", minilm, minilm.minilm_dir), ("mpnet", mpnet, mpnet.mpnet_dir)]:
            if args.model == name and find() is None:
                raise KerasSlmError(f"--few-shot --model {name} needs its weights ({module.INSTALL_HINT}); "
                                    "or pass --init DIR from `keras-slm pretrain`")
    args.epochs = args.epochs or 1
    args.batch_size = args.batch_size or 16


def train(args, train_data, val):
    """(classifier, metrics) for `keras-slm train --few-shot`: metrics on --val, else on the training rows."""
    from keras_slm.data.few_shot import check_few_shot
    from keras_slm.tasks.few_shot import train_few_shot_classifier

    check_few_shot(train_data)  # a data error stays the only line on stderr
    if getattr(args, "few_shot_note", None):
        print(args.few_shot_note, file=sys.stderr)
    classifier, info = train_few_shot_classifier(
        train_data, model=args.model, init=args.init, seq_len=args.seq_len or 64,
        iterations=args.pair_iterations, max_pairs=args.max_pairs, epochs=args.epochs, batch_size=args.batch_size,
        learning_rate=args.lr, end_to_end_epochs=args.end_to_end_epochs, seed=args.seed,
    )
    metrics = classifier.evaluate(val if val is not None else train_data)
    metrics["scored_on"] = "--val" if val is not None else "the training rows (no --val given)"
    metrics.update(best_epoch=args.epochs, epochs_run=args.epochs, few_shot=info)
    args.lr = info.get("learning_rate", args.lr)
    return classifier, metrics
