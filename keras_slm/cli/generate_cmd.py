"""keras-slm generate: continue a prompt, or suggest next words, with a language model."""

from keras_slm.cli._common import print_json


def add_parser(sub):
    p = sub.add_parser("generate", help="generate text or next-word suggestions with a language model")
    p.add_argument("model", metavar="MODEL", help="LM directory, its model.keras, or a .tflite file in it")
    p.add_argument("--prompt", default="", help="text to continue")
    p.add_argument("--max-tokens", type=int, default=50, help="tokens to generate (characters for char models)")
    p.add_argument("--strategy", default="greedy", choices=["greedy", "temperature", "top_k", "top_p"])
    p.add_argument("--temperature", type=float, default=1.0)
    p.add_argument("--top-k", type=int, default=40)
    p.add_argument("--top-p", type=float, default=0.9)
    p.add_argument("--seed", type=int, default=None, help="random seed (same seed, same text)")
    p.add_argument("--suggest", type=int, metavar="K", help="print K next-word suggestions instead of generating")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def run(args):
    from keras_slm.tasks.language_model import LanguageModel

    lm = LanguageModel.load(args.model)
    if args.suggest:
        suggestions = lm.suggest(args.prompt, k=args.suggest)
        if args.json:
            print_json({"prompt": args.prompt, "suggestions": suggestions})
        else:
            for s in suggestions:
                print(f"{s['word']}\t{s['probability']:.4f}")
        return
    text = lm.generate(args.prompt, max_tokens=args.max_tokens, strategy=args.strategy,
                       temperature=args.temperature, top_k=args.top_k, top_p=args.top_p, seed=args.seed)
    if args.json:
        print_json({"prompt": args.prompt, "continuation": text, "strategy": args.strategy, "seed": args.seed})
    else:
        print(args.prompt + text)
