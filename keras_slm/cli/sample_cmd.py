"""keras-slm sample: a seeded K-per-class sample of a labelled file (reproducible few-shot splits)."""

from keras_slm.cli._common import add_data_options, read_data


def add_parser(sub):
    p = sub.add_parser("sample", help="draw K labelled examples per class (seeded) into a new file, for --few-shot")
    p.add_argument("data", metavar="FILE", help="labelled file (.tsv/.csv with header, or .jsonl)")
    p.add_argument("--per-class", type=int, required=True, metavar="K", help="examples per class")
    p.add_argument("--out", required=True, help="output .tsv file (columns text, label)")
    p.add_argument("--seed", type=int, default=0, help="the draw's seed (default 0)")
    p.add_argument("--min-words", type=int, default=0, metavar="N",
                   help="draw only texts of at least N words (e.g. 8 for whole SST-2 sentences, not phrases)")
    add_data_options(p)
    p.set_defaults(run=run)


def run(args):
    from keras_slm.data.few_shot import sample_per_class, write_tsv
    from keras_slm.errors import KerasSlmError

    if args.per_class < 1:
        raise KerasSlmError(f"--per-class must be at least 1, got {args.per_class}")
    sample = sample_per_class(read_data(args.data, args), args.per_class, seed=args.seed, min_words=args.min_words)
    write_tsv(sample, args.out)
    classes = len(set(sample.labels))
    print(f"wrote {args.out}: {len(sample)} rows ({args.per_class} per class x {classes} classes, seed {args.seed})")
