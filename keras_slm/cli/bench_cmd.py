"""keras-slm bench: median and p90 latency of a .tflite file in the LiteRT interpreter."""

from keras_slm.cli._common import print_json


def add_parser(sub):
    p = sub.add_parser("bench", help="time a .tflite file (warm-up, then many invoke() calls)")
    p.add_argument("file", metavar="FILE.tflite")
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="thread counts (default: 1 2)")
    p.add_argument("--runs", type=int, default=200, help="timed runs per thread count (default 200)")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run)


def run(args):
    import os

    from keras_slm.errors import KerasSlmError
    from keras_slm.export import measure_latency

    if not os.path.isfile(args.file):
        raise KerasSlmError(f"{args.file}: no such file")
    try:
        result = measure_latency(args.file, threads=args.threads, runs=args.runs, warmup=args.warmup, max_seconds=None)
    except (ValueError, RuntimeError) as e:
        raise KerasSlmError(f"{args.file}: the LiteRT interpreter cannot run it ({e})") from None
    if args.json:
        print_json({"file": args.file, "latency": result})
        return
    for threads, t in result.items():
        print(f"{threads} thread(s): median {t['median_ms']:.4f} ms  p90 {t['p90_ms']:.4f} ms  ({t['runs']} runs)")
