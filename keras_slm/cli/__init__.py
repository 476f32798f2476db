"""The `keras-slm` command. One module per subcommand; each parses and calls the library.

Argument parsing imports no TensorFlow (each *_cmd module's top-level imports are light), so
`--help`, `--version`, argument errors, missing input files and the registry commands that do not
load a model answer at once; TensorFlow is imported, quietly, only for the commands that use it
(a subparser says `set_defaults(tensorflow=False)` when it does not).
"""

import argparse
import importlib
import os
import sys

COMMANDS = ("train", "evaluate", "predict", "export", "inspect", "bench", "demo", "registry", "serve", "distill", "pretrain", "generate", "tune")


def _quiet_tensorflow():
    """Imports TensorFlow with its C++ start-up chatter kept off stderr (keras_slm.quiet)."""
    from keras_slm.quiet import quiet_tensorflow

    quiet_tensorflow()


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


INPUT_FILE_OPTIONS = ("data", "val", "text", "val_text")  # checked before TensorFlow is imported


def check_input_files(args):
    """Raises DataError for a --data / --val / --text / --val-text file that does not exist."""
    from keras_slm.errors import DataError

    for name in INPUT_FILE_OPTIONS:
        paths = getattr(args, name, None)
        for path in paths if isinstance(paths, list) else [paths]:
            if isinstance(path, str) and not os.path.isfile(path):
                option = "--" + name.replace("_", "-")
                raise DataError(path, None, f"no such file ({option})" if not os.path.isdir(path)
                                else f"is a directory, not a file ({option})")


def main(argv=None):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from keras_slm.errors import KerasSlmError

    args = build_parser().parse_args(argv)
    try:
        check_input_files(args)
        if getattr(args, "tensorflow", True):
            _quiet_tensorflow()
        return args.run(args) or 0
    except KerasSlmError as e:
        print(f"keras-slm {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"keras-slm {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
