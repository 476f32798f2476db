"""The `keras-slm` command. One module per subcommand; each parses and calls the library."""

import argparse
import importlib
import os
import sys

COMMANDS = ("train", "evaluate", "predict", "export", "inspect", "bench", "demo", "registry", "serve", "distill", "pretrain", "generate")


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
    parser.add_argument("--debug", action="store_true", help="print the traceback of an error (anywhere on the line)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"keras_slm.cli.{name}_cmd")
        module.add_parser(sub)
    return parser


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
    _quiet_tensorflow()
    from keras_slm.errors import KerasSlmError

    args = build_parser().parse_args(argv)
    try:
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
