"""The HTTP server over real loopback sockets: predictions, health, metrics, limits, bad input, load."""

import asyncio
import json
import re
import statistics
import time

import httpx
import numpy as np
import pytest

LIMITS = {"max_batch": 8, "max_text_chars": 200, "max_body_bytes": 20000}


@pytest.fixture(scope="module")
def server(model_dir, tmp_path_factory):
    """`keras-slm serve BUNDLE.tar.gz` with small limits, shared by this module's tests."""
    from keras_slm.registry import build_bundle
    from tests.serving.conftest import Server

    root = tmp_path_factory.mktemp("serve")
    archive = build_bundle(model_dir, str(root / "tiny.tar.gz"), name="tiny-awe", language="en")
    srv = Server(archive, "--interpreters", "2", "--max-batch", str(LIMITS["max_batch"]),
                 "--max-text-chars", str(LIMITS["max_text_chars"]), "--max-body-bytes", str(LIMITS["max_body_bytes"]),
                 log_path=root / "server.log")
    yield srv
    srv.stop()


def test_predict_matches_the_tflite_model(server, model_dir):
    from keras_slm.models import TextClassifier

    texts = ["a gorgeous, witty film", "dull and far too long", "", "不是英文"]
    r = httpx.post(f"{server.url}/v1/predict", json={"texts": texts})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["model"]["name"] == "tiny-awe" and body["model"]["task"] == "text_classification"
    assert body["model"]["version"].startswith("sha256:") and body["model"]["file"] == "model.tflite"
    expected = TextClassifier.load(f"{model_dir}/model.tflite").predict_scores(texts)
    got = np.array([[p["scores"][label] for label in ("negative", "positive")] for p in body["predictions"]])
    np.testing.assert_allclose(got, expected, atol=1e-6)
    assert [p["label"] for p in body["predictions"]] == [("negative", "positive")[i] for i in expected.argmax(1)]
    assert all("entities" not in p for p in body["predictions"])  # fields of other tasks are left out


def test_health_and_openapi(server):
    health = httpx.get(f"{server.url}/healthz").json()
    assert health["status"] == "ok" and health["limits"] == LIMITS and health["interpreters"] == 2
    schema = httpx.get(f"{server.url}/openapi.json").json()
    body_schema = schema["paths"]["/v1/predict"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body_schema["properties"]["texts"]["type"] == "array"
    assert httpx.get(f"{server.url}/docs").status_code == 200


def _chunks(n, size):
    for _ in range(n):
        yield b"x" * size


BAD_REQUESTS = [
    # (description, request kwargs, status, error code)
    ("malformed JSON", {"content": b'{"texts": ["a",'}, 400, "malformed_json"),
    ("empty body", {"content": b""}, 400, "malformed_json"),
    ("not UTF-8", {"content": b'{"texts": ["\xff\xfe"]}'}, 400, "malformed_json"),
    ("JSON list", {"json": ["a", "b"]}, 422, "invalid_request"),
    ("no texts", {"json": {"text": "a"}}, 422, "invalid_request"),
    ("empty batch", {"json": {"texts": []}}, 422, "invalid_request"),
    ("texts not strings", {"json": {"texts": [1, None]}}, 422, "invalid_request"),
    ("unknown field", {"json": {"texts": ["a"], "top_k": 3}}, 422, "invalid_request"),
    ("batch too large", {"json": {"texts": ["a"] * 9}}, 413, "batch_too_large"),
    ("text too long", {"json": {"texts": ["ok", "x" * 201]}}, 413, "text_too_long"),
    ("body too large", {"json": {"texts": ["y" * 30000]}}, 413, "body_too_large"),
    ("chunked body too large", {"content": _chunks(3, 10000)}, 413, "body_too_large"),
]


@pytest.mark.parametrize("what, kwargs, status, code", BAD_REQUESTS, ids=[b[0] for b in BAD_REQUESTS])
def test_bad_requests_get_4xx_and_the_server_keeps_serving(server, what, kwargs, status, code):
    if "content" in kwargs and not isinstance(kwargs["content"], bytes):
        kwargs = {"content": _chunks(3, 10000)}  # a fresh generator per run
    r = httpx.post(f"{server.url}/v1/predict", headers={"content-type": "application/json"}, **kwargs)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code and r.json()["error"]["message"]
    ok = httpx.post(f"{server.url}/v1/predict", json={"texts": ["still serving"]})
    assert ok.status_code == 200 and server.alive()


def test_curl_style_form_encoded_json_is_accepted(server):
    r = httpx.post(f"{server.url}/v1/predict", content=b'{"texts": ["fine"]}',
                   headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and len(r.json()["predictions"]) == 1


def test_unknown_routes_and_methods(server):
    assert httpx.get(f"{server.url}/v1/predict").status_code == 405
    r = httpx.get(f"{server.url}/../../etc/passwd")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


async def _load(url, n_requests, concurrency):
    """`n_requests` predict calls from `concurrency` keep-alive connections; (wall s, latencies, outcomes).

    aiohttp is the client: on 2 shared cores httpx's async pool is ~7x slower and would measure itself.
    """
    import aiohttp

    latencies, outcomes = [], []
    texts = ["a gorgeous, witty, seductive movie", "the plot is a mess", "不错", "it is what it is, I guess"]
    todo = iter(range(n_requests))
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(url, connector=aiohttp.TCPConnector(limit=concurrency), timeout=timeout) as session:
        async def worker():
            for i in todo:
                batch = texts[: 1 + i % len(texts)]
                start = time.perf_counter()
                try:
                    async with session.post("/v1/predict", json={"texts": batch}) as r:
                        body = await r.json(content_type=None)
                        ok = r.status == 200 and len(body["predictions"]) == len(batch)
                        outcomes.append(200 if ok else f"bad {r.status}: {body}")
                except (aiohttp.ClientError, asyncio.TimeoutError) as e:
                    outcomes.append(repr(e))
                latencies.append(time.perf_counter() - start)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - start, latencies, outcomes


def test_load_2000_requests_50_concurrent_without_errors(server, record_property):
    n, concurrency = 2000, 50
    wall, latencies, outcomes = asyncio.run(_load(server.url, n, concurrency))
    errors = [o for o in outcomes if o != 200]
    q = statistics.quantiles(latencies, n=100)
    report = (f"load test: {n} requests, {concurrency} concurrent, {len(errors)} errors, "
              f"{n / wall:.0f} req/s, p50 {q[49] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms, wall {wall:.1f} s")
    record_property("load_test", report)  # printed in the run's summary (tests/serving/conftest.py)
    assert len(outcomes) == n and errors == [], f"{report}: {errors[:10]}"
    assert server.alive()

    # One malformed request of our own: the error counter must not depend on which other tests
    # ran on this server first (pytest-xdist spreads them over workers).
    bad = httpx.post(f"{server.url}/v1/predict", content=b"{not json", headers={"content-type": "application/json"})
    assert bad.status_code == 400
    metrics = httpx.get(f"{server.url}/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    served = float(re.search(r'keras_slm_requests_total\{method="POST",path="/v1/predict",status="200"\} (\S+)', text).group(1))
    assert served >= n
    count = float(re.search(r'keras_slm_request_duration_seconds_count\{path="/v1/predict"\} (\S+)', text).group(1))
    assert count >= n
    assert 'keras_slm_request_errors_total{code="malformed_json",path="/v1/predict",status="400"}' in text
    assert re.search(r'keras_slm_model_info\{.*name="tiny-awe".*\} 1\.0', text)
    assert "keras_slm_inference_duration_seconds_bucket" in text and "keras_slm_interpreters 2.0" in text


FUZZ_BODIES = [
    # (description, body bytes, status, error code): each on ONE keep-alive connection, then a good request
    ("nested lists", b"[" * 15000, 400, "malformed_json"),
    ("nested objects", b'{"texts": ' + b'{"a": ' * 2500, 400, "malformed_json"),
    ("nested in texts", b"{\"texts\": " + b"[" * 500 + b"]" * 500 + b"}", 422, "invalid_request"),
    ("lone surrogate", b'{"texts": ["bad \\ud800 text"]}', 422, "invalid_request"),
    ("NaN", b'{"texts": NaN}', 422, "invalid_request"),
    ("huge number", b'{"texts": ["a"], "max_tokens": 1e999999}', 422, "invalid_request"),
    ("NUL bytes", b'{"texts": ["\x00\x00"]}', 400, "malformed_json"),
    ("null", b"null", 422, "invalid_request"),
    ("texts null", b'{"texts": null}', 422, "invalid_request"),
    ("duplicate keys", b'{"texts": ["a"], "texts": 5}', 422, "invalid_request"),
    ("bare string", b'"texts"', 422, "invalid_request"),
]


def test_fuzzed_bodies_get_4xx_json_and_the_connection_stays_usable(server):
    with httpx.Client(base_url=server.url, headers={"content-type": "application/json"}) as client:
        for what, body, status, code in FUZZ_BODIES:
            r = client.post("/v1/predict", content=body)
            assert (r.status_code, r.json()["error"]["code"]) == (status, code), (what, r.text[:300])
            ok = client.post("/v1/predict", json={"texts": ["same connection"]})
            assert ok.status_code == 200, (what, ok.text[:300])
    assert server.alive()
    metrics = httpx.get(f"{server.url}/metrics").text
    assert 'code="malformed_json"' in metrics and 'code="internal"' not in metrics and 'code="http_error"' not in metrics
