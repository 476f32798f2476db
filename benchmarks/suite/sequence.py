"""NER and language-model steps: train on a slice, score Keras and each TFLite file.

NER: `train_tagger` (BiLSTM-CRF, Viterbi inside the exported graph) and entity F1 on test for
Keras and every quantization mode (`SequenceTagger.export`'s report), as benchmarks/ner.py.
LM: `train_lm` (character LSTM) as benchmarks/lm_shakespeare.py; the metric is nats per
character over the first `eval_chars` held-out characters, stepped through the Keras step
model and through each .tflite file the same way (full history), so the numbers compare.
Language models have no int8 export (`export_lm`): the record says so.
"""

import os
import time

import numpy as np

from benchmarks.suite.classification import export_all


def _first(data, n):
    return data if not n or n >= len(data) else data.subset(range(n))


def run_ner(step, shared, work, log=print):
    """Runs one NER step; returns its JSON record."""
    from keras_slm.data import read_conll
    from keras_slm.training.tagging import train_tagger

    folder = os.path.join(shared, step["name"])
    train, dev, test = (read_conll(os.path.join(folder, f"{s}.txt")) for s in ("train", "dev", "test"))
    train, dev, test = (_first(d, step[f"{k}_sentences"]) for d, k in ((train, "train"), (dev, "dev"), (test, "test")))
    start = time.time()
    tagger, history, best = train_tagger(train, dev, model=step["model"], seq_len=step["seq_len"], epochs=step["epochs"],
                                         patience=step["patience"], time_budget=step["time_budget"], verbose=0)
    train_s = time.time() - start
    keras_f1 = tagger.evaluate(test)["f1"]
    out_dir = os.path.join(work, step["model"])
    tagger.save(out_dir)
    model = {"family": step["model"], "label": step["model"], "params": int(tagger.model.count_params()),
             "train_time_s": round(train_s, 1), "epochs_run": best["epochs_run"], "best_epoch": best["best_epoch"],
             "val_f1": best["f1"], "keras_metric": keras_f1}
    samples = train.tokens[:300]
    model["exports"] = export_all(model, step, out_dir, lambda path, mode: tagger.export(
        path, quantize=mode, sample_sentences=samples, eval_data=test, latency_runs=step["latency_runs"]))
    # A tagger's `argmax_agreement` is its tag agreement with Keras over real tokens.
    log(f"  {step['model']}: Keras F1 {keras_f1:.3f}, " + ", ".join(
        f"{m} {e['metric']:.3f}" if "metric" in e else f"{m} ERROR" for m, e in model["exports"].items())
        + f" (train {model['train_time_s']}s)")
    return {"metric": "entity F1", "higher_is_better": True, "settings": step,
            "data": {"train_sentences": len(train), "dev_sentences": len(dev), "test_sentences": len(test)},
            "models": {step["model"]: model}, "baselines": {}}


def stepwise_loss(lm, ids):
    """Nats per token of `ids[1:]`, each predicted from all ids before it by `lm`'s step decoder."""
    decoder = lm.decoder()
    decoder.reset([])
    total = 0.0
    for current, target in zip(ids[:-1], ids[1:]):
        logits = decoder.step(current).astype(np.float64)
        logits -= logits.max()
        total += float(np.log(np.exp(logits).sum()) - logits[target])
    return total / (len(ids) - 1)


def run_lm(step, shared, work, log=print):
    """Runs one language-model step; returns its JSON record."""
    from keras_slm.export.lm import export_lm
    from keras_slm.inference.lm_driver import TFLiteLMDriver
    from keras_slm.models.language_model import LanguageModel
    from keras_slm.text import lm_stream
    from keras_slm.training.language_model import read_text, split_text, train_lm

    text = read_text(os.path.join(shared, step["name"], "input.txt"))
    train_text, heldout = split_text(text, 0.1)
    if step["train_chars"]:
        train_text = train_text[: step["train_chars"]]
    start = time.time()
    lm, history, metrics = train_lm(
        train_text, val_text=heldout, model="lstm", tokenizer="char", seq_len=step["seq_len"], epochs=step["epochs"],
        batch_size=step["batch_size"], patience=3, time_budget=step["time_budget"], verbose=0,
        model_options={"units": step["units"], "embedding_dim": 64})
    train_s = time.time() - start
    out_dir = os.path.join(work, "char_lstm")
    lm.save(out_dir)
    ids = lm_stream.encode_stream(lm.tokenizer, heldout[: step["eval_chars"]])
    keras_loss = stepwise_loss(lm, ids)
    model = {"family": "char_lstm", "label": f"char LSTM {step['units']}", "params": int(lm.model.count_params()),
             "train_time_s": round(train_s, 1), "epochs_run": metrics["epochs_run"], "best_epoch": metrics["best_epoch"],
             "heldout_loss_windowed": metrics["loss"], "keras_metric": keras_loss}
    prompts = [line for line in heldout.splitlines() if len(line) > 20][:5]

    def export_one(path, mode):
        report = export_lm(lm, path, quantize=mode, prompts=prompts, max_tokens=20,
                           latency_runs=step["latency_runs"], latency_threads=(1, 2))
        loss = stepwise_loss(LanguageModel(TFLiteLMDriver(path), lm.tokenizer, "lstm", lm.seq_len), ids)
        report.metric = {"name": "nats/char", "keras": keras_loss, "tflite": loss, "drop": loss - keras_loss}
        report.latency = {k: v for k, v in report.latency.items() if k in ("1", "2")}
        return report

    model["exports"] = export_all(model, step, out_dir, export_one)
    for entry in model["exports"].values():  # lower is better: a drop is a loss increase
        if "metric" in entry:
            del entry["drop_points"]
            entry["drop_nats"] = round(entry["metric"] - keras_loss, 5)
    model["exports"]["int8"] = {"error": "not supported: export_lm writes float, dynamic and float16 files"}
    log(f"  char_lstm: Keras {keras_loss:.3f} nats/char, " + ", ".join(
        f"{m} {e['metric']:.3f}" for m, e in model["exports"].items() if "metric" in e)
        + f" (train {model['train_time_s']}s)")
    return {"metric": "nats/char", "higher_is_better": False, "settings": step,
            "data": {"train_chars": len(train_text), "heldout_chars": len(heldout), "eval_chars": len(ids) - 1},
            "models": {"char_lstm": model}, "baselines": {}}
