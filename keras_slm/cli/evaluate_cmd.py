"""keras-slm evaluate: accuracy, macro-F1 and a per-class table of a model on a file."""

from keras_slm.cli._common import add_data_options, print_json, read_data, unpacked
from keras_slm.errors import KerasSlmError


def add_parser(sub):
    p = sub.add_parser("evaluate", help="score a model (DIR, DIR/model.keras or a .tflite file) on labelled data")
    p.add_argument("model", metavar="MODEL", help="model directory, its model.keras, or a .tflite file in it")
    p.add_argument("--data", required=True, help="labelled file (.tsv/.csv/.jsonl); plain text for a language model")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--robustness", action="store_true",
                   help="classifiers and NER taggers: also score the data under seeded typos, casing, punctuation, "
                        "spacing, word dropout (Chinese: character substitutions, traditional/simplified, "
                        "full/half width) and report each drop")
    p.add_argument("--seed", type=int, default=0, help="--robustness: perturbation seed (default 0)")
    p.add_argument("--plot", metavar="FILE.png", help="--robustness: also draw the scores as bars (needs matplotlib)")
    add_data_options(p)
    p.add_argument("--source-column", default="zh", help="translation models: source column / JSON key (default zh)")
    p.add_argument("--target-column", default="en", help="translation models: reference column / JSON key (default en)")
    p.add_argument("--beam", type=int, default=1, help="translation models: beam width (default 1: greedy)")
    p.set_defaults(run=run)


def run(args):
    if args.plot and not args.robustness:
        raise KerasSlmError("--plot draws the --robustness report; add --robustness")
    from keras_slm.evaluation import format_classification_table
    from keras_slm.tasks.text_classifier import TextClassifier

    from keras_slm.tasks.language_model import is_language_model_dir

    from keras_slm.cli import _ner

    from keras_slm.tasks.translation import is_translation_dir

    if is_translation_dir(args.model):
        from keras_slm.cli._translation import run_evaluate as run_translation

        return run_translation(args)
    if args.robustness:
        return run_robustness(args)
    if _ner.is_ner_dir(args.model):
        return _ner.run_evaluate(args)
    from keras_slm.cli import _nlu

    if _nlu.is_nlu_dir(args.model):
        return _nlu.run_evaluate(args)
    if is_language_model_dir(args.model):
        from keras_slm.cli._lm import run_evaluate

        return run_evaluate(args)
    args.model = unpacked(args.model)  # an Android folder or a .tflite with metadata
    classifier = TextClassifier.load(args.model)
    data = read_data(args.data, args)
    metrics = classifier.evaluate(data, skip_bad_rows=args.skip_bad_rows)
    metrics["model"] = args.model
    if args.json:
        print_json(metrics)
    else:
        print(format_classification_table(metrics))
        if metrics["skipped"]:
            print(f"skipped rows: {metrics['skipped']}")


def run_robustness(args):
    """`evaluate --robustness`: clean and perturbed scores of a classifier or NER tagger."""
    from keras_slm.cli import _ner
    from keras_slm.evaluation import robustness
    from keras_slm.tasks.text_classifier import TextClassifier
    from keras_slm.tasks.language_model import is_language_model_dir

    if is_language_model_dir(args.model):
        raise KerasSlmError("--robustness scores classifiers and NER taggers, not language models")
    if _ner.is_ner_dir(args.model):
        from keras_slm.tasks.sequence_tagger import SequenceTagger

        tagger = SequenceTagger.load(args.model)
        data = _ner.read(args.data, args)
        target, inputs, gold = robustness.tagger_target(tagger), data.tokens, data.tags
    else:
        classifier = TextClassifier.load(args.model)
        data = read_data(args.data, args)
        classifier.labels.encode(data.labels, data)  # a label the model never saw: DataError naming the line
        target, inputs, gold = robustness.classifier_target(classifier), data.texts, data.labels
    report = robustness.evaluate_robustness(target, inputs, gold, seed=args.seed)
    report["model"], report["data"] = args.model, args.data
    if args.plot:
        robustness.plot_robustness(report, args.plot, title=f"{args.model} on {args.data}")
    if args.json:
        print_json(report)
    else:
        print(robustness.format_robustness_table(report))
        if args.plot:
            print(f"wrote {args.plot}")
