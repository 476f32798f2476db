"""keras-slm evaluate: accuracy, macro-F1 and a per-class table of a model on a file."""

from keras_slm.cli._common import add_data_options, print_json, read_data


def add_parser(sub):
    p = sub.add_parser("evaluate", help="score a model (DIR, DIR/model.keras or a .tflite file) on labelled data")
    p.add_argument("model", metavar="MODEL", help="model directory, its model.keras, or a .tflite file in it")
    p.add_argument("--data", required=True, help="labelled file (.tsv/.csv/.jsonl); plain text for a language model")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_data_options(p)
    p.set_defaults(run=run)


def run(args):
    from keras_slm.evaluation import format_classification_table
    from keras_slm.tasks.text_classifier import TextClassifier

    from keras_slm.tasks.language_model import is_language_model_dir

    from keras_slm.cli import _ner

    if _ner.is_ner_dir(args.model):
        return _ner.run_evaluate(args)
    from keras_slm.cli import _nlu

    if _nlu.is_nlu_dir(args.model):
        return _nlu.run_evaluate(args)
    if is_language_model_dir(args.model):
        from keras_slm.cli._lm import run_evaluate

        return run_evaluate(args)
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
