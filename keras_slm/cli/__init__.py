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

COMMANDS = ("train", "sample", "evaluate", "predict", "export", "inspect", "bench", "demo", "registry", "serve", "distill", "pretrain", "generate", "translate", "tune")


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
    parser.add_argument("--debug", action="store_true", help="print the traceback of an error (anywhere on the line)")
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
    """Runs one command. Errors print ONE line on stderr and exit 2, never a traceback.

    - `KerasSlmError` (bad input, bad model directory, refused operation): `keras-slm CMD: error: MESSAGE`.
    - `OSError` (disk full, permission denied on --out): `keras-slm CMD: error: MESSAGE: PATH`.
    - anything else is a bug of keras-slm, not of the input: `keras-slm CMD: internal error: TYPE: MESSAGE
      (run with --debug for the traceback)`, also exit 2. The fuzz suite fails on any such line.
    `--debug` (anywhere on the command line) or KERAS_SLM_DEBUG=1 also prints the traceback.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv or os.environ.get("KERAS_SLM_DEBUG", "") not in ("", "0")
    argv = [a for a in argv if a != "--debug"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from keras_slm.errors import KerasSlmError

    args = build_parser().parse_args(argv)
    try:
        check_input_files(args)
        if getattr(args, "tensorflow", True):
            _quiet_tensorflow()
        return args.run(args) or 0
    except KeyboardInterrupt:
        print(f"keras-slm {args.command}: interrupted", file=sys.stderr)
        return 130
    except BaseException as e:  # noqa: B036 - the one place errors become a line and an exit status
        if isinstance(e, SystemExit):
            raise
        if debug:
            import traceback

            traceback.print_exc()
        print(f"keras-slm {args.command}: {_one_line(e, KerasSlmError)}", file=sys.stderr)
        return 2


def _one_line(error, user_error):
    if isinstance(error, user_error):  # a message spanning lines (a converter's log tail) is joined with "; "
        return "error: " + "; ".join(line.strip() for line in str(error).splitlines() if line.strip())
    if isinstance(error, OSError) and error.strerror:
        where = f": {error.filename}" if error.filename else ""
        return f"error: {error.strerror}{where}"
    message = " ".join(str(error).split())[:300]
    return f"internal error: {type(error).__name__}: {message} (run with --debug for the traceback)"


if __name__ == "__main__":
    sys.exit(main())
