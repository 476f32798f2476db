"""keras-slm export: a trained model directory -> a .tflite file with a parity/latency report."""

import os

from keras_slm.cli._common import add_data_options, add_quantize_option, print_json, read_data
from keras_slm.cli.train_cmd import CALIBRATION_FILE


def add_parser(sub):
    p = sub.add_parser("export", help="convert a trained model directory to TFLite (builtin ops only)")
    p.add_argument("model", metavar="DIR", help="model directory written by `keras-slm train`")
    add_quantize_option(p)
    p.add_argument("--out", help="output .tflite path (default: DIR/model.tflite or DIR/model_<mode>.tflite)")
    p.add_argument("--eval", help="labelled file: report accuracy of Keras vs the TFLite file")
    p.add_argument("--samples", help=f"text file, one text per line, for parity and int8 calibration (default: DIR/{CALIBRATION_FILE})")
    p.add_argument("--calibration-samples", type=int, default=200, help="rows used to calibrate int8 (default 200)")
    p.add_argument("--int8-io", action="store_true", help="with --quantize int8: int8 output tensor too")
    p.add_argument("--single-subgraph", action="store_true", help="unroll RNNs into one subgraph (MediaPipe Tasks needs it)")
    p.add_argument("--allow-flex", action="store_true", help="allow TF (Flex) ops; the app then needs the Flex delegate")
    p.add_argument("--latency-runs", type=int, default=200, help="timed runs per thread count (default 200)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    add_data_options(p)
    p.set_defaults(run=run)


def read_samples(path):
    from keras_slm.errors import DataError

    if not os.path.exists(path):
        raise DataError(path, None, "no such file; pass --samples FILE with real texts, one per line")
    with open(path, encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f if line.strip()]
    if not texts:
        raise DataError(path, None, "no texts; expected one text per line")
    return texts


def run(args):
    from keras_slm.models import TextClassifier

    classifier = TextClassifier.load(args.model)
    samples = read_samples(args.samples or os.path.join(args.model, CALIBRATION_FILE))
    eval_data = read_data(args.eval, args) if args.eval else None
    default = "model.tflite" if args.quantize == "none" else f"model_{args.quantize}.tflite"
    out = args.out or os.path.join(args.model, default)
    report = classifier.export(
        out, quantize=args.quantize, sample_texts=samples, eval_data=eval_data,
        num_calibration_samples=args.calibration_samples, int8_io=args.int8_io,
        allow_flex=args.allow_flex, single_subgraph=args.single_subgraph, latency_runs=args.latency_runs,
    )
    if args.json:
        print_json(report.to_dict())
    else:
        print(report.to_text())
