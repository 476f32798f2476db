"""Benchmark suite: accuracy, size and latency of every model family, with baselines and plots.

One command per suite (see benchmarks/suite/config.py for what each runs):

    nice -n 10 python benchmarks/run.py --suite quick     # <= 15 minutes on 2 idle CPU cores: slices
    nice -n 10 python benchmarks/run.py --suite full      # hours: whole datasets
    nice -n 10 python benchmarks/run.py --suite full --only trec6 sms_spam   # some steps, merged into the JSON

For each model: the task metric of the Keras model and of each TFLite file (float, dynamic,
float16, int8), file size, latency median / p90 at 1 and 2 threads, parameters and training
time; baselines in the same run: Keras' default `model.export(format="litert")`, the
MediaPipe-Model-Maker-style average-word-embedding classifier (`awe`) and TF-IDF + logistic
regression. Writes benchmarks/results/suite_<suite>.json, the `suite:<suite>` section of
BENCHMARKS.md (between its markers; the rest of the file is left alone) and
benchmarks/plots/<suite>_*.png (plus the sparsity curve when benchmarks/results/pruning_sst2.json
exists). Needs `pip install "keras-slm[bench]"` (matplotlib, scikit-learn).
"""

import argparse
import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ info lines would bury the progress

from benchmarks.suite import config, runner  # noqa: E402

SHARED = os.environ.get("KERAS_SLM_SHARED_DATA", os.path.join(REPO, "..", "shared", "data"))
TITLES = {"quick": "## Benchmark suite: quick (`python benchmarks/run.py --suite quick`)",
          "full": "## Benchmark suite: full (`python benchmarks/run.py --suite full`)"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", choices=sorted(config.SUITES), default="quick")
    parser.add_argument("--config", help="a JSON suite definition instead of --suite (see benchmarks/suite/config.py)")
    parser.add_argument("--only", nargs="+", help="dataset names of the suite to run (merged into the JSON)")
    parser.add_argument("--out", help="results JSON (default benchmarks/results/suite_<suite>.json)")
    parser.add_argument("--markdown", default=os.path.join(REPO, "BENCHMARKS.md"),
                        help="file whose suite section is regenerated ('' to skip)")
    parser.add_argument("--plots-dir", default=os.path.join(REPO, "benchmarks", "plots"))
    parser.add_argument("--pruning", default=os.path.join(REPO, "benchmarks", "results", "pruning_sst2.json"),
                        help="benchmarks/pruning.py's JSON for the sparsity curve (skipped when absent)")
    parser.add_argument("--work", default=os.path.join(REPO, "runs", "suite"), help="models and .tflite files")
    parser.add_argument("--shared", default=SHARED, help="the ../shared/data folder")
    parser.add_argument("--report-only", action="store_true", help="re-render BENCHMARKS.md and plots from --out")
    args = parser.parse_args(argv)
    suite, steps = config.load_config(args.config) if args.config else (args.suite, config.SUITES[args.suite])
    out = args.out or os.path.join(REPO, "benchmarks", "results", f"suite_{suite}.json")
    if args.report_only:
        with open(out, encoding="utf-8") as f:
            results = json.load(f)
    else:
        command = "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
        results = runner.run_suite(suite, steps, out=out, work=os.path.join(args.work, suite),
                                   shared=args.shared, only=args.only, merge=bool(args.only), command=command.strip())
    written = runner.publish(results, steps, out=out, markdown=args.markdown, plots_dir=args.plots_dir,
                             pruning_json=args.pruning, title=TITLES.get(suite))
    print(f"wrote {out}" + "".join(f"\nwrote {p}" for p in written.values()))
    if results.get("errors"):
        print("errors:\n  " + "\n  ".join(results["errors"]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
