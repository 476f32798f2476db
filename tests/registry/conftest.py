import logging
import threading

import pytest

from tests.registry.tiny_model import bundle_dir, model_dir  # noqa: F401 (fixtures)


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on 127.0.0.1 (a free port), bucket "models": {"endpoint_url", "key", "secret"}.

    The server handles one request at a time. Real S3 makes a conditional PUT (If-None-Match: *)
    atomic; moto's threaded server checks and writes without a lock, so two racing creates could
    both succeed there. Serving requests one by one gives the test server S3's guarantee; the
    clients still race (two processes, many connections).
    """
    pytest.importorskip("moto.server")
    boto3 = pytest.importorskip("boto3")
    pytest.importorskip("s3fs")
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, DomainDispatcherApplication(create_backend_app), threaded=False,
                         request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    creds = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}
    boto3.client("s3", endpoint_url=endpoint, **creds).create_bucket(Bucket="models")
    yield {"endpoint_url": endpoint, "key": "testing", "secret": "testing"}
    server.shutdown()
    thread.join()
