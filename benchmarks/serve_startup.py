"""Time to healthy and resident memory of `keras-slm serve` on a classifier: CLI vs the TF-free serving stack.

Usage: python benchmarks/serve_startup.py MODEL_DIR [--runs 3]   (about 1 minute on 2 cores)

"cli" starts `python -m keras_slm serve MODEL_DIR` (the CLI as it is: it may import TensorFlow
before the command runs); "serving" starts the same server through `keras_slm.serving.create_app`
and uvicorn, which is what `serve` runs once the CLI imports TensorFlow only for the commands that
need it. For each: seconds from process start to the first 200 from /healthz, VmRSS once healthy,
and whether TensorFlow was imported (its shared library mapped into the process).
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

SERVING = ("import sys, uvicorn; from keras_slm.serving import create_app; "
           "uvicorn.run(create_app(sys.argv[1], pool_size=1), host='127.0.0.1', port=int(sys.argv[2]), log_level='error')")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(mode, model_dir):
    port = free_port()
    if mode == "cli":
        cmd = [sys.executable, "-m", "keras_slm", "serve", model_dir, "--port", str(port), "--interpreters", "1",
               "--log-level", "error"]
    else:
        cmd = [sys.executable, "-c", SERVING, model_dir, str(port)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{mode}: server exited {proc.returncode}")
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
    parser.add_argument("model_dir")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'mode':8} {'healthy_s (median)':>18} {'RSS MB (median)':>16} tensorflow_loaded")
    for mode in ("cli", "serving"):
        results = [measure(mode, os.path.abspath(args.model_dir)) for _ in range(args.runs)]
        print(f"{mode:8} {statistics.median(r[0] for r in results):18.2f} {statistics.median(r[1] for r in results):16.0f} "
              f"{results[0][2]}")


if __name__ == "__main__":
    main()
