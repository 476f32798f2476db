"""keras-slm demo: English and Chinese sentiment, trained, exported and run in LiteRT.

Uses the small samples shipped inside the package (no network), in about a minute or two.
"""

import os
import time
import unicodedata


def _display_width(text):
    """Terminal columns of `text`: CJK (wide / full-width) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def add_parser(sub):
    p = sub.add_parser("demo", help="train, export and run English and Chinese sentiment models (no network)")
    p.add_argument("--out", default="keras_slm_demo", help="output folder (default: ./keras_slm_demo)")
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--model", default="bilstm", choices=["awe", "lstm", "gru", "bilstm", "stacked_lstm"])
    p.set_defaults(run=run)


DEMOS = (
    # name, sample file, tokenizer, example texts
    ("english", "sentiment_en.tsv", "word", ["I loved every minute of it!", "The battery died after two days."]),
    ("chinese", "sentiment_zh.tsv", "char", ["我喜欢吃苹果", "送餐太慢了，菜都凉了"]),
)


def run(args):
    from keras_slm.data import read_classification, sample_path
    from keras_slm.export import TFLiteModel
    from keras_slm.tasks.text_classifier import TextClassifier
    from keras_slm.tasks.classifier_training import train_classifier
    from keras_slm.training import holdout_split

    start = time.time()
    summary = []
    for name, sample, tokenizer, examples in DEMOS:
        data = read_classification(sample_path(sample))
        train, test = holdout_split(data, 0.2, seed=0)
        print(f"\n== {name}: {len(train)} training / {len(test)} test sentences, {tokenizer} tokenizer, {args.model}")
        classifier, _, _ = train_classifier(
            train, model=args.model, tokenizer=tokenizer, seq_len=48, epochs=args.epochs,
            batch_size=16, patience=4, verbose=0, seed=0,
        )
        out = os.path.join(args.out, name)
        classifier.save(out)
        report = classifier.export(
            os.path.join(out, "model.tflite"), sample_texts=test.texts, eval_data=test,
            latency_threads=(1,), latency_runs=200,
        )
        lite = TextClassifier(TFLiteModel(report.path), classifier.tokenizer, classifier.labels, classifier.seq_len)
        keras_acc = classifier.evaluate(test)["accuracy"]
        lite_acc = lite.evaluate(test)["accuracy"]
        print(f"accuracy (held-out)   Keras {keras_acc:.3f}   TFLite {lite_acc:.3f}")
        print(f"TFLite file           {report.path}  {report.size_bytes / 1024:.0f} KiB, "
              f"{'builtin ops only' if report.android_compatible else 'NEEDS FLEX'}")
        print(f"max |Keras - TFLite|  {report.parity['max_abs_diff']:.2e} over {report.parity['n']} sentences")
        print(f"latency (1 thread)    median {report.latency['1']['median_ms']:.3f} ms, p90 {report.latency['1']['p90_ms']:.3f} ms")
        for r in lite.predict(examples):
            quoted = repr(r["text"])
            print(f"  {quoted}{' ' * max(0, 36 - _display_width(quoted))} -> {r['label']} ({r['scores'][r['label']]:.2f})")
        summary.append((name, lite_acc, report))
    print(f"\nDone in {time.time() - start:.0f}s. Model folders: "
          + ", ".join(os.path.join(args.out, name) for name, _, _ in summary))
    print("Next: keras-slm predict", os.path.join(args.out, "english", "model.tflite"), '"what a lovely day"')
