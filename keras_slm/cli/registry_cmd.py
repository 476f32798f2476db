"""keras-slm registry: bundle, push, list, show, pull, compare, deprecate, lineage, verify."""

import re

from keras_slm.cli._common import print_json

_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*([kmg]?i?b?)?$", re.IGNORECASE)
_METRIC = re.compile(r"^([A-Za-z0-9_.]+)\s*(>=|=)\s*(-?\d+(?:\.\d+)?)$")


def _common(p):
    p.add_argument("--registry", help="registry folder or s3://bucket/prefix "
                                      "(default: $KERAS_SLM_REGISTRY or ~/.keras_slm/registry)")
    p.add_argument("--endpoint-url", help="object-store endpoint for s3:// registries (MinIO, Ceph, moto, ...)")


def _card_options(p):
    p.add_argument("--name", help="model name (default: the directory's name)")
    p.add_argument("--language", help="language of the text, BCP-47 (en, zh, ...)")
    p.add_argument("--licence", "--license", dest="licence", help="licence of the weights (mind the data's licence)")
    p.add_argument("--description", help="one paragraph: what the model does")
    p.add_argument("--limitations", help="known limits (default: a note naming the data and sequence length)")
    p.add_argument("--data", action="append", help="training data file (repeatable; hashed into the lineage)")
    p.add_argument("--parent", help="NAME@VERSION this model was derived from (must be in the registry)")
    p.add_argument("--metric", action="append", default=[], metavar="NAME=VALUE",
                   help="extra metric measured elsewhere, e.g. test_accuracy=0.81 (repeatable)")


def add_parser(sub):
    p = sub.add_parser("registry", help="model registry: push, list, show, pull, compare, deprecate bundles")
    rsub = p.add_subparsers(dest="registry_command", metavar="ACTION", required=True)
    p.set_defaults(tensorflow=False)  # bundles, cards and the index are plain files: no TensorFlow

    b = rsub.add_parser("bundle", help="write a verified bundle (folder or .tar.gz) from a trained model directory")
    b.add_argument("model", metavar="MODEL_DIR")
    b.add_argument("--out", required=True, help="bundle folder, or a .tar.gz / .tgz archive")
    b.add_argument("--overwrite", action="store_true")
    _card_options(b)
    b.set_defaults(run=run_bundle)

    push = rsub.add_parser("push", help="publish a model directory or bundle as a new, immutable version")
    push.add_argument("source", metavar="MODEL_DIR_OR_BUNDLE")
    push.add_argument("--version", help="explicit MAJOR.MINOR.PATCH (refused if published)")
    push.add_argument("--bump", choices=("patch", "minor", "major"), default="patch",
                      help="without --version: bump over the highest published version (default patch; first is 1.0.0)")
    _card_options(push)
    _common(push)
    push.set_defaults(run=run_push)

    ls = rsub.add_parser("list", help="list / search published versions")
    ls.add_argument("name", nargs="?", help="only this model")
    ls.add_argument("--task", help="e.g. text_classification")
    ls.add_argument("--language", help="e.g. en")
    ls.add_argument("--max-size", help="largest model.tflite, e.g. 500000, 300K, 2M (K/M/G = KiB/MiB/GiB)")
    ls.add_argument("--metric", action="append", default=[], metavar="NAME>=VALUE",
                    help="keep versions with metric at least VALUE, e.g. accuracy>=0.8 (repeatable)")
    ls.add_argument("--query", help="substring of the name or description")
    ls.add_argument("--all", action="store_true", help="include deprecated versions")
    ls.add_argument("--latest", action="store_true", help="only the highest matching version of each model")
    ls.add_argument("--json", action="store_true")
    _common(ls)
    ls.set_defaults(run=run_list)

    show = rsub.add_parser("show", help="one version's record and model card (NAME = latest non-deprecated)")
    show.add_argument("ref", metavar="NAME[@VERSION]")
    show.add_argument("--json", action="store_true")
    _common(show)
    show.set_defaults(run=run_show)

    pull = rsub.add_parser("pull", help="download a version into a new folder, verifying every sha256")
    pull.add_argument("ref", metavar="NAME[@VERSION]")
    pull.add_argument("dest", metavar="DEST", help="new folder")
    _common(pull)
    pull.set_defaults(run=run_pull)

    cmp_ = rsub.add_parser("compare", help="metrics of versions side by side")
    cmp_.add_argument("name", metavar="NAME")
    cmp_.add_argument("versions", nargs="*", metavar="VERSION", help="default: all versions")
    cmp_.add_argument("--metric", action="append", help="only these metrics (repeatable)")
    cmp_.add_argument("--json", action="store_true")
    _common(cmp_)
    cmp_.set_defaults(run=run_compare)

    dep = rsub.add_parser("deprecate", help="mark a version deprecated (still pullable by exact version)")
    dep.add_argument("ref", metavar="NAME@VERSION")
    dep.add_argument("--reason", help="why; shown by list --all and show")
    _common(dep)
    dep.set_defaults(run=run_deprecate)

    lin = rsub.add_parser("lineage", help="a version, its parent, the parent's parent, ... with training data")
    lin.add_argument("ref", metavar="NAME[@VERSION]")
    lin.add_argument("--json", action="store_true")
    _common(lin)
    lin.set_defaults(run=run_lineage)

    ver = rsub.add_parser("verify", help="check a bundle folder or archive against its manifest")
    ver.add_argument("bundle", metavar="BUNDLE")
    ver.set_defaults(run=run_verify)


def add_bundle_option(p):
    """`--bundle OUT` (+ card fields) for commands that write a model directory (train, export)."""
    p.add_argument("--bundle", metavar="OUT",
                   help="also write a verified bundle (folder, or .tar.gz/.tgz archive) of the model directory: "
                        "model files, model card, metrics, sha256 manifest; ready for `keras-slm registry push`")
    p.add_argument("--bundle-name", help="model name in the bundle's card (default: the directory's name)")
    p.add_argument("--bundle-language", help="language in the bundle's card, BCP-47 (en, zh, ...)")
    p.add_argument("--bundle-licence", "--bundle-license", dest="bundle_licence", help="licence in the bundle's card")


def bundle_after(run, model_dir_attr):
    """Wraps a command's `run`: once it succeeds, writes `--bundle` from the model directory in args."""

    def run_then_bundle(args):
        result = run(args)
        if getattr(args, "bundle", None) and not result:
            from keras_slm.registry import build_bundle, open_bundle

            fields = {"language": args.bundle_language, "licence": args.bundle_licence}
            out = build_bundle(getattr(args, model_dir_attr), args.bundle, name=args.bundle_name, overwrite=True,
                               **{k: v for k, v in fields.items() if v})
            bundle = open_bundle(out) if not out.endswith((".tar.gz", ".tgz")) else None
            size = f", {bundle.size_bytes:,} bytes, manifest sha256 {bundle.digest[:12]}" if bundle else ""
            print(f"wrote bundle {out}{size}")
        return result

    return run_then_bundle


def _registry(args):
    from keras_slm.registry import open_registry

    return open_registry(args.registry, endpoint_url=args.endpoint_url)


def _card_fields(args):
    from keras_slm.errors import KerasSlmError

    extra = {}
    for item in args.metric:
        key, sep, value = item.partition("=")
        try:
            extra[key.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep or not key.strip():
            raise KerasSlmError(f"--metric {item!r}: expected NAME=NUMBER, e.g. test_accuracy=0.81")
    fields = {"language": args.language, "licence": args.licence, "description": args.description,
              "limitations": args.limitations, "data": args.data, "extra_metrics": extra or None}
    return {k: v for k, v in fields.items() if v is not None}


def parse_size(text):
    from keras_slm.errors import KerasSlmError

    match = _SIZE.match(str(text).strip())
    if not match:
        raise KerasSlmError(f"--max-size {text!r}: expected bytes, or a number with K, M or G (e.g. 2M)")
    unit = (match.group(2) or "").lower()[:1]
    return int(float(match.group(1)) * {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[unit])


def _fmt_metrics(metrics):
    from keras_slm.registry.card import comparable_metrics

    return " ".join(f"{k}={v:.4f}" for k, v in sorted(comparable_metrics(metrics).items())) or "-"


def run_bundle(args):
    from keras_slm.registry import build_bundle, open_bundle
    from keras_slm.registry.bundle import is_archive

    fields = _card_fields(args)
    if args.parent:
        fields["parent"] = args.parent
    out = build_bundle(args.model, args.out, name=args.name, overwrite=args.overwrite, **fields)
    bundle = open_bundle(out)
    kind = "archive" if is_archive(out) else "folder"
    print(f"wrote bundle {kind} {out}: {len(bundle.files) + 1} files, {bundle.size_bytes:,} bytes, "
          f"manifest sha256 {bundle.digest}")


def run_push(args):
    fields = _card_fields(args)
    record = _registry(args).push(
        args.source, name=args.name, version=args.version, bump=args.bump, parent=args.parent, **fields,
    )
    print(f"published {record.ref} ({record.task}, {record.language}, model.tflite {record.size_bytes:,} bytes, "
          f"{_fmt_metrics(record.metrics)}) digest {record.digest[:12]}")


def run_list(args):
    from keras_slm.errors import KerasSlmError

    minimum = {}
    for item in args.metric:
        match = _METRIC.match(item.strip())
        if not match:
            raise KerasSlmError(f"--metric {item!r}: expected NAME>=NUMBER, e.g. accuracy>=0.8")
        minimum[match.group(1)] = float(match.group(3))
    records = _registry(args).list(
        name=args.name, task=args.task, language=args.language,
        max_size=parse_size(args.max_size) if args.max_size else None, min_metrics=minimum or None,
        query=args.query, include_deprecated=args.all, latest=args.latest,
    )
    if args.json:
        print_json([r.summary() for r in records])
        return
    if not records:
        print("no matching models")
        return
    rows = [("NAME", "VERSION", "TASK", "LANG", "TFLITE BYTES", "METRICS", "CREATED", "")]
    rows += [(r.name, r.version, r.task, r.language, f"{r.size_bytes:,}", _fmt_metrics(r.metrics), r.created,
              "DEPRECATED" if r.deprecated else "") for r in records]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


def run_show(args):
    record = _registry(args).show(args.ref)
    if args.json:
        print_json(record.to_dict())
        return
    print(f"{record.ref}{'  DEPRECATED: ' + record.deprecation_reason if record.deprecated else ''}")
    for key in ("task", "language", "licence", "created", "digest", "parent"):
        print(f"  {key:<12} {getattr(record, key) or '-'}")
    print(f"  {'size':<12} model.tflite {record.size_bytes:,} bytes; bundle {record.bundle_bytes:,} bytes")
    print(f"  {'metrics':<12} {_fmt_metrics(record.metrics)}")
    training = record.card.get("training") or {}
    print(f"  {'training':<12} " + (" ".join(f"{k}={v:g}" for k, v in sorted(training.items())) or "-"))
    print(f"  {'data':<12} " + (", ".join(d.get("name", "?") for d in record.training_data) or "-"))
    print(f"  {'files':<12} " + ", ".join(sorted(record.files)))
    print(f"  {'limitations':<12} {record.card.get('limitations', '-')}")


def run_pull(args):
    reg = _registry(args)
    record = reg.show(args.ref)
    bundle = reg.pull(record.ref, args.dest)
    note = f" (deprecated: {record.deprecation_reason})" if record.deprecated else ""
    print(f"pulled {record.ref}{note} into {bundle.path}: {len(record.files)} files, sha256 verified")


def run_compare(args):
    table = _registry(args).compare(args.name, versions=args.versions or None, metrics=args.metric)
    if args.json:
        print_json(table)
        return
    header = ["VERSION", "TFLITE BYTES"] + table["metrics"] + [""]
    rows = [header]
    for row in table["rows"]:
        cells = [row["version"], f"{row['size_bytes']:,}"]
        for k in table["metrics"]:
            value = row[k]
            mark = "*" if table["best"].get(k) == row["version"] and len(table["rows"]) > 1 else ""
            cells.append("-" if value is None else f"{value:.4f}{mark}")
        cells.append("DEPRECATED" if row["deprecated"] else "")
        rows.append(cells)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    print(f"{table['name']}  (* = best)")
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


def run_deprecate(args):
    record = _registry(args).deprecate(args.ref, args.reason)
    print(f"deprecated {record.ref}: {record.deprecation_reason}")


def run_lineage(args):
    chain = _registry(args).lineage(args.ref)
    if args.json:
        print_json([{"ref": r.ref, "parent": r.parent, "training_data": r.training_data, "metrics": r.metrics}
                    for r in chain])
        return
    for depth, r in enumerate(chain):
        data = ", ".join(f"{d.get('name')}" + (f" sha256 {d['sha256'][:12]}" if d.get("sha256") else "")
                         for d in r.training_data) or "unrecorded"
        print(f"{'  ' * depth}{'<- ' if depth else ''}{r.ref}  data: {data}  {_fmt_metrics(r.metrics)}")


def run_verify(args):
    import os
    import tempfile

    from keras_slm.registry import open_bundle

    with tempfile.TemporaryDirectory(prefix="keras-slm-verify-") as tmp:
        bundle = open_bundle(args.bundle, os.path.join(tmp, "bundle"))
        print(f"ok: {args.bundle}: {len(bundle.files)} files match manifest.json (sha256 {bundle.digest})")
