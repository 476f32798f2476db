"""keras-slm serve: an HTTP inference server (FastAPI + uvicorn) over a model's TFLite file."""


def add_parser(sub):
    p = sub.add_parser(
        "serve", help="serve a model over HTTP: POST /v1/predict, GET /healthz, /metrics (Prometheus), /docs",
        description="Serve a model directory, a .tflite file in one, a bundle (folder or .tar.gz, verified first) "
                    "or a registry reference NAME[@VERSION] (pulled and verified) over HTTP.",
    )
    p.add_argument("model", metavar="MODEL_OR_BUNDLE",
                   help="model directory, DIR/<file>.tflite, bundle folder or .tar.gz, or NAME[@VERSION] in --registry")
    p.add_argument("--host", default="127.0.0.1",
                   help="interface to bind (default 127.0.0.1: this machine only; 0.0.0.0 exposes it to the network)")
    p.add_argument("--port", type=int, default=8000, help="TCP port (default 8000; 0 picks a free one)")
    p.add_argument("--variant", help="TFLite variant of a folder or bundle, e.g. dynamic -> model_dynamic.tflite")
    p.add_argument("--interpreters", type=int, default=None,
                   help="interpreter pool size = concurrent inferences (default: number of CPU cores)")
    p.add_argument("--max-batch", type=int, default=64, help="most texts per request (default 64; more -> 413)")
    p.add_argument("--max-text-chars", type=int, default=2000, help="longest text in characters (default 2000; longer -> 413)")
    p.add_argument("--max-body-bytes", type=int, default=1 << 20, help="largest request body (default 1 MiB; larger -> 413)")
    p.add_argument("--max-tokens", type=int, default=256,
                   help="language models: most tokens generated per text (default 256; a request asking more -> 413)")
    p.add_argument("--registry", help="registry for NAME@VERSION (default: $KERAS_SLM_REGISTRY or ~/.keras_slm/registry)")
    p.add_argument("--endpoint-url", help="object-store endpoint for an s3:// --registry (e.g. a MinIO server)")
    p.add_argument("--access-log", action="store_true", help="log every request")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    p.set_defaults(run=run, tensorflow=False)  # serves the .tflite file through LiteRT


def run(args):
    import uvicorn

    from keras_slm.errors import KerasSlmError
    from keras_slm.serving import create_app

    for flag, value in (("--max-batch", args.max_batch), ("--max-text-chars", args.max_text_chars),
                        ("--max-body-bytes", args.max_body_bytes), ("--interpreters", args.interpreters or 1), ("--max-tokens", args.max_tokens)):
        if value < 1:
            raise KerasSlmError(f"{flag} must be at least 1, received {value}")
    registry = None
    if args.registry or args.endpoint_url:
        from keras_slm.registry import open_registry

        registry = open_registry(args.registry, endpoint_url=args.endpoint_url)
    from keras_slm.cli._common import unpacked

    app = create_app(
        unpacked(args.model, directory=True),  # an Android folder or a .tflite with metadata
        variant=args.variant, pool_size=args.interpreters, max_batch=args.max_batch,
        max_text_chars=args.max_text_chars, max_body_bytes=args.max_body_bytes, registry=registry,
        max_tokens=args.max_tokens,
    )
    served = app.state.served
    print(f"serving {served.name} {served.version} ({app.state.predictor.task}) from {served.tflite}"
          f"{' [bundle verified]' if served.verified else ''}; {app.state.predictor.pool.size} interpreters; "
          "endpoints: POST /v1/predict, GET /healthz, GET /metrics, GET /docs", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=args.access_log)
