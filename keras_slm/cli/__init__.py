"""The `keras-slm` command. One module per subcommand; each parses and calls the library."""

import argparse
import importlib
import os
import sys

COMMANDS = ("train", "evaluate", "predict", "export", "inspect", "bench", "demo", "registry", "serve", "distill", "pretrain", "generate", "translate")


def _quiet_tensorflow():
    """Imports TensorFlow with its C++ start-up chatter (CUDA probing) kept off stderr."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            import tensorflow

            tensorflow.config.list_physical_devices()  # CUDA probing logs an error without a GPU
    finally:
        os.dup2(saved, 2)  # Python-level import errors still reach the user
        os.close(saved)
    import absl.logging

    absl.logging.set_verbosity(absl.logging.ERROR)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="keras-slm", description="Train small text models with Keras and ship them as TFLite."
    )
    from keras_slm import __version__

    parser.add_argument("--version", action="version", version=f"keras-slm {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"keras_slm.cli.{name}_cmd")
        module.add_parser(sub)
    return parser


def main(argv=None):
    _quiet_tensorflow()
    from keras_slm.errors import KerasSlmError

    args = build_parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except KerasSlmError as e:
        print(f"keras-slm {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"keras-slm {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
