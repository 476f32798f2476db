"""keras-slm inspect: inputs, outputs, op histogram and Android verdict of a .tflite file."""

from keras_slm.cli._common import print_json


def add_parser(sub):
    p = sub.add_parser("inspect", help="show a .tflite file's tensors and ops; flag Flex/custom ops")
    p.add_argument("file", metavar="FILE.tflite")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run)


def run(args):
    import os

    from keras_slm.errors import KerasSlmError
    from keras_slm.export import inspect_tflite

    if not os.path.isfile(args.file):
        raise KerasSlmError(f"{args.file}: no such file")
    try:
        info = inspect_tflite(args.file)
    except Exception as e:  # not a flatbuffer we can read
        raise KerasSlmError(f"{args.file}: not a readable .tflite file ({type(e).__name__})") from None
    if args.json:
        print_json(info.to_dict())
    else:
        print(info.to_text())
    return 0 if info.android_compatible else 1
