"""`--strategy {default,mirrored,multiworker}` for training commands (keras_slm.training.distribute)."""

import functools
import tempfile

STRATEGIES = ("default", "mirrored", "multiworker")  # keras_slm.training.distribute.STRATEGIES, without TensorFlow


def add_strategy_option(parser):
    parser.add_argument(
        "--strategy", default="default", choices=STRATEGIES,
        help="default: one device; mirrored: all local GPUs (or CPU devices) in sync; multiworker: one process "
        "per machine, each with TF_CONFIG set (README: Training on several machines); only worker 0 writes --out",
    )


def with_strategy(run):
    """Runs a command's `run` inside the strategy's scope; non-chief workers write to a temporary folder."""

    @functools.wraps(run)
    def run_in_scope(args):
        name = getattr(args, "strategy", "default")
        if name == "default":
            return run(args)
        from keras_slm.training import distribute

        strategy = distribute.make_strategy(name)
        print(f"strategy {name}: {strategy.num_replicas_in_sync} replica(s) in sync")
        if distribute.is_chief():
            with strategy.scope():
                return run(args)
        with tempfile.TemporaryDirectory(prefix="keras_slm_worker_") as tmp, strategy.scope():
            args.out, args.bundle = tmp, None  # the chief writes the model; workers only train
            return run(args)

    return run_in_scope
