"""Share and serve a text classifier: bundle, registry, HTTP server, queries, Prometheus metrics.

What it shows: train a small classifier (or take yours with --model_dir), publish two versions to
a registry folder (SQLite-indexed), compare them, pull one into a clean folder (every sha256
checked), serve it over HTTP with FastAPI + uvicorn, query it like a client would, and read the
server's /metrics. Everything runs on this machine (127.0.0.1).

How long: about a minute on 2 CPU cores (most of it the training run; seconds with --model_dir).

    python examples/serve_model.py --out /tmp/serve_demo
    python examples/serve_model.py --model_dir runs/sst2 --out /tmp/serve_demo --keep_serving

The same steps from a shell:

    keras-slm registry push runs/sst2 --name sentiment --language en --licence Apache-2.0
    keras-slm registry compare sentiment
    keras-slm registry pull sentiment@1.0.0 /tmp/sentiment
    keras-slm serve /tmp/sentiment --port 8000
    curl -s localhost:8000/v1/predict -d '{"texts": ["a gorgeous, witty film"]}'
"""

import json
import os
import threading
import time
import urllib.error
import urllib.request

from absl import app, flags

flags.DEFINE_string("out", "/tmp/keras_slm_serve_demo", "Work folder: model, registry, pulled bundle.")
flags.DEFINE_string("model_dir", None, "A model directory from `keras-slm train`; default: train a small one.")
flags.DEFINE_string("data", None, "Training file (TSV text<TAB>label); default: the bundled English sample.")
flags.DEFINE_integer("epochs", 10, "Training epochs when no --model_dir is given.")
flags.DEFINE_integer("port", 0, "Server port (0: a free one).")
flags.DEFINE_integer("requests", 200, "Predict requests sent to the server.")
flags.DEFINE_bool("keep_serving", False, "Keep the server running after the demo (Ctrl+C to stop).")
FLAGS = flags.FLAGS


def _request(url, body=None):
    """(status, body text) of a GET, or of a POST of `body` (bytes or a JSON-able object), with the
    standard library only: `pip install .` brings no HTTP client."""
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as e:  # 4xx / 5xx: the server's JSON error body
        return e.code, e.read().decode()


def main(argv):
    del argv
    from keras_slm.quiet import quiet_tensorflow

    quiet_tensorflow()  # TensorFlow's start-up and conversion INFO lines stay off stderr
    import uvicorn

    from keras_slm.cli import main as cli
    from keras_slm.data import sample_path
    from keras_slm.registry import open_registry
    from keras_slm.serving import create_app

    os.makedirs(FLAGS.out, exist_ok=True)

    # --- A trained model directory -------------------------------------------------------------
    model_dir = FLAGS.model_dir
    if model_dir is None:
        model_dir = os.path.join(FLAGS.out, "model")
        data = FLAGS.data or sample_path("sentiment_en.tsv")
        rc = cli(["train", "--data", data, "--model", "awe", "--epochs", str(FLAGS.epochs), "--seq-len", "32",
                  "--out", model_dir, "--quantize", "dynamic"])
        if rc:
            raise SystemExit(rc)

    # --- Publish two versions and compare them ----------------------------------------------------
    registry = open_registry(os.path.join(FLAGS.out, "registry"))  # a rerun publishes further versions
    v1 = registry.push(model_dir, name="sentiment", language="en", licence="Apache-2.0",
                       description="English sentence sentiment (negative / positive).")
    # A second version, e.g. after evaluating on a test set; parent links the lineage.
    v2 = registry.push(model_dir, name="sentiment", bump="minor", parent=v1.ref,
                       extra_metrics={"test_accuracy": v1.metrics.get("accuracy", 0.0)})
    print(f"\npublished {v1.ref} and {v2.ref} in {registry.location}")
    table = registry.compare("sentiment")
    print("compare:")
    for row in table["rows"]:
        print(f"  {row['version']}: " + ", ".join(f"{k}={row[k]:.3f}" for k in table["metrics"] if row[k] is not None))
    print("lineage:", " <- ".join(r.ref for r in registry.lineage(v2.ref)))

    # --- Pull into a clean folder (sha256 verified) and serve it ----------------------------------
    pulled = os.path.join(FLAGS.out, "pulled", f"sentiment-{v2.version}")
    registry.pull(v2.ref, pulled)
    print(f"pulled {v2.ref} into {pulled}")
    server = uvicorn.Server(uvicorn.Config(create_app(pulled, version=v2.version), host="127.0.0.1",
                                           port=FLAGS.port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    print(f"serving on {url} (OpenAPI docs at {url}/docs)")

    # --- Query it like a client --------------------------------------------------------------------
    predict = f"{url}/v1/predict"
    texts = ["a gorgeous, witty, seductive movie", "the plot is a mess and far too long"]
    reply = json.loads(_request(predict, {"texts": texts})[1])
    for text, p in zip(texts, reply["predictions"]):
        print(f"  {p['label']:<9} {p['score']:.3f}  {text}")
    status, body = _request(predict, b'{"texts": [')
    print(f"malformed JSON -> {status} {json.loads(body)['error']['code']}")
    status, body = _request(predict, {"texts": ["x"] * 1000})
    print(f"1000 texts     -> {status} {json.loads(body)['error']['code']}")
    start = time.perf_counter()
    for i in range(FLAGS.requests):
        status, body = _request(predict, {"texts": texts[: 1 + i % 2]})
        if status != 200:
            raise SystemExit(f"request {i}: HTTP {status}: {body}")
    elapsed = time.perf_counter() - start
    print(f"{FLAGS.requests} sequential requests: {FLAGS.requests / elapsed:.0f} req/s")
    metrics = _request(f"{url}/metrics")[1]
    print("metrics:")
    for line in metrics.splitlines():
        if line.startswith(("keras_slm_requests_total", "keras_slm_request_errors_total", "keras_slm_model_info")):
            print(f"  {line}")

    if FLAGS.keep_serving:
        print(f"still serving on {url}; Ctrl+C to stop")
        try:
            thread.join()
        except KeyboardInterrupt:
            pass
    server.should_exit = True
    thread.join(timeout=10)


if __name__ == "__main__":
    app.run(main)
