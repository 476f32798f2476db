"""keras-slm predict: label and scores for texts given as arguments or stdin lines."""

from keras_slm.cli._common import print_json, unpacked


def add_parser(sub):
    p = sub.add_parser("predict", help="predict labels for texts (arguments, or one per line on stdin)")
    p.add_argument("model", metavar="MODEL", help="model directory, its model.keras, or a .tflite file in it")
    p.add_argument("texts", metavar="TEXT", nargs="*", help="texts to classify (default: read stdin lines)")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(run=run)


def run(args):
    from keras_slm.errors import KerasSlmError
    from keras_slm.tasks.text_classifier import TextClassifier

    from keras_slm import files

    texts = args.texts or [line for line in files.stdin_lines() if line.strip()]
    if not texts:
        raise KerasSlmError("no texts given: pass them as arguments or one per line on stdin")
    from keras_slm.cli import _ner

    if _ner.is_ner_dir(args.model):
        return _ner.run_predict(args, texts)
    from keras_slm.cli import _nlu

    if _nlu.is_nlu_dir(args.model):
        return _nlu.run_predict(args, texts)
    args.model = unpacked(args.model)  # an Android folder or a .tflite with metadata
    classifier = TextClassifier.load(args.model)
    results = classifier.predict(texts)
    if args.json:
        print_json(results)
        return
    for r in results:
        scores = "  ".join(f"{label}={p:.4f}" for label, p in r["scores"].items())
        print(f"{r['label']}\t{scores}\t{r['text']}")
