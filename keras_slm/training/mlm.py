"""Masked-LM pretraining of a compact transformer encoder on unlabelled text.

BERT's recipe with keras-hub pieces: `MaskedLMMaskGenerator` picks 15% of the tokens
(80% become `[MASK]`, 10% a random token, 10% stay), `MaskedLMHead` (tied to the token
embedding) predicts the originals. The result is a directory that
`train_transformer_classifier(init=DIR)` / `keras-slm train --init DIR` fine-tunes:

    encoder.keras    the encoder (BERT inputs -> token vectors)
    tokenizer.json   WordPiece tokenizer;  vocab.txt  one token per line (BERT format)
    config.json      {"task": "masked_lm", "preset", "seq_len", "encoder": {...}}
"""

import json
import os
import time

import keras
import keras_hub
import numpy as np
import tensorflow as tf

from keras_slm import files
from keras_slm.errors import DataError, ModelDirError
from keras_slm.models.transformer_encoder import build_encoder, encoder_config, encoder_inputs
from keras_slm.text.wordpiece_tokenizer import WordPieceTokenizer

TASK = "masked_lm"
ENCODER_FILE = "encoder.keras"
CONFIG_FILE = "config.json"


def read_text_lines(path, max_lines=None, min_chars=1):
    """Non-empty lines of a UTF-8 text file (one example each), stripped.

    Raises:
        DataError: the file is not UTF-8 (names the line) or holds no text.
    """
    lines = []
    with files.open_binary(path, "a UTF-8 text file, one text per line") as f:
        for number, raw in enumerate(f, start=1):
            try:
                line = raw.decode("utf-8").strip()
            except UnicodeDecodeError as e:
                raise DataError(path, number, f"not UTF-8 text ({e.reason})") from None
            if len(line) >= min_chars:
                lines.append(line)
                if max_lines and len(lines) >= max_lines:
                    break
    if not lines:
        raise DataError(path, 1, "no text lines to pretrain on")
    return lines


def masked_lm_model(encoder, mask_length):
    """Encoder + tied `MaskedLMHead`: BERT inputs and `mask_positions` -> logits `[b, mask_length, vocab]`."""
    inputs = encoder_inputs()
    positions = keras.Input(shape=(mask_length,), dtype="int32", name="mask_positions")
    embedding = encoder.get_layer("token_and_position_embedding").token_embedding
    head = keras_hub.layers.MaskedLMHead(
        token_embedding=embedding, intermediate_activation="gelu",
        kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.02), name="mlm_head",
    )
    logits = head(encoder(inputs), mask_positions=positions)
    return keras.Model([*inputs, positions], logits, name="masked_lm")


def _mlm_dataset(word_ids, tokenizer, batch_size, mask_rate, mask_length, shuffle, seed):
    from keras_slm.training.transformer import bert_dataset

    generator = keras_hub.layers.MaskedLMMaskGenerator(
        vocabulary_size=tokenizer.vocab_size, mask_selection_rate=mask_rate,
        mask_token_id=tokenizer.mask_id, mask_selection_length=mask_length,
        unselectable_token_ids=[tokenizer.pad_id, tokenizer.cls_id, tokenizer.sep_id],
    )

    def mask(inputs):
        ids, padding, types = inputs
        out = generator(ids)
        x = (out["token_ids"], padding, types, out["mask_positions"])
        return x, out["mask_ids"], out["mask_weights"]

    return bert_dataset(word_ids, None, batch_size, shuffle=shuffle, seed=seed).map(
        lambda inputs: mask(inputs), num_parallel_calls=tf.data.AUTOTUNE
    )


def pretrain_mlm(
    texts,
    *,
    preset="tiny_2x128",
    tokenizer=None,
    vocab_size=8000,
    seq_len=64,
    epochs=1,
    batch_size=32,
    learning_rate=5e-4,
    mask_rate=0.15,
    dropout=0.1,
    seed=0,
    max_steps=None,
    verbose=1,
    callbacks=(),
):
    """Pretrains a transformer encoder with masked LM on unlabelled texts.

    Args:
        texts: list of strings (one example each; longer ones are truncated to `seq_len`).
        preset: encoder preset name (`PRESETS`) or a dict of `transformer_encoder` arguments.
        tokenizer: a `WordPieceTokenizer`; None learns one of `vocab_size` from `texts`.
        vocab_size: WordPiece vocabulary size when one is learnt.
        seq_len: tokens per example, `[CLS]` and `[SEP]` included (and the position table).
        epochs / batch_size / learning_rate / seed: training settings (AdamW).
        mask_rate: share of tokens to predict (BERT: 0.15).
        dropout: dropout rate of the encoder.
        max_steps: stop after this many steps in all (quick runs).
        verbose / callbacks: Keras `fit` options.

    Returns:
        (encoder, tokenizer, history dict with "loss" and "accuracy" per epoch)

    Example:
    >>> texts = ["a good film", "a bad film", "the plot is thin"] * 50
    >>> encoder, tok, history = pretrain_mlm(texts, vocab_size=60, seq_len=16, verbose=0)  # doctest: +SKIP
    """
    if not 0 < mask_rate < 1:
        raise ValueError(f"`mask_rate` must be in (0, 1), received {mask_rate}.")
    keras.utils.set_random_seed(seed)
    texts = list(texts)
    tokenizer = tokenizer or WordPieceTokenizer.fit(texts, vocab_size=vocab_size)
    word_ids = tokenizer.encode(texts, seq_len)["input_word_ids"]
    encoder = build_encoder(preset, tokenizer.vocab_size, max_length=seq_len, dropout=dropout)
    mask_length = max(1, int(np.ceil(seq_len * mask_rate * 1.5)))
    model = masked_lm_model(encoder, mask_length)
    model.compile(
        optimizer=keras.optimizers.AdamW(learning_rate, weight_decay=0.01, clipnorm=1.0),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="mean_with_sample_weight"),
        weighted_metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )
    dataset = _mlm_dataset(word_ids, tokenizer, batch_size, mask_rate, mask_length, shuffle=True, seed=seed)
    steps = -(-len(word_ids) // batch_size)
    if max_steps:
        epochs = max(1, min(epochs, -(-max_steps // steps)))
        steps = min(steps, max_steps)
        dataset = dataset.repeat()
    history = model.fit(dataset, epochs=epochs, steps_per_epoch=steps, verbose=verbose, callbacks=list(callbacks), shuffle=False)
    return encoder, tokenizer, history.history


def save_pretrained_encoder(directory, encoder, tokenizer, seq_len, preset=None, metrics=None):
    """Writes encoder.keras, tokenizer.json, vocab.txt and config.json (see the module doc)."""
    os.makedirs(directory, exist_ok=True)
    with files.atomic_path(os.path.join(directory, ENCODER_FILE)) as tmp:
        encoder.save(tmp)
    tokenizer.save(directory)
    config = {"task": TASK, "preset": preset if isinstance(preset, str) else None, "seq_len": int(seq_len),
              "tokenizer": tokenizer.kind, "encoder": encoder_config(encoder)}
    if metrics is not None:
        config["pretraining"] = metrics
    files.write_text_atomic(os.path.join(directory, CONFIG_FILE), json.dumps(config, indent=1))


def load_pretrained_encoder(directory):
    """(encoder, tokenizer, config) from a directory written by `save_pretrained_encoder`.

    Raises:
        ModelDirError: the directory is missing files or holds another kind of model.
    """
    from keras_slm.text import load_tokenizer

    path = os.path.join(directory, CONFIG_FILE)
    if not os.path.exists(path):
        raise ModelDirError(f"{directory}: no {CONFIG_FILE}; not a `keras-slm pretrain` output directory")
    with open(path, encoding="utf-8") as f:
        config = json.load(f)
    if config.get("task") != TASK:
        raise ModelDirError(f"{directory}: holds a {config.get('task')!r} model, not a pretrained encoder ({TASK})")
    encoder_path = os.path.join(directory, ENCODER_FILE)
    if not os.path.exists(encoder_path):
        raise ModelDirError(f"{directory}: no {ENCODER_FILE}")
    encoder = keras.saving.load_model(encoder_path, safe_mode=True)
    return encoder, load_tokenizer(directory), config


def run_pretraining(text_path, out_dir, max_lines=None, **kwargs):
    """Reads `text_path`, pretrains (`pretrain_mlm(**kwargs)`), saves to `out_dir`; returns the metrics."""
    texts = read_text_lines(text_path, max_lines=max_lines)
    start = time.time()
    encoder, tokenizer, history = pretrain_mlm(texts, **kwargs)
    metrics = {
        "text": os.path.abspath(text_path), "lines": len(texts), "wall_time_s": round(time.time() - start, 1),
        "final_loss": float(history["loss"][-1]), "final_accuracy": float(history["accuracy"][-1]),
        "epochs_run": len(history["loss"]), "params": int(encoder.count_params()),
        "settings": {k: v for k, v in kwargs.items() if k not in ("tokenizer", "callbacks")},
    }
    save_pretrained_encoder(out_dir, encoder, tokenizer, kwargs.get("seq_len", 64), kwargs.get("preset", "tiny_2x128"), metrics)
    return metrics
