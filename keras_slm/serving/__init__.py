"""HTTP inference server over TFLite files: FastAPI + uvicorn, interpreter pool, Prometheus metrics.

    from keras_slm.serving import serve
    serve("runs/sst2", port=8000)          # or a bundle, a .tar.gz, or "name@version" from a registry
"""

from keras_slm.serving.app import create_app
from keras_slm.serving.predictor import (
    InterpreterPool, LanguageModelPredictor, TaggerPredictor, TextClassifierPredictor, make_predictor,
)
from keras_slm.serving.source import ServedModel, resolve


def serve(source, host="127.0.0.1", port=8000, log_level="info", access_log=False, **app_kwargs):
    """Builds the app for `source` and runs it with uvicorn until interrupted.

    Args:
        source: model directory, .tflite file, bundle folder or archive, or registry "name@version".
        host: interface to bind; the default answers this machine only.
        port: TCP port (0 picks a free one).
        log_level: uvicorn log level.
        access_log: log every request.
        **app_kwargs: `create_app` options (variant, pool_size, max_batch, max_text_chars, ...).
    """
    import uvicorn

    app = create_app(source, **app_kwargs)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=access_log)


__all__ = [
    "InterpreterPool", "LanguageModelPredictor", "ServedModel", "TaggerPredictor", "TextClassifierPredictor", "create_app",
    "make_predictor", "resolve", "serve",
]
