"""Prometheus metrics for the server, and the ASGI middleware that records them.

Each app gets its own `CollectorRegistry`, so several servers (or tests) in one process do not
share counters. Paths are labelled by route ("/v1/predict"), never by the raw URL, so a client
probing random URLs cannot blow up the number of series.
"""

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
ROUTES = ("/v1/predict", "/healthz", "/metrics", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json")


class ServerMetrics:
    """The server's Prometheus series (all prefixed `keras_slm_`).

    Args:
        model_info: {"name", "version", "task", "file", "sha256"} exported as `keras_slm_model_info`.
        pool: the `InterpreterPool`, whose size and busy count are exported as gauges.
    """

    def __init__(self, model_info, pool=None):
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("keras_slm_requests", "HTTP requests by route, method and status.",
                                ["path", "method", "status"], registry=r)
        self.errors = Counter("keras_slm_request_errors", "Requests answered with a 4xx or 5xx status, by error code.",
                              ["path", "status", "code"], registry=r)
        self.latency = Histogram("keras_slm_request_duration_seconds", "Request latency (server side).",
                                 ["path"], buckets=LATENCY_BUCKETS, registry=r)
        self.inference = Histogram("keras_slm_inference_duration_seconds",
                                   "Time spent tokenizing and running the interpreter per request.",
                                   buckets=LATENCY_BUCKETS, registry=r)
        self.batch_size = Histogram("keras_slm_batch_size", "Texts per predict request.",
                                    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256), registry=r)
        self.texts = Counter("keras_slm_predicted_texts", "Texts predicted.", registry=r)
        self.in_flight = Gauge("keras_slm_requests_in_flight", "Requests being handled now.", registry=r)
        model = Info("keras_slm_model", "The model being served.", registry=r)
        model.info({k: str(v) for k, v in model_info.items()})
        if pool is not None:
            size = Gauge("keras_slm_interpreters", "Interpreters in the pool.", registry=r)
            size.set(pool.size)
            busy = Gauge("keras_slm_interpreters_busy", "Interpreters running a request now.", registry=r)
            busy.set_function(lambda: pool.in_use)


class MetricsMiddleware:
    """Pure ASGI middleware: counts and times every HTTP request, and caps request bodies.

    A body larger than `max_body_bytes` (by Content-Length, or counted while it streams in) is
    answered 413 before the app or the JSON parser sees it.
    """

    def __init__(self, app, metrics, max_body_bytes):
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"] if scope["path"] in ROUTES else "other"
        method = scope["method"]
        status = {"code": 500}
        start = time.perf_counter()
        self.metrics.in_flight.inc()

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                for name, value in message.get("headers", []):
                    if name == b"x-error-code":
                        status["error"] = value.decode("latin-1")
            await send(message)

        try:
            length = dict(scope.get("headers", [])).get(b"content-length")
            if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
                await _reject_body(send_wrapper, self.max_body_bytes)
                return
            # Read the (small, capped) body here, so a chunked upload over the cap is refused
            # before the app buffers it; then replay it to the app.
            chunks, size, more = [], 0, True
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    return  # client went away
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                more = message.get("more_body", False)
                if size > self.max_body_bytes:
                    await _reject_body(send_wrapper, self.max_body_bytes)
                    return
            replay = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

            async def receive_replay():
                return replay.pop() if replay else await receive()

            await self.app(scope, receive_replay, send_wrapper)
        finally:
            self.metrics.in_flight.dec()
            code = status["code"]
            self.metrics.requests.labels(path, method, str(code)).inc()
            self.metrics.latency.labels(path).observe(time.perf_counter() - start)
            if code >= 400:
                self.metrics.errors.labels(path, str(code), status.get("error", "http_error")).inc()


async def _reject_body(send, limit):
    import json

    body = json.dumps({"error": {"code": "body_too_large",
                                 "message": f"request body exceeds {limit} bytes"}}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"x-error-code", b"body_too_large"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
