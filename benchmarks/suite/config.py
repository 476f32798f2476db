"""Suite definitions: which datasets, models, slices and training settings each suite runs.

A suite is a dict with three lists of steps (`classification`, `ner`, `lm`); each step names
a dataset under ../shared/data and how much of it to use. `rows`/`sentences`/`chars` of None
use the whole file. `benchmarks/run.py --suite NAME` runs one; `--only DATASET ...` runs some
steps of it (their results are merged into the suite's JSON).
"""

FAMILIES = ("awe", "lstm", "gru", "bilstm", "stacked_lstm")
QUANTIZE = ("none", "dynamic", "float16", "int8")


def classification(name, *, train=None, test=None, tokenizer="word", seq_len=64, epochs=5, families=FAMILIES,
                   transformer="tiny_2x128", keras_default=False, tfidf=True, calibration=1000, quantize=QUANTIZE,
                   latency_runs=200, source=None):
    """One classification step. `source="sst2_split"` holds out whole SST-2 sentences (sst2_split.py)."""
    return {"task": "classification", "name": name, "train_rows": train, "test_rows": test, "tokenizer": tokenizer,
            "seq_len": seq_len, "epochs": epochs, "patience": 2, "families": list(families),
            "transformer": transformer, "keras_default": keras_default, "tfidf": tfidf, "calibration": calibration,
            "quantize": list(quantize), "latency_runs": latency_runs, "source": source or f"{name}/train.tsv+test.tsv"}


def ner(name, model, *, train=None, dev=None, test=None, epochs=15, patience=3, seq_len=64, time_budget=None,
        quantize=QUANTIZE, latency_runs=200):
    """One NER step: a tagger from `keras_slm.training.train_tagger` on `name`/{train,dev,test}.txt."""
    return {"task": "ner", "name": name, "model": model, "train_sentences": train, "dev_sentences": dev,
            "test_sentences": test, "epochs": epochs, "patience": patience, "seq_len": seq_len,
            "time_budget": time_budget, "quantize": list(quantize), "latency_runs": latency_runs}


def lm(name, *, train_chars=None, eval_chars=2000, units=256, seq_len=100, epochs=30, batch_size=64,
       time_budget=None, latency_runs=200):
    """One language-model step: a character LSTM on `name`/input.txt, last 10% held out."""
    return {"task": "lm", "name": name, "train_chars": train_chars, "eval_chars": eval_chars, "units": units,
            "seq_len": seq_len, "epochs": epochs, "batch_size": batch_size, "time_budget": time_budget,
            "quantize": ["none", "dynamic", "float16"], "latency_runs": latency_runs}


SUITES = {
    # <= 15 minutes on 2 idle CPU cores: every family on slices.
    "quick": [
        classification("sst2", source="sst2_split", train=6000, test=500, epochs=3, keras_default=True,
                       calibration=500),
        classification("zh_sentiment", train=3000, test=500, tokenizer="char", epochs=3, calibration=500),
        ner("wikiann_en", "bilstm_crf", train=2000, dev=300, test=500, epochs=3, patience=2),
        lm("tiny_shakespeare", train_chars=500_000, eval_chars=1500, units=128, epochs=6, time_budget=120),
    ],
    # Hours on 2 CPU cores: whole datasets, the defaults of `keras-slm train`.
    "full": [
        classification("sst2", source="sst2_split", keras_default=True),
        classification("ag_news"),
        classification("trec6"),
        classification("sms_spam"),
        classification("zh_sentiment", tokenizer="char"),
        ner("wikiann_en", "bilstm_crf"),
        ner("wnut17", "bilstm_crf"),
        ner("resume_zh", "char_bilstm_crf"),
        ner("weibo_zh", "char_bilstm_crf"),
        lm("tiny_shakespeare", eval_chars=5000, time_budget=1500),
    ],
}


def load_config(path):
    """(name, steps) from a JSON file `{"name": ..., "steps": [{"task": "classification", "name": ..., ...}]}`.

    Each step takes the keyword arguments of `classification`, `ner` or `lm` above; what it
    leaves out gets their defaults.
    """
    import json

    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    builders = {"classification": classification, "ner": ner, "lm": lm}
    steps = []
    for step in spec["steps"]:
        step = dict(step)
        task = step.pop("task")
        if task not in builders:
            raise ValueError(f"{path}: unknown task {task!r}; expected one of {sorted(builders)}")
        name = step.pop("name")
        steps.append(builders[task](name, **step))
    return spec.get("name", "custom"), steps
