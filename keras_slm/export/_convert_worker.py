"""Runs one conversion in a separate process, so a native crash cannot kill the caller.

Usage: python -m keras_slm.export._convert_worker OPTIONS.json OUT.tflite
Exit 0: OUT written. Exit 3: conversion failed, message on stderr. Killed by a signal:
the converter crashed, the parent reports it.
"""

import json
import sys


def main():
    options_path, out_path = sys.argv[1], sys.argv[2]
    with open(options_path) as f:
        options = json.load(f)
    from keras_slm.export._convert import convert_saved_model

    try:
        data = convert_saved_model(**options)
    except Exception as e:  # the parent turns this into an ExportError
        sys.stderr.write(f"\n@@CONVERTER_ERROR@@\n{type(e).__name__}: {e}\n")
        sys.exit(3)
    with open(out_path, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
