"""Fine-tunes a transformer text classifier: from scratch, from an MLM-pretrained encoder, or MiniLM."""

import keras
import numpy as np
import tensorflow as tf

from keras_slm.data.labels import LabelVocabulary
from keras_slm.data.pipeline import make_dataset
from keras_slm.models.text_classifier import TextClassifier
from keras_slm.models.transformer_classifier import transformer_classifier
from keras_slm.models.transformer_encoder import PRESETS, build_encoder
from keras_slm.text.wordpiece_tokenizer import WordPieceTokenizer
from keras_slm.training.classification import evaluate_best, fit_best_epoch
from keras_slm.training.peft import enable_lora, format_trainable, merge_lora

# `model` names the transformer classifiers `keras-slm train --model` accepts.
TRANSFORMER_MODELS = (*PRESETS, "minilm")
# Default learning rates: a large pretrained model needs a small one, a random tiny one a large one.
DEFAULT_LEARNING_RATES = {"minilm": 5e-5, "pretrained": 2e-4, "scratch": 5e-4}
# LoRA trains a few small matrices on a frozen encoder: it needs a larger rate than full fine-tuning.
LORA_LEARNING_RATE = 1e-3


def bert_dataset(word_ids, labels=None, batch_size=32, shuffle=False, seed=0):
    """Batches of BERT inputs `(input_word_ids, input_mask, input_type_ids)` (and labels).

    Rows are bucketed by length and each batch trimmed to its longest row
    (`keras_slm.data.make_dataset`); the mask and segment ids are derived from the ids
    (`[PAD]` = 0), so only the word ids are held in memory.

    Example:
    >>> ds = bert_dataset(np.array([[2, 7, 3, 0]], np.int32), np.array([1]), batch_size=1)
    >>> [tuple(t.shape) for t in next(iter(ds))[0]]
    [(1, 4), (1, 4), (1, 4)]
    """

    def to_bert(x, *rest):
        inputs = (x, tf.cast(tf.not_equal(x, 0), tf.int32), tf.zeros_like(x))
        return (inputs, *rest)

    dataset = make_dataset(word_ids, labels, batch_size, shuffle=shuffle, seed=seed)
    return dataset.map(to_bert)


def _encoder_and_tokenizer(model, init, texts, vocab_size, seq_len, dropout):
    if init is not None:
        from keras_slm.training.mlm import load_pretrained_encoder

        encoder, tokenizer, _ = load_pretrained_encoder(init)
        return encoder, tokenizer, "pretrained"
    if model == "minilm":
        from keras_slm.models.minilm import load_minilm

        encoder, tokenizer = load_minilm(max_length=max(seq_len, 16), dropout=dropout)
        return encoder, tokenizer, "minilm"
    if not isinstance(model, dict) and model not in PRESETS:
        raise ValueError(f"`model` must be one of {TRANSFORMER_MODELS} or a dict of encoder sizes, received {model!r}.")
    tokenizer = WordPieceTokenizer.fit(texts, vocab_size=vocab_size)
    return build_encoder(model, tokenizer.vocab_size, max_length=seq_len, dropout=dropout), tokenizer, "scratch"


def train_transformer_classifier(
    train,
    val,
    *,
    model="tiny_2x128",
    init=None,
    seq_len=64,
    vocab_size=8000,
    epochs=3,
    batch_size=32,
    learning_rate=None,
    weight_decay=0.01,
    dropout=0.1,
    seed=0,
    patience=2,
    max_steps_per_epoch=None,
    lora_rank=None,
    lora_alpha=None,
    verbose=1,
    callbacks=(),
):
    """Fine-tunes a transformer classifier (mean pooling + softmax) on labelled texts.

    Args:
        train / val: `ClassificationData` to train on and to select the epoch on.
        model: a preset (`"tiny_2x128"`, `"small_4x256"`, `"base_6x384"`: random init and a
            WordPiece vocabulary learnt from `train`), a dict of `transformer_encoder` sizes, or
            `"minilm"` (all-MiniLM-L6-v2).
        init: a directory written by `pretrain_mlm` / `keras-slm pretrain`: its encoder and
            tokenizer are fine-tuned (overrides `model`).
        seq_len: tokens per text, `[CLS]` and `[SEP]` included (also the exported length).
        vocab_size: WordPiece vocabulary size when one is learnt.
        epochs / batch_size / seed / patience: training settings (early stopping on
            validation accuracy, best epoch kept).
        learning_rate: AdamW rate; None picks 5e-5 (MiniLM), 2e-4 (`init`) or 5e-4 (scratch).
        weight_decay / dropout: regularisation.
        max_steps_per_epoch: cap on steps per epoch (quick runs on big data).
        lora_rank: train only LoRA matrices of this rank on the attention query/value
            projections (plus the head), merged into the kernels after training
            (`keras_slm.training.peft`); None: full fine-tuning. The learning rate then
            defaults to 1e-3, and `metrics["lora"]` holds the trainable counts and the largest
            score change the merge caused on `val`.
        lora_alpha: LoRA scale numerator (update scale alpha / rank; default rank).
        verbose / callbacks: Keras `fit` options.

    Returns:
        (TextClassifier, history dict, validation metrics dict)

    Example:
    >>> from keras_slm.data import read_classification, sample_path
    >>> data = read_classification(sample_path("sentiment_en.tsv"))
    >>> from keras_slm.training import holdout_split
    >>> train, val = holdout_split(data)
    >>> clf, _, metrics = train_transformer_classifier(train, val, epochs=1, verbose=0)  # doctest: +SKIP
    """
    keras.utils.set_random_seed(seed)
    encoder, tokenizer, kind = _encoder_and_tokenizer(model, init, train.texts, vocab_size, seq_len, dropout)
    family = "pretrained_" + encoder.name if init else model if isinstance(model, str) else "transformer"
    if learning_rate is None:
        learning_rate = LORA_LEARNING_RATE if lora_rank else DEFAULT_LEARNING_RATES[kind]
    labels = LabelVocabulary.fit(train.labels)
    x_train = tokenizer.encode(train.texts, seq_len)["input_word_ids"]
    x_val = tokenizer.encode(val.texts, seq_len)["input_word_ids"]
    y_train, y_val = labels.encode(train.labels, train), labels.encode(val.labels, val)

    net = transformer_classifier(encoder, len(labels), dropout=dropout)
    lora = None
    if lora_rank:
        lora = dict(enable_lora(net, rank=lora_rank, alpha=lora_alpha), rank=lora_rank, alpha=lora_alpha or lora_rank)
        if verbose:
            print(f"LoRA rank {lora_rank}: {format_trainable(net)}")
    net.compile(
        optimizer=keras.optimizers.AdamW(learning_rate, weight_decay=weight_decay, clipnorm=1.0),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    train_ds = bert_dataset(x_train, y_train, batch_size, shuffle=True, seed=seed)
    history = fit_best_epoch(
        net, train_ds.repeat() if max_steps_per_epoch else train_ds, bert_dataset(x_val, y_val, 128),
        epochs=epochs, patience=patience, callbacks=callbacks, verbose=verbose, steps_per_epoch=max_steps_per_epoch,
    )
    classifier = TextClassifier(net, tokenizer, labels, seq_len, family=family)
    if lora is not None:
        before = classifier.predict_scores(val.texts)
        lora["merged_layers"] = merge_lora(net)
        lora["merge_max_abs_diff"] = float(np.abs(classifier.predict_scores(val.texts) - before).max())
    metrics = evaluate_best(classifier, val, history)
    metrics["learning_rate"] = learning_rate
    if lora is not None:
        metrics["lora"] = lora
    return classifier, history, metrics
