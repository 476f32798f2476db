"""The HTTP API: FastAPI app over a TFLite model, served by uvicorn.

    POST /v1/predict   {"texts": [...]} -> {"model": {...}, "predictions": [...]}, one per text:
                       text_classification {"label", "score", "scores"}; ner {"entities": [{"text", "label",
                       "start", "end"}]}; nlu {"intent", "score", "slots": [{"slot", "text", "start", "end"}]};
                       language_model {"generated_text"} (the request may add max_tokens,
                       strategy, temperature, top_k, top_p, seed)
    GET  /healthz      200 once the model is loaded and has answered a warm-up request
    GET  /metrics      Prometheus text: request counts, latency histogram, errors, model name/version
    GET  /docs         OpenAPI docs (schema at /openapi.json)

Every error is JSON `{"error": {"code", "message"}}`: malformed JSON 400, a body that is not
`{"texts": [str, ...]}` (or generation fields for a model that does not generate) 422,
too many texts / too long a text / too large a body / max_tokens over the limit 413, no free
interpreter 503. A bad request never takes the server down.
"""

import json
import logging
import os
import time

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from keras_slm import __version__
from keras_slm.serving.monitoring import MetricsMiddleware, ServerMetrics
from keras_slm.serving.predictor import PoolBusy, make_predictor
from keras_slm.serving.schemas import ErrorResponse, Health, PredictRequest, PredictResponse
from keras_slm.serving.source import resolve

logger = logging.getLogger("keras_slm.serving")

DEFAULT_MAX_BATCH = 64
DEFAULT_MAX_TEXT_CHARS = 2000
DEFAULT_MAX_BODY_BYTES = 1 << 20
DEFAULT_MAX_TOKENS = 256
ERRORS = {code: {"model": ErrorResponse} for code in (400, 413, 422, 503)}
PREDICT_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": PredictRequest.model_json_schema(ref_template="#/components/schemas/{model}")}}}}


def _invalid(errors, loc_prefix=()):
    details = [{"loc": list(loc_prefix) + list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
               for e in errors]
    return _error(422, "invalid_request", 'expected a JSON object {"texts": ["text", ...]}', details)


def _error(status, code, message, details=None, headers=None):
    body = {"error": {"code": code, "message": message}}
    if details is not None:
        body["error"]["details"] = details
    return JSONResponse(body, status_code=status, headers={"x-error-code": code, **(headers or {})})


class ClientError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def create_app(source, variant=None, pool_size=None, max_batch=DEFAULT_MAX_BATCH,
               max_text_chars=DEFAULT_MAX_TEXT_CHARS, max_body_bytes=DEFAULT_MAX_BODY_BYTES,
               acquire_timeout=10.0, registry=None, name=None, version=None, max_tokens=DEFAULT_MAX_TOKENS):
    """A FastAPI app serving `source` (model dir, .tflite, bundle folder/archive, or name@version).

    Args:
        source: what to serve (see `keras_slm.serving.source.resolve`).
        variant: TFLite variant of a folder or bundle ("dynamic" -> model_dynamic.tflite).
        pool_size: interpreters (concurrent inferences); default: the number of CPU cores.
        max_batch: most texts per request (more -> 413).
        max_text_chars: longest text in characters (longer -> 413).
        max_body_bytes: largest request body (larger -> 413).
        max_tokens: language models: most tokens generated per text (a request asking more -> 413).
        acquire_timeout: seconds a request waits for an interpreter before 503.
        registry: registry location for name@version sources.
        name / version: override the model identity reported.

    Example:
    >>> import uvicorn  # doctest: +SKIP
    >>> uvicorn.run(create_app("runs/sst2"), host="127.0.0.1", port=8000)  # doctest: +SKIP
    """
    served = resolve(source, variant=variant, registry=registry, name=name, version=version)
    predictor = make_predictor(served.directory, tflite=served.tflite, pool_size=pool_size or os.cpu_count() or 1,
                               acquire_timeout=acquire_timeout)
    model_info = served.info(predictor.task)
    metrics = ServerMetrics(model_info, predictor.pool)
    limits = {"max_batch": max_batch, "max_text_chars": max_text_chars, "max_body_bytes": max_body_bytes}
    generates = predictor.task == "language_model"
    if generates:
        limits["max_tokens"] = max_tokens
    # a broken file fails here, not on the first user request
    getattr(predictor, "warm_up", lambda: predictor.predict(["warm up"]))()

    app = FastAPI(
        title="keras-slm inference server",
        version=__version__,
        description=f"Serving **{served.name}** {served.version} ({predictor.task}) from `{os.path.basename(served.tflite)}`. "
                    f"Limits: {max_batch} texts per request, {max_text_chars} characters per text, {max_body_bytes} bytes per body.",
    )
    app.state.served, app.state.predictor, app.state.metrics = served, predictor, metrics
    app.add_middleware(MetricsMiddleware, metrics=metrics, max_body_bytes=max_body_bytes)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        return _invalid(exc.errors())

    @app.exception_handler(ClientError)
    async def client_error(request: Request, exc: ClientError):
        return _error(exc.status, exc.code, exc.message)

    @app.exception_handler(PoolBusy)
    async def busy(request: Request, exc: PoolBusy):
        return _error(503, "overloaded", str(exc), headers={"retry-after": "1"})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception):
        logger.exception("predict failed")
        return _error(500, "internal", f"{type(exc).__name__}: the server failed on this request")

    @app.post("/v1/predict", response_model=PredictResponse, response_model_exclude_none=True, responses=ERRORS,
              summary="Predict a batch of texts", openapi_extra=PREDICT_BODY)
    async def predict(request: Request):
        """One prediction per text, in order: labels and scores (text classifiers), entities (NER taggers)
        or generated text (language models; the optional fields max_tokens, strategy, temperature,
        top_k, top_p and seed steer generation).

        The body is read as JSON whatever its Content-Type (curl's `-d` sends form encoding).
        """
        try:
            return await _predict(request)
        except (ClientError, PoolBusy):
            raise
        except Exception as exc:  # noqa: BLE001 - answered here (not re-raised), so the connection stays usable
            logger.exception("predict failed")
            return _error(500, "internal", f"{type(exc).__name__}: the server failed on this request")

    async def _predict(request):
        body = await request.body()
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return _error(400, "malformed_json", "request body is not valid JSON")
        except RecursionError:
            return _error(400, "malformed_json", "request body is JSON nested too deeply")
        try:
            request_body = PredictRequest.model_validate(payload)
        except ValidationError as e:
            return _invalid(e.errors(), loc_prefix=("body",))
        texts, options = request_body.texts, request_body.generation_options()
        if options and not generates:
            return _error(422, "invalid_request", f"{sorted(options)}: generation fields apply to language models; "
                                                  f"this model's task is {predictor.task}")
        if options.get("max_tokens", 0) > max_tokens:
            raise ClientError(413, "too_many_tokens", f"max_tokens {options['max_tokens']}; the limit is {max_tokens}")
        if generates:  # no max_tokens: the predictor's default, within the server's limit
            options.setdefault("max_tokens", min(predictor.default_max_tokens, max_tokens))
        if len(texts) > max_batch:
            raise ClientError(413, "batch_too_large", f"{len(texts)} texts in one request; the limit is {max_batch}")
        for i, text in enumerate(texts):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                return _error(422, "invalid_request", f"texts[{i}] holds a lone surrogate (an unpaired \\ud800-\\udfff "
                                                      "escape); expected valid Unicode text")
            if len(text) > max_text_chars:
                raise ClientError(413, "text_too_long", f"texts[{i}] has {len(text)} characters; the limit is {max_text_chars}")
        start = time.perf_counter()
        # The interpreter call releases the GIL; run it on a worker thread so the event loop keeps serving.
        predictions = await run_in_threadpool(predictor.predict, texts, **options)
        metrics.inference.observe(time.perf_counter() - start)
        metrics.batch_size.observe(len(texts))
        metrics.texts.inc(len(texts))
        return {"model": model_info, "predictions": predictions}

    @app.get("/healthz", response_model=Health, summary="Liveness and model identity")
    def healthz():
        return {"status": "ok", "model": model_info, "interpreters": predictor.pool.size, "limits": limits}

    @app.get("/metrics", summary="Prometheus metrics", response_class=Response)
    def prometheus_metrics():
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app
