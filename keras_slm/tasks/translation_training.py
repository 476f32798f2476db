"""`train_translator`: tokenizers fitted on the data, an encoder-decoder trained, a `Translator` out."""

import time

import numpy as np

from keras_slm.errors import DataError
from keras_slm.tasks.translation import FAMILIES, Translator

# Defaults per family: model size and optimisation, chosen by measurement on 2 CPU cores
# (BENCHMARKS.md, "Translation").
MODEL_DEFAULTS = {
    "lstm_attention": {"embedding_dim": 64, "units": 256, "attention_dim": 256, "dropout": 0.2},
    "transformer": {"num_layers": 2, "hidden_dim": 128, "num_heads": 4, "intermediate_dim": 512, "dropout": 0.1},
}
TRAIN_DEFAULTS = {"lstm_attention": {"learning_rate": 2e-3, "warmup_steps": 0},
                  "transformer": {"learning_rate": 1e-3, "warmup_steps": 400}}


def _length(lengths, quantile, cap):
    return int(min(cap, max(4, np.ceil(np.percentile(lengths, quantile)))))


def train_translator(train, val=None, model="transformer", source_vocab_size=6000, target_vocab_size=6000,
                     source_len=None, target_len=None, epochs=30, batch_size=64, learning_rate=None,
                     label_smoothing=0.1, patience=3, time_budget=None, val_bleu_rows=300, seed=0, verbose=1,
                     model_options=None):
    """Fits the source / target tokenizers on `train`, trains a model and returns the translator.

    Args:
        train: `ParallelData` with targets.
        val: `ParallelData` for early stopping on greedy BLEU (None: stop on training loss).
        model: "lstm_attention" or "transformer".
        source_vocab_size: most source tokens (CJK characters, Latin words; `CjkCharTokenizer`).
        target_vocab_size: the target WordPiece vocabulary (`SubwordTokenizer`), special tokens included.
        source_len / target_len: fixed lengths; None: the 99.5th percentile of the training
            data (target: + `[CLS]`), at most 64.
        epochs, batch_size, learning_rate, label_smoothing, patience: training (see
            `keras_slm.training.translation.fit_seq2seq`); learning_rate None: per-family default.
        time_budget: seconds; training stops at the first epoch end past it.
        val_bleu_rows: validation sentences scored for BLEU after each epoch.
        seed: random seed.
        verbose: Keras progress bar (1), a line per epoch (2), silent (0).
        model_options: overrides of `MODEL_DEFAULTS[model]`.

    Returns:
        (Translator, history, metrics): metrics hold the best epoch's validation BLEU / chrF.

    Example:
    >>> translator, history, metrics = train_translator(read_parallel("train.tsv"), read_parallel("dev.tsv"))  # doctest: +SKIP
    """
    from keras_slm.evaluation.translation import translation_metrics
    from keras_slm.models.seq2seq_lstm import lstm_attention_seq2seq
    from keras_slm.models.seq2seq_transformer import transformer_seq2seq
    from keras_slm.text import CjkCharTokenizer, SubwordTokenizer
    from keras_slm.training.translation import fit_seq2seq

    if model not in FAMILIES:
        raise ValueError(f"`model` must be one of {FAMILIES}, received {model!r}.")
    if train.targets is None:
        raise DataError(train.path, None, "training data needs a target column")
    start = time.time()
    source_tok = CjkCharTokenizer.fit(train.sources, max_size=source_vocab_size)
    target_tok = SubwordTokenizer.fit(train.targets, vocab_size=target_vocab_size)
    source_len = source_len or _length([len(source_tok.tokenize(t)) for t in train.sources], 99.5, 64)
    target_len = target_len or _length([len(target_tok.tokenize(t)) + 1 for t in train.targets], 99.5, 64)
    options = {**MODEL_DEFAULTS[model], **(model_options or {})}
    build = lstm_attention_seq2seq if model == "lstm_attention" else transformer_seq2seq
    network = build(source_tok.vocab_size, target_tok.vocab_size, source_len, target_len, **options)
    translator = Translator(network, source_tok, target_tok, model, source_len, target_len)

    def arrays(data):
        source = translator.encode_sources(data.sources)
        target_in, target_out, fits = translator.encode_targets(data.targets)
        source_fits = np.array([len(source_tok.tokenize(t)) <= source_len for t in data.sources])
        keep = fits & source_fits
        return (source[keep], target_in[keep], target_out[keep]), int((~keep).sum())

    train_arrays, dropped = arrays(train)
    val_arrays = arrays(val)[0] if val is not None else None
    score_fn = None
    if val is not None and val.targets is not None:
        rows = val.subset(range(min(val_bleu_rows, len(val))))
        score_fn = lambda: translation_metrics(translator.translate_batch(rows.sources), rows.targets)["bleu"]  # noqa: E731
    defaults = TRAIN_DEFAULTS[model]
    learning_rate = defaults["learning_rate"] if learning_rate is None else learning_rate
    history = fit_seq2seq(network, train_arrays, val_arrays, score_fn, epochs=epochs, batch_size=batch_size,
                          learning_rate=learning_rate, label_smoothing=label_smoothing, patience=patience,
                          time_budget=time_budget, warmup_steps=defaults["warmup_steps"], seed=seed, verbose=verbose)
    best = max(history, key=lambda h: h["score"])
    metrics = {"best_epoch": best["epoch"], "epochs_run": len(history), "wall_time_s": round(time.time() - start, 1),
               "train_pairs": len(train_arrays[0]), "dropped_too_long": dropped, "source_len": source_len,
               "target_len": target_len, "params": int(network.count_params()), "learning_rate": learning_rate,
               "source_vocab_size": source_tok.vocab_size, "target_vocab_size": target_tok.vocab_size, **options}
    if val is not None and val.targets is not None:
        scores, _ = translator.evaluate(val)
        metrics.update({"val_bleu": scores["bleu"], "val_chrf": scores["chrf"], "val_n": scores["n"]})
    return translator, history, metrics
