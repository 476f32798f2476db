"""keras-slm tune: hyperparameter search (KerasTuner) over the options `keras-slm train` already has.

Each trial is one `keras-slm train` run with the trial's options, in its own folder; the oracle
(KerasTuner's random search or Bayesian optimisation) proposes the next options from the scores.
The best trial's folder becomes --out (the same model directory `train` writes), and every trial's
options and validation score go to --out/tuning.tsv and tuning.json.
"""

import contextlib
import io
import json
import os
import shutil
import tempfile
import time

from keras_slm.cli._common import add_data_options
from keras_slm.cli.train_cmd import TRANSFORMER_MODELS

OBJECTIVES = {"classification": "accuracy", "ner": "f1"}
DEFAULT_MODELS = {"classification": "awe,lstm,gru,bilstm", "ner": "bilstm_crf,bilstm"}
RESULTS_TSV, RESULTS_JSON = "tuning.tsv", "tuning.json"


def add_parser(sub):
    p = sub.add_parser("tune", help="search train options with KerasTuner; keep the best model directory",
                       description=__doc__.split("\n\n")[0])
    p.add_argument("--task", default="classification", choices=sorted(OBJECTIVES))
    p.add_argument("--data", required=True, help="training file (as for `keras-slm train`)")
    p.add_argument("--val", help="validation file (default: train's seeded 10%%, the same for every trial)")
    p.add_argument("--out", required=True, help="the best trial's model directory (must not exist)")
    p.add_argument("--max-trials", type=int, default=10, help="trials to run (default 10)")
    p.add_argument("--algorithm", choices=("random", "bayesian"), default="random",
                   help="KerasTuner oracle: random search (default) or Bayesian optimisation")
    p.add_argument("--objective", help="validation metric to maximise (default: accuracy; ner: f1)")
    p.add_argument("--models", help="comma-separated --model values to try (default: awe,lstm,gru,bilstm; "
                                    "ner: bilstm_crf,bilstm)")
    p.add_argument("--lrs", default="3e-4,1e-3,3e-3", help="learning rates to try (default 3e-4,1e-3,3e-3)")
    p.add_argument("--seq-lens", default="auto", help="--seq-len values to try, `auto` = train's choice (default auto)")
    p.add_argument("--batch-sizes", default="32", help="batch sizes to try (default 32)")
    p.add_argument("--lstm-units", default="100", help="ner: BiLSTM units to try (default 100)")
    p.add_argument("--epochs", type=int, default=5, help="epochs per trial (early stopping as in train)")
    p.add_argument("--tokenizer", default="word", choices=("word", "char"))
    p.add_argument("--seed", type=int, default=0)
    add_data_options(p)
    p.set_defaults(run=run)


def _values(text, kind, option):
    from keras_slm.errors import KerasSlmError

    try:
        return [item if item == "auto" or kind is str else kind(item) for item in text.split(",") if item.strip()]
    except ValueError as e:
        raise KerasSlmError(f"{option} {text!r}: expected comma-separated values ({e})") from e


def search_space(args):
    """KerasTuner `HyperParameters` over the train options given as comma-separated lists."""
    import keras_tuner

    hp = keras_tuner.HyperParameters()
    hp.Choice("model", _values(args.models or DEFAULT_MODELS[args.task], str, "--models"))
    hp.Choice("lr", _values(args.lrs, float, "--lrs"))
    hp.Choice("seq_len", [str(v) for v in _values(args.seq_lens, int, "--seq-lens")])
    hp.Choice("batch_size", _values(args.batch_sizes, int, "--batch-sizes"))
    if args.task == "ner":
        hp.Choice("lstm_units", _values(args.lstm_units, int, "--lstm-units"))
    return hp


def _check_data(args):
    """Reads --data and --val as `train` will, so a bad file is one error line before any trial."""
    from keras_slm.cli import _common, _ner

    for path in filter(None, (args.data, args.val)):
        with contextlib.redirect_stdout(io.StringIO()):
            _ner.read(path, args) if args.task == "ner" else _common.read_data(path, args)


def train_argv(args, values, out):
    """The `keras-slm train` arguments of one trial."""
    argv = ["train", "--task", args.task, "--data", args.data, "--out", out, "--model", values["model"],
            "--lr", str(values["lr"]), "--batch-size", str(values["batch_size"]), "--epochs", str(args.epochs),
            "--seed", str(args.seed), "--text-column", args.text_column, "--label-column", args.label_column]
    argv += ["--val", args.val] if args.val else []
    argv += ["--seq-len", values["seq_len"]] if values["seq_len"] != "auto" else []
    argv += ["--lstm-units", str(values["lstm_units"])] if "lstm_units" in values else []
    argv += ["--tokenizer", args.tokenizer] if args.task == "classification" else []
    argv += ["--skip-bad-rows"] if args.skip_bad_rows else []
    return argv


def run(args):
    from keras_slm import files
    from keras_slm._deps import require
    from keras_slm.cli import build_parser
    from keras_slm.errors import KerasSlmError

    keras_tuner = require("keras_tuner", 'pip install "keras-slm[tune]"  (or: pip install keras-tuner)',
                          "keras-slm tune")
    if os.path.exists(args.out):
        raise KerasSlmError(f"{args.out}: already exists; tune writes a new model directory")
    bad = [m for m in (args.models or "").split(",") if m in TRANSFORMER_MODELS]
    if bad:
        raise KerasSlmError(f"--models {','.join(bad)}: tune searches RNN/AWE classifiers and BiLSTM taggers")
    objective = args.objective or OBJECTIVES[args.task]
    _check_data(args)  # bad data fails here, once, not in every trial
    parser = build_parser()
    work = tempfile.mkdtemp(prefix="keras_slm_tune_", dir=os.path.dirname(os.path.abspath(args.out)))
    results, errors = [], []

    class TrainTuner(keras_tuner.Tuner):
        """A trial = one `keras-slm train` run; its score = the validation metric in metrics.json."""

        def run_trial(self, trial, *unused_args, **unused_kwargs):
            values = dict(trial.hyperparameters.values)
            out = os.path.join(work, f"trial_{trial.trial_id}")
            start = time.time()
            # `train` replaces --out as a whole and refuses a non-empty folder it did not write: the log sits beside it.
            with open(out + ".log", "w") as log, contextlib.redirect_stdout(log):
                train_args = parser.parse_args(train_argv(args, values, out))
                try:
                    train_args.run(train_args)
                except KerasSlmError as e:  # bad data fails every trial alike: report it, not "no trial finished"
                    errors.append(e)
                    raise
            metrics = json.load(open(os.path.join(out, "metrics.json")))
            if objective not in metrics["validation"]:
                raise KerasSlmError(f"--objective {objective}: not in the validation metrics "
                                    f"({', '.join(sorted(metrics['validation']))})")
            score = float(metrics["validation"][objective])
            row = {"trial": trial.trial_id, **values, "seq_len_used": metrics["training"].get("seq_len"),
                   objective: score, "params": metrics["training"].get("params"),
                   "seconds": round(time.time() - start, 1), "dir": out}
            results.append(row)
            print(f"trial {len(results)}/{args.max_trials}: {objective} {score:.4f}  " +
                  " ".join(f"{k}={v}" for k, v in values.items()), flush=True)
            return {objective: score}

    oracle_class = (keras_tuner.oracles.RandomSearchOracle if args.algorithm == "random"
                    else keras_tuner.oracles.BayesianOptimizationOracle)
    oracle = oracle_class(objective=keras_tuner.Objective(objective, "max"), max_trials=args.max_trials,
                          seed=args.seed, hyperparameters=search_space(args), tune_new_entries=False)
    try:
        tuner = TrainTuner(oracle=oracle, directory=work, project_name="oracle", overwrite=True)
        tuner.search(verbose=0)
        if not results:
            raise errors[0] if errors else KerasSlmError("no trial finished")
        best = max(results, key=lambda r: (r[objective], -int(r["trial"])))
        shutil.copytree(best["dir"], args.out + ".partial")
        os.replace(args.out + ".partial", args.out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for row in results:
        row["best"] = row is best
        row.pop("dir")
    columns = list(results[0])
    files.write_text_atomic(os.path.join(args.out, RESULTS_TSV), "".join(
        "\t".join(str(row.get(c, "")) for c in columns) + "\n" for row in [dict(zip(columns, columns))] + results))
    files.write_text_atomic(os.path.join(args.out, RESULTS_JSON), json.dumps(
        {"objective": objective, "algorithm": args.algorithm, "trials": results}, indent=1))
    print(f"best: trial {best['trial']}, {objective} {best[objective]:.4f} "
          f"({' '.join(f'{k}={best[k]}' for k in search_space(args).values)})")
    print(f"wrote {args.out}/ (the best trial's model directory) with {RESULTS_TSV} and {RESULTS_JSON}; "
          f"quantize it with: keras-slm export {args.out} --quantize dynamic")
