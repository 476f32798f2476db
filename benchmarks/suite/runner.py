"""Runs a suite's steps in one process, times them and writes the results JSON after each step.

The JSON records the machine, the date, the command, the wall time of the run and of each
step, the process CPU time (load-independent-ish) and the load average sampled every 10 s
while it ran: on a shared machine the wall times are upper bounds, and the record says so.
"""

import json
import os
import platform
import resource
import sys
import threading
import time
import traceback

from keras_slm import files

from benchmarks.suite import classification, plots, report, sequence

RUNNERS = {"classification": classification.run, "ner": sequence.run_ner, "lm": sequence.run_lm}


def machine():
    """CPU model, cores, memory, OS and the library versions that decide the numbers."""
    import ai_edge_litert
    import keras
    import tensorflow as tf

    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        memory = f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    except (ValueError, OSError):
        memory = "unknown memory"
    litert = getattr(ai_edge_litert, "__version__", None)
    if litert is None:
        from importlib.metadata import version

        litert = version("ai-edge-litert")
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory": memory, "platform": platform.platform(),
        "python": platform.python_version(), "tensorflow": tf.__version__, "keras": keras.__version__,
        "ai_edge_litert": litert, "gpu": "none used (CPU only)",
    }


class LoadSampler:
    """Samples the 1-minute load average every `interval` seconds in a daemon thread."""

    def __init__(self, interval=10.0):
        self.interval, self.samples, self._stop = interval, [], threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.samples.append(os.getloadavg()[0])
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def summary(self):
        s = self.samples or [os.getloadavg()[0]]
        return {"mean_1min": round(sum(s) / len(s), 2), "max_1min": round(max(s), 2), "samples": len(s),
                "note": f"this run itself adds about 1-2 on {os.cpu_count()} cores"}


def git_state():
    """The commit the library code came from, and whether keras_slm/ had uncommitted changes."""
    import subprocess

    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        commit = subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", repo, "status", "--porcelain", "--", "keras_slm"], capture_output=True,
                               text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}{' + uncommitted keras_slm changes' if dirty else ''}" if commit else None


def _cpu_seconds():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def write_results(results, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    files.write_text_atomic(path, json.dumps(results, indent=1, ensure_ascii=False) + "\n")


def run_suite(suite, steps, *, out, work, shared, only=None, merge=False, command=None, log=print):
    """Runs `steps` (a list from `config.SUITES`), writing `out` after each; returns the results dict.

    Args:
        suite: the suite's name (recorded).
        steps: step dicts from `benchmarks/suite/config.py`.
        out: the results JSON to write.
        work: folder for models and .tflite files.
        shared: the ../shared/data folder.
        only: dataset names to run (default: all steps).
        merge: keep the other steps' results already in `out` (with `only`).
        command: the command line to record.
    """
    chosen = [s for s in steps if not only or s["name"] in only]
    if only and len({s["name"] for s in chosen}) != len(set(only)):
        raise ValueError(f"--only {sorted(only)}: this suite has {sorted({s['name'] for s in steps})}")
    previous = {}
    if merge and os.path.exists(out):
        with open(out, encoding="utf-8") as f:
            previous = json.load(f)
    results = {
        "suite": suite, "command": command or " ".join([os.path.basename(sys.executable)] + sys.argv),
        "date": time.strftime("%Y-%m-%d"), "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(), "steps": [], "errors": [],
        "classification": previous.get("classification", {}), "ner": previous.get("ner", {}), "lm": previous.get("lm", {}),
    }
    if previous:  # the runs merged into this file, and their steps that this one does not redo
        results["earlier_runs"] = previous.get("earlier_runs", []) + [{k: previous.get(k) for k in (
            "command", "started_utc", "wall_time_s", "cpu_time_s", "load_average", "steps", "errors")}]
        results["earlier_steps"] = [s for s in previous.get("earlier_steps", []) + previous.get("steps", [])
                                    if s["name"] not in {c["name"] for c in chosen} or s["task"] not in {c["task"] for c in chosen}]
    start, cpu0 = time.time(), _cpu_seconds()
    with LoadSampler() as load:
        for step in chosen:
            log(f"[{step['task']}] {step['name']} ...")
            t0, c0, load0 = time.time(), _cpu_seconds(), os.getloadavg()[0]
            record = {"task": step["task"], "name": step["name"], "git": git_state()}
            try:
                results[step["task"]][step["name"]] = RUNNERS[step["task"]](
                    step, shared, os.path.join(work, step["task"], step["name"]), log=log)
            except Exception as e:  # one failed step must not lose the others' numbers
                record["error"] = f"{type(e).__name__}: {e}"
                results["errors"].append(f"{step['task']}/{step['name']}: {record['error']}")
                log(traceback.format_exc())
            for model in results[step["task"]].get(step["name"], {}).get("models", {}).values():
                for mode, entry in model.get("exports", {}).items():
                    if "error" in entry and not entry["error"].startswith("not supported"):
                        results["errors"].append(f"{step['task']}/{step['name']}/{model['family']}/{mode}: {entry['error']}")
            record.update(wall_s=round(time.time() - t0, 1), cpu_s=round(_cpu_seconds() - c0, 1),
                          load_1min_start=round(load0, 2), load_1min_end=round(os.getloadavg()[0], 2))
            results["steps"].append(record)
            results["wall_time_s"] = round(time.time() - start, 1)
            results["summed_step_wall_s"] = round(sum(s["wall_s"] for s in results["steps"]), 1)
            results["cpu_time_s"] = round(_cpu_seconds() - cpu0, 1)
            results["load_average"] = load.summary()
            write_results(results, out)
            log(f"[{step['task']}] {step['name']}: {record['wall_s']} s wall, {record['cpu_s']} s CPU")
    results["load_average"] = load.summary()
    write_results(results, out)
    return results


def publish(results, steps, *, out, markdown, plots_dir, pruning_json=None, title=None):
    """Plots, the BENCHMARKS.md section and the final JSON for `results`; returns the plot paths.

    `steps` is the whole suite's definition: steps without results are listed as not run.
    """
    done = {(s["task"], s["name"]) for s in results.get("steps", []) + results.get("earlier_steps", [])
            if "error" not in s}
    results["not_run"] = [f"{s['task']}/{s['name']}" for s in steps if (s["task"], s["name"]) not in done]
    written = plots.write_all(results, plots_dir, pruning_json)
    if markdown:
        base = os.path.dirname(os.path.abspath(markdown))
        relative = {name: os.path.relpath(path, base) for name, path in written.items()}
        results["results_file"] = os.path.relpath(out, base)
        report.update_section(markdown, results["suite"], report.render(results, relative), title=title)
    write_results(results, out)
    return written
