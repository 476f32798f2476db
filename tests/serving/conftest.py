import os
import re
import subprocess
import sys
import time

import pytest

from tests.registry.tiny_model import bundle_dir, model_dir  # noqa: F401 (fixtures)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_LISTENING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")


class Server:
    """`keras-slm serve ... --port 0` in a child process, as a user runs it; `url` once it listens.

    Its output goes to a file (a pipe nobody reads could fill up and stall the server).
    """

    def __init__(self, *args, log_path, timeout=120):
        cmd = [sys.executable, "-c", "import sys; from keras_slm.cli import main; sys.exit(main())", "serve", *args,
               "--port", "0", "--log-level", "info"]
        self.log_path = str(log_path)
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, text=True,
                                     env=dict(os.environ, PYTHONPATH=REPO))
        deadline = time.time() + timeout
        while time.time() < deadline and self.proc.poll() is None:
            match = _LISTENING.search(self.output())
            if match:
                self.url = f"http://127.0.0.1:{match.group(1)}"
                return
            time.sleep(0.2)
        self.stop()
        raise AssertionError(f"server did not start (exit {self.proc.returncode}):\n{self.output()[-3000:]}")

    def output(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.output()


@pytest.fixture
def start_server(tmp_path):
    """start_server(*cli_args) -> a running `Server`; every server started is stopped after the test."""
    servers = []

    def start(*args, **kwargs):
        servers.append(Server(*args, log_path=tmp_path / f"server{len(servers)}.log", **kwargs))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def pytest_terminal_summary(terminalreporter):
    """Prints the load test's numbers at the end of the run (with xdist too: user_properties travel)."""
    for report in terminalreporter.stats.get("passed", []):
        for key, value in getattr(report, "user_properties", []):
            if key == "load_test" and report.when == "call":
                terminalreporter.write_line(value)
