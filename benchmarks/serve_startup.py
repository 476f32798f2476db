"""Time to healthy and resident memory of `keras-slm serve`, per kind of model served.

Usage: python benchmarks/serve_startup.py DIR [DIR ...] [--runs 3] [--json OUT.json]
(about 10 s per start on an idle 2-core machine; run it with PYTHONPATH at another checkout
to measure that code, e.g. the main branch, on the same model directories)

For each model directory (its kind read from config.json) `python -m keras_slm serve DIR`
starts with 1 interpreter; the script records seconds from process start to the first 200
from /healthz, VmRSS once healthy, and whether TensorFlow was loaded (its shared library
mapped into the process). Medians over --runs starts.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(model_dir):
    port = free_port()
    cmd = [sys.executable, "-m", "keras_slm", "serve", model_dir, "--port", str(port), "--interpreters", "1",
           "--log-level", "error"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{model_dir}: server exited {proc.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        healthy = time.perf_counter() - start
        with open(f"/proc/{proc.pid}/status") as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024
        with open(f"/proc/{proc.pid}/maps") as f:
            tf = any("libtensorflow" in line or "_pywrap_tensorflow" in line for line in f)
        return healthy, rss, tf
    finally:
        proc.terminate()
        proc.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model_dirs", nargs="+")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", help="also write the rows as JSON here")
    args = parser.parse_args()
    rows = []
    print(f"{'model':28} {'task':20} {'healthy_s (median)':>18} {'RSS MB (median)':>16} tensorflow_loaded")
    for directory in args.model_dirs:
        directory = os.path.abspath(directory)
        with open(os.path.join(directory, "config.json"), encoding="utf-8") as f:
            task = json.load(f)["task"]
        results = [measure(directory) for _ in range(args.runs)]
        row = {"model": os.path.basename(directory), "task": task,
               "healthy_s": round(statistics.median(r[0] for r in results), 2),
               "rss_mb": round(statistics.median(r[1] for r in results)), "tensorflow": any(r[2] for r in results),
               "runs": args.runs}
        rows.append(row)
        print(f"{row['model']:28} {task:20} {row['healthy_s']:18.2f} {row['rss_mb']:16d} {row['tensorflow']}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"python_path": os.environ.get("PYTHONPATH"), "load_average": os.getloadavg(), "rows": rows}, f,
                      indent=1)


if __name__ == "__main__":
    main()
