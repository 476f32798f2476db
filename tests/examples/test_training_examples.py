"""Smoke tests: the training-toolkit examples (LoRA, pruning, distillation) run end to end with tiny settings."""

import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_example(script, tmp_path, *flags):
    proc = subprocess.run(
        [sys.executable, os.path.join(REPO, "examples", script), "--out", str(tmp_path), *flags],
        capture_output=True, text=True, timeout=600, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Android (builtin ops only)  yes" in proc.stdout
    assert os.path.exists(tmp_path / "model.tflite")
    return proc.stdout


def test_lora_finetune(tmp_path):
    out = run_example("lora_finetune.py", tmp_path, "--model", "tiny_2x128", "--max_rows", "120", "--seq_len", "16",
                      "--epochs", "1")
    fraction = float(re.search(r"with LoRA rank 8 .*\(([\d.]+)%\)", out).group(1))
    assert 0 < fraction < 5
    assert "merged 4 LoRA layers" in out
    assert re.search(r"TFLite \(merged\) vs LoRA model: max \|diff\| \S+ on \d+ test texts \(within 1e-4\)", out)


def test_prune_and_export(tmp_path):
    out = run_example("prune_and_export.py", tmp_path, "--model", "awe", "--max_rows", "200", "--seq_len", "24",
                      "--epochs", "2", "--prune_epochs", "2", "--sparsity", "0.8")
    assert re.search(r"measured sparsity 0\.(79|80)\d", out)
    rows = {line[:16].strip(): line.split() for line in out.splitlines() if line.startswith(("dense", "pruned"))}
    assert set(rows) == {"dense", "dense, dynamic", "pruned", "pruned, dynamic"}
    gzip_bytes = {name: int(parts[-2].replace(",", "")) for name, parts in rows.items()}
    assert gzip_bytes["pruned"] < 0.6 * gzip_bytes["dense"]
    assert os.path.exists(tmp_path / "model_dynamic.tflite") and os.path.exists(tmp_path / "model.keras")


def test_distill_to_lstm(tmp_path):
    out = run_example("distill_to_lstm.py", tmp_path, "--teacher_model", "tiny_2x128", "--teacher_epochs", "1",
                      "--student", "lstm", "--epochs", "2", "--max_rows", "150", "--seq_len", "24", "--augment", "1")
    assert re.search(r"teacher tiny_2x128 .*test accuracy 0\.\d+", out)
    assert "student lstm, distilled" in out and "student lstm, labels only" in out
    assert os.path.exists(tmp_path / "tokenizer.json")
