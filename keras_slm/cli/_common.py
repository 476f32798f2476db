"""Argument groups and output helpers shared by the subcommands."""

import argparse
import json

# keras_slm.export.QUANTIZE_MODES, listed here so that parsing arguments does not import TensorFlow
# (tests/cli/test_cli_light.py checks that they agree).
QUANTIZE_MODES = ("none", "dynamic", "float16", "int8")


def add_data_options(parser):
    parser.add_argument("--text-column", default="text", help="text column / JSON key (default: text)")
    parser.add_argument("--label-column", default="label", help="label column / JSON key (default: label)")
    parser.add_argument(
        "--skip-bad-rows", action="store_true",
        help="count, report and skip malformed rows instead of stopping at the first one",
    )


def read_data(path, args, require_label=True):
    from keras_slm.data import read_classification

    data = read_classification(
        path, text_column=args.text_column, label_column=args.label_column,
        skip_bad_rows=args.skip_bad_rows, require_label=require_label,
    )
    report_skipped(data.skipped)
    return data


def validation_split(train, args):
    """(train, val): a leak-free seeded 10% of `train` (`holdout_split`), said on stdout."""
    from keras_slm.training import holdout_split

    train_all = train
    train, val = holdout_split(train, 0.1, args.seed, leak_free=True)
    dropped = len(train_all) - len(train) - len(val)
    if dropped:
        print(f"validation: {len(val)} whole rows of {args.data} (a seeded 10% of the rows inside no other row); "
              f"the {dropped} rows found inside them (phrases) left training")
    else:
        print(f"validation: a seeded 10% of {args.data} ({len(val)} rows)")
    return train, val


def seeded_holdout(train, args, unit):
    """(train, val): a seeded random 10% of `train` held out (any reader's data with `subset`).

    TensorFlow-free, so a task's CLI can split before it imports its trainer. `unit` names the rows
    in the message ("utterances", "pairs").
    """
    import random

    order = list(range(len(train)))
    random.Random(args.seed).shuffle(order)
    cut = max(1, len(train) // 10)
    train, val = train.subset(sorted(order[cut:])), train.subset(sorted(order[:cut]))
    print(f"validation: a seeded 10% of {args.data} ({len(val)} {unit})")
    return train, val


def report_skipped(skipped, stream=None):
    import sys

    stream = stream or sys.stderr
    if skipped:
        print(f"skipped {len(skipped)} bad row(s):", file=stream)
        for error in skipped[:10]:
            print(f"  {error}", file=stream)
        if len(skipped) > 10:
            print(f"  ... and {len(skipped) - 10} more", file=stream)


def add_quantize_option(parser, default="none", help_text=None):
    parser.add_argument(
        "--quantize", choices=QUANTIZE_MODES, default=default,
        help=help_text or "quantization: none (float32), dynamic (int8 weights), float16, int8 (full integer)",
    )


def unpacked(path, directory=False):
    """MODEL as our commands read it: an Android folder or a .tflite with MediaPipe metadata (no
    config.json beside it) is unpacked into a temporary model directory (keras_slm.tasks.packaged);
    anything else is returned as given. `directory`: return the folder rather than its model.tflite."""
    import atexit
    import os
    import shutil
    import sys
    import tempfile

    from keras_slm.tasks.packaged import packaged_source, unpack_classifier

    if not os.path.exists(path) or packaged_source(path) is None:
        return path
    dest = tempfile.mkdtemp(prefix="keras_slm_unpacked_")
    atexit.register(shutil.rmtree, dest, True)
    tflite = unpack_classifier(path, dest)
    kind = packaged_source(path)[0]
    print(f"{path}: no config.json; tokenizer and labels read from its "
          f"{'model.json and vocab.txt' if kind == 'android' else 'MediaPipe metadata'}", file=sys.stderr)
    return dest if directory else tflite


def print_json(obj):
    print(json.dumps(obj, indent=1, ensure_ascii=False))


def _noise_spec(value):
    kind, _, copies = value.partition(":")
    if kind != "noise" or (copies and not (copies.isdigit() and int(copies) > 0)):
        raise argparse.ArgumentTypeError(f"expected noise or noise:N (N copies per row), got {value!r}")
    return int(copies or 1)


def add_robust_training_options(parser):
    """`--augment noise[:N]` and `--adversarial fgm` (robustness training; `robust_training_kwargs` reads them)."""
    g = parser.add_argument_group("robustness training (measure with `keras-slm evaluate --robustness`)")
    g.add_argument("--augment", type=_noise_spec, default=0, metavar="noise[:N]",
                   help="give each row N (default 1) copies with typos, casing, spacing or punctuation noise "
                        "(Chinese: character substitutions, traditional/full-width forms), label kept; "
                        "classifiers train each epoch on the row or one of its copies (epochs keep their "
                        "length), NER taggers on the rows plus the copies (characters change inside tokens, tags kept)")
    g.add_argument("--adversarial", choices=["fgm"], help="adversarial training on the embeddings (FGM; ~2x step time)")
    g.add_argument("--adversarial-epsilon", type=float, default=0.5, metavar="EPS",
                   help="FGM: L2 size of the perturbation of each embedding row (default 0.5)")


def robust_training_kwargs(args):
    """{"noise_copies", "adversarial", "adversarial_epsilon"} from the options above."""
    return {"noise_copies": args.augment, "adversarial": args.adversarial,
            "adversarial_epsilon": args.adversarial_epsilon}
