"""`keras-slm export DIR --trainable`: a .tflite file with infer/train/save/restore/reset signatures."""

import json
import os

from keras_slm.cli._common import print_json

MINILM = "minilm"


def add_trainable_options(p):
    p.add_argument("--trainable", action="store_true",
                   help="write a file that keeps learning on the phone (signatures infer, train, save, restore, "
                        "reset; builtin ops only). DIR: a classifier (refine its head with corrections), a sentence "
                        "embedder or 'minilm' (the user's own categories), or a language model (keyboard)")
    p.add_argument("--max-classes", type=int, default=16, help="--trainable over an embedder: class slots (default 16)")
    p.add_argument("--seq-len", type=int, default=64, help="--trainable minilm: tokens per text (default 64)")
    p.add_argument("--learning-rate", type=float, help="--trainable: SGD step of `train` (default: per kind)")
    p.add_argument("--l2", type=float, help="--trainable: pull towards the exported head at each step")
    p.add_argument("--train-part", choices=("output", "bias", "lora"), default="output",
                   help="--trainable language model: adapt the output layer, only its bias, or a low-rank update")
    p.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd",
                   help="--trainable language model: the step `train` takes (Adam keeps its moments in the file)")
    p.add_argument("--rank", type=int, default=8, help="--train-part lora: rank of the update (default 8)")


def _task(directory):
    path = os.path.join(directory, "config.json")
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f).get("task")


def run_trainable(args):
    from keras_slm.errors import KerasSlmError
    from keras_slm.tasks import personalisation

    if args.quantize == "int8":
        raise KerasSlmError("--trainable supports --quantize none, dynamic or float16 (int8 would freeze the head)")
    options = {"quantize": args.quantize}
    if args.learning_rate is not None:
        options["learning_rate"] = args.learning_rate
    if args.l2 is not None:
        options["l2"] = args.l2
    task = _task(args.model) if os.path.isdir(args.model) else None
    out = args.out or os.path.join(args.model if os.path.isdir(args.model) else ".", "trainable.tflite")
    if args.model == MINILM and task is None:
        from keras_slm.tasks.minilm import load_minilm
        from keras_slm.tasks.sentence_embedder import SentenceEmbedder

        encoder, tokenizer = load_minilm(max_length=args.seq_len)
        embedder = SentenceEmbedder.from_encoder(encoder, tokenizer, seq_len=args.seq_len, family=MINILM)
        report = personalisation.export_user_categories(embedder, out, max_classes=args.max_classes, **options)
    elif task == "sentence_embedding":
        from keras_slm.tasks.sentence_embedder import SentenceEmbedder

        report = personalisation.export_user_categories(SentenceEmbedder.load(args.model), out,
                                                        max_classes=args.max_classes, **options)
    elif task == "language_model":
        from keras_slm.tasks.language_model import LanguageModel

        report = personalisation.export_keyboard(LanguageModel.load(args.model), out, train=args.train_part,
                                                 optimizer=args.optimizer, rank=args.rank, **options)
    elif task == "text_classification":
        from keras_slm.tasks.text_classifier import TextClassifier

        report = personalisation.export_corrections(TextClassifier.load(args.model), out, **options)
    else:
        raise KerasSlmError(f"{args.model}: not a classifier, sentence embedder or language model directory "
                            f"(config.json task {task!r}); or pass '{MINILM}'")
    if args.json:
        print_json(report.to_dict())
    else:
        print(report.to_text())
