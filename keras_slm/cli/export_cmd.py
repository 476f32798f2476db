"""keras-slm export: a trained model directory -> a .tflite file with a parity/latency report."""

import os
import sys

from keras_slm.cli._common import add_data_options, add_quantize_option, print_json, read_data
from keras_slm.cli._trainable import add_trainable_options, run_trainable
from keras_slm.cli.registry_cmd import add_bundle_option, bundle_after
from keras_slm.cli.train_cmd import CALIBRATION_FILE, advise_int8


def add_parser(sub):
    p = sub.add_parser("export", help="convert a trained model directory to TFLite (builtin ops only)")
    p.add_argument("model", metavar="DIR", help="model directory written by `keras-slm train`")
    add_quantize_option(p)
    p.add_argument("--out", help="output .tflite path (default: DIR/model.tflite or DIR/model_<mode>.tflite)")
    p.add_argument("--eval", help="labelled file: report accuracy of Keras vs the TFLite file")
    p.add_argument("--samples", help=f"text file, one text per line, for parity and int8 calibration (default: DIR/{CALIBRATION_FILE}; "
                   "translation: source sentences)")
    p.add_argument("--calibration-samples", type=int, default=1000, help="rows used to calibrate int8 (default 1000)")
    p.add_argument("--int8-io", action="store_true", help="with --quantize int8: int8 output tensor too")
    p.add_argument("--single-subgraph", action="store_true", help="unroll RNNs into one subgraph (MediaPipe Tasks needs it)")
    p.add_argument("--allow-flex", action="store_true", help="allow TF (Flex) ops; the app then needs the Flex delegate")
    p.add_argument("--latency-runs", type=int, default=200, help="timed runs per thread count (default 200)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--target", choices=("tflite", "android"), default="tflite",
                   help="android: write a folder for app/src/main/assets (model.tflite with MediaPipe metadata, "
                        "vocab, labels, golden.json, model card); needs --out FOLDER")
    p.add_argument("--metadata", action="store_true",
                   help="pack MediaPipe metadata (tokenizer, vocab, labels) into the .tflite file (implies --single-subgraph)")
    p.add_argument("--golden", type=int, metavar="N",
                   help="write golden.json beside the output: N real sentences (from --samples) -> token ids -> scores "
                        "(android target: default 100)")
    add_trainable_options(p)
    add_data_options(p)
    add_bundle_option(p)
    p.set_defaults(run=bundle_after(run, "model"))


def read_samples(path):
    from keras_slm.files import read_text_lines

    return read_text_lines(path, "real texts, one per line (--samples FILE)")


def run(args):
    from keras_slm.tasks.text_classifier import TextClassifier

    if args.trainable:
        return run_trainable(args)
    from keras_slm.tasks.translation import is_translation_dir

    if is_translation_dir(args.model):
        from keras_slm.cli import _translation

        return _translation.run_export(args)
    samples = read_samples(args.samples or os.path.join(args.model, CALIBRATION_FILE))
    from keras_slm.cli import _nlu

    if _nlu.is_nlu_dir(args.model):
        return _nlu.run_export(args, samples)
    if args.target == "android":
        return run_android(args, samples)
    classifier = TextClassifier.load(args.model)
    eval_data = read_data(args.eval, args) if args.eval else None
    default = "model.tflite" if args.quantize == "none" else f"model_{args.quantize}.tflite"
    out = args.out or os.path.join(args.model, default)
    if not out.endswith(".tflite"):
        from keras_slm.errors import KerasSlmError

        raise KerasSlmError(f"--out {out}: expected a path ending in .tflite (or --target android --out FOLDER)")
    from keras_slm import files

    # The file appears (replacing the old one) only once it is converted, checked and labelled:
    # a failed parity check or a kill leaves the old file, not a new one that failed.
    with files.atomic_path(out) as staging:
        report = classifier.export(
            staging, quantize=args.quantize, sample_texts=samples, eval_data=eval_data,
            num_calibration_samples=args.calibration_samples, int8_io=args.int8_io,
            allow_flex=args.allow_flex, single_subgraph=True if (args.single_subgraph or args.metadata) else None,
            latency_runs=args.latency_runs,
        )
        report = advise_int8(classifier, report, samples, latency_runs=args.latency_runs)
        if args.metadata:
            from keras_slm.export import write_metadata

            if classifier.tokenizer.kind == "wordpiece":  # transformer classifier: BERT tokenizer metadata
                directory = args.model if os.path.isdir(args.model) else os.path.dirname(os.path.abspath(args.model))
                write_metadata(staging, bert_vocab=os.path.join(directory, "vocab.txt"), labels=classifier.labels)
            else:
                write_metadata(staging, tokenizer=classifier.tokenizer, labels=classifier.labels)
            report.size_bytes = os.path.getsize(staging)  # the file as written, metadata included
    report.path = out
    if args.golden:
        from keras_slm.export import write_golden

        golden = os.path.join(os.path.dirname(os.path.abspath(out)), "golden.json")
        write_golden(golden, classifier, samples, tflite=out, n=args.golden, quantize=args.quantize)
        print(f"wrote {golden}", file=sys.stderr)
    if args.json:
        print_json(report.to_dict())
    else:
        print(report.to_text())


def run_android(args, samples):
    from keras_slm.errors import KerasSlmError
    from keras_slm.tasks.android import export_android

    if not args.out or args.out.endswith(".tflite"):
        raise KerasSlmError("--target android needs --out FOLDER (a folder to copy into app/src/main/assets)")
    result = export_android(
        args.model, args.out, quantize=args.quantize, samples=samples, golden=args.golden or 100,
        latency_runs=args.latency_runs, int8_io=args.int8_io, num_calibration_samples=args.calibration_samples,
    )
    if args.json:
        print_json(result.to_dict())
    else:
        print(result.to_text())
