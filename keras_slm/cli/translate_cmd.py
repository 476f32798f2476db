"""keras-slm translate: translate sentences (arguments or stdin lines) with a translation model."""


from keras_slm.cli._common import print_json


def add_parser(sub):
    p = sub.add_parser("translate", help="translate sentences with a translation model (DIR or its .tflite file)")
    p.add_argument("model", metavar="MODEL", help="translation directory, its model.keras, or a .tflite file in it")
    p.add_argument("texts", metavar="TEXT", nargs="*", help="sentences to translate (default: one per line on stdin)")
    p.add_argument("--beam", type=int, default=1, help="beam width (default 1: greedy)")
    p.add_argument("--length-penalty", type=float, default=0.6, help="beam search length-penalty exponent (default 0.6)")
    p.add_argument("--max-tokens", type=int, help="the most target tokens per sentence (default: the model's limit)")
    p.add_argument("--json", action="store_true", help="print one JSON object per sentence")
    p.set_defaults(run=run)


def run(args):
    from keras_slm.errors import KerasSlmError
    from keras_slm.tasks.translation import Translator

    if args.beam < 1:
        raise KerasSlmError(f"--beam must be >= 1, got {args.beam}")
    translator = Translator.load(args.model)
    from keras_slm import files

    texts = args.texts or files.stdin_lines()
    for text in texts:
        if not text.strip():
            print("")  # keeps output lines aligned with input lines
            continue
        (out,) = translator.translate([text], beam_width=args.beam, length_penalty=args.length_penalty,
                                      max_tokens=args.max_tokens)
        if args.json:
            print_json({"source": text, "translation": out, "beam": args.beam})
        else:
            print(out, flush=True)
