"""TinyBERT's recipe: a small transformer classifier distilled layer by layer from a transformer teacher.

`layerwise_distill_classifier` runs, in order:

1. general distillation (optional): `LayerwiseDistiller` on unlabelled texts;
2. task distillation of the intermediate layers: `LayerwiseDistiller` on the training texts plus
   `augment` perturbed copies of each (`augment_texts`);
3. prediction-layer distillation: `Distiller` (teacher scores softened by `temperature`, plus the
   labels) on the classifier built on the distilled encoder, best epoch kept.

The teacher is a transformer `TextClassifier` directory (e.g. MiniLM fine-tuned by
`keras-slm train --model minilm`), or a bare encoder: `"minilm"` or any Hugging Face BERT folder
(`load_bert_checkpoint`). A bare encoder has no class scores, so stage 3 then learns from the labels
alone. The student reads the teacher's WordPiece ids (same vocabulary), so the result is an ordinary
transformer `TextClassifier`: evaluate, predict and export take it as they take any other.
"""

import os

import keras
import numpy as np

from keras_slm.errors import KerasSlmError
from keras_slm.models.transformer_classifier import transformer_classifier
from keras_slm.models.transformer_encoder import PRESETS, build_encoder, encoder_blocks
from keras_slm.tasks.classifier_training import distillation_targets, transfer_texts
from keras_slm.tasks.minilm import is_bert_checkpoint, load_bert_checkpoint, load_minilm
from keras_slm.tasks.text_classifier import TextClassifier
from keras_slm.training.classification import evaluate_best, fit_best_epoch, holdout_split
from keras_slm.training.distillation import Distiller
from keras_slm.training.layerwise_distillation import LayerwiseDistiller
from keras_slm.training.transformer import bert_dataset

LAYERWISE_STUDENTS = tuple(PRESETS)


def classifier_encoder(model):
    """The encoder sub-model inside a transformer classifier (the layer holding `transformer_layer_0`)."""
    for layer in model.layers:
        if isinstance(layer, keras.Model) and encoder_blocks(layer):
            return layer
    return None


def load_teacher(teacher, max_length=512):
    """A layer-wise teacher: (encoder, WordPieceTokenizer, TextClassifier or None).

    Args:
        teacher: a transformer `TextClassifier` or its directory; `"minilm"` (all-MiniLM-L6-v2);
            or a folder in the Hugging Face BERT layout (`config.json`, `model.safetensors`, `vocab.txt`).
        max_length: position embeddings to keep for a bare checkpoint.

    Raises:
        KerasSlmError: the directory holds no transformer classifier with a Keras model.
    """
    if isinstance(teacher, str) and teacher == "minilm":
        encoder, tokenizer = load_minilm(max_length=max_length)
        return encoder, tokenizer, None
    if isinstance(teacher, str) and is_bert_checkpoint(teacher):
        encoder, tokenizer = load_bert_checkpoint(teacher, max_length=max_length)
        return encoder, tokenizer, None
    classifier = TextClassifier.load(teacher) if isinstance(teacher, str) else teacher
    where = teacher if isinstance(teacher, str) else "the teacher"
    if classifier.is_tflite or getattr(classifier.tokenizer, "kind", None) != "wordpiece":
        raise KerasSlmError(f"{where}: layer-wise distillation needs a transformer teacher with its Keras model "
                            f"(model.keras and a WordPiece tokenizer), found {classifier.family or 'another model'}")
    encoder = classifier_encoder(classifier.model)
    if encoder is None:
        raise KerasSlmError(f"{where}: model.keras holds no transformer encoder (transformer_layer_0 ...)")
    return encoder, classifier.tokenizer, classifier


def _layer_stage(student_encoder, teacher_encoder, ids, epochs, batch_size, learning_rate, seed, verbose,
                 layer_map, loss_weights, max_steps_per_epoch):
    distiller = LayerwiseDistiller(student_encoder, teacher_encoder, layer_map=layer_map,
                                   **dict(zip(("embedding_weight", "hidden_weight", "attention_weight"), loss_weights)))
    distiller.compile(keras.optimizers.AdamW(learning_rate, weight_decay=0.01, clipnorm=1.0))
    dataset = bert_dataset(ids, None, batch_size, shuffle=True, seed=seed)
    history = distiller.fit(dataset.repeat() if max_steps_per_epoch else dataset, epochs=epochs, verbose=verbose,
                            steps_per_epoch=max_steps_per_epoch)
    return {name: [round(float(v), 5) for v in values] for name, values in history.history.items()}, distiller.layer_map


def layerwise_distill_classifier(
    teacher,
    train,
    val=None,
    *,
    student="tinybert_4x312",
    seq_len=64,
    max_length=None,
    general_texts=None,
    general_epochs=1,
    layer_epochs=2,
    epochs=3,
    temperature=1.0,
    alpha=0.5,
    augment=0,
    unlabelled=None,
    batch_size=32,
    layer_learning_rate=1e-3,
    learning_rate=5e-4,
    dropout=0.1,
    layer_map=None,
    loss_weights=(1.0, 1.0, 1.0),
    seed=0,
    patience=2,
    max_steps_per_epoch=None,
    verbose=1,
    callbacks=(),
):
    """Distils a transformer teacher into a small transformer classifier, layer by layer then by its scores.

    Args:
        teacher: see `load_teacher` (a transformer `TextClassifier` or directory, "minilm", or a
            Hugging Face BERT folder).
        train / val: `ClassificationData` (val None: a seeded 10% of train, leak-free).
        student: an encoder preset (`PRESETS`: "tinybert_4x312", "tinybert_4x192",
            "mobilebert_4x128", ...) or a dict of `build_encoder` arguments; its vocabulary is the
            teacher's.
        seq_len: token ids per text (also the exported length).
        max_length: the student's position table (default `seq_len`; larger lets the same model
            be exported at a longer length).
        general_texts: unlabelled texts for general distillation (None: skip it).
        general_epochs / layer_epochs: epochs of the intermediate-layer stages (general, task).
        epochs: at most this many prediction-layer epochs (early stopping, best kept).
        temperature / alpha: prediction-layer distillation (`Distiller`); a bare-encoder teacher
            has no scores, so alpha is 1 (labels only) then.
        augment: perturbed copies of each training text (`augment_texts`) added to stages 2 and 3
            (the teacher labels them in stage 3; without a teacher head they join stage 2 only).
        unlabelled: texts without labels (a transfer set: in-domain text nobody labelled), added to
            stages 2 and 3 as the augmented copies are (`distillation_targets`).
        layer_learning_rate / learning_rate: AdamW rates of the layer stages and of stage 3.
        layer_map / loss_weights: `LayerwiseDistiller` settings (embedding, hidden, attention).
        max_steps_per_epoch: cap on steps per epoch in every stage (quick runs).
        Other arguments as in `train_transformer_classifier`.

    Returns:
        (student TextClassifier, history dict of stage 3, validation metrics dict with a
        "layerwise" record of the layer stages' losses)

    Example:
    >>> student, _, metrics = layerwise_distill_classifier("runs/minilm_sst2", train, val)  # doctest: +SKIP
    """
    keras.utils.set_random_seed(seed)
    if val is None:
        train, val = holdout_split(train, 0.1, seed, leak_free=True)
    teacher_encoder, tokenizer, teacher_classifier = load_teacher(teacher, max_length=max(seq_len, 16))
    if isinstance(student, str) and student not in PRESETS:
        raise ValueError(f"`student` must be one of {sorted(PRESETS)} or a dict of encoder sizes, received {student!r}.")
    student_encoder = build_encoder(student, tokenizer.vocab_size, max_length=max(max_length or seq_len, seq_len),
                                    dropout=dropout)
    record = {"student_params": int(student_encoder.count_params())}

    def ids(texts):
        return tokenizer.encode(list(texts), seq_len)["input_word_ids"]

    if general_texts is not None and general_epochs:
        record["general"], record["layer_map"] = _layer_stage(
            student_encoder, teacher_encoder, ids(general_texts), general_epochs, batch_size, layer_learning_rate,
            seed, verbose, layer_map, loss_weights, max_steps_per_epoch)
        record["general_rows"] = len(general_texts)
    if teacher_classifier is not None:
        labels = teacher_classifier.labels
        texts, packed = distillation_targets(teacher_classifier, train, labels, augment, seed, unlabelled)
        layer_texts = texts  # already holds the copies and the unlabelled texts
    else:
        from keras_slm.data.labels import LabelVocabulary

        labels = LabelVocabulary.fit(train.labels, train)
        texts, packed = list(train.texts), labels.encode(train.labels, train)
        layer_texts = texts + transfer_texts(texts, augment, seed, unlabelled)  # no head to label them: stage 2 only
    if layer_epochs:
        record["task"], record["layer_map"] = _layer_stage(
            student_encoder, teacher_encoder, ids(layer_texts), layer_epochs, batch_size, layer_learning_rate,
            seed + 1, verbose, layer_map, loss_weights, max_steps_per_epoch)
    net = transformer_classifier(student_encoder, len(labels), dropout=dropout)
    distiller = Distiller(net, temperature=temperature, alpha=alpha if teacher_classifier is not None else 1.0)
    distiller.compile(keras.optimizers.AdamW(learning_rate, weight_decay=0.01, clipnorm=1.0), metrics=["accuracy"])
    train_ds = bert_dataset(ids(texts), packed, batch_size, shuffle=True, seed=seed)
    if teacher_classifier is not None:
        import tensorflow as tf

        train_ds = train_ds.map(lambda x, p: (x, (tf.cast(p[:, 0], tf.int32), p[:, 1:])))
    val_ds = bert_dataset(ids(val.texts), labels.encode(val.labels, val), 256)
    history = fit_best_epoch(distiller, train_ds.repeat() if max_steps_per_epoch else train_ds, val_ds, epochs=epochs,
                             patience=patience, callbacks=callbacks, verbose=verbose, steps_per_epoch=max_steps_per_epoch)
    family = student if isinstance(student, str) else "transformer"
    classifier = TextClassifier(net, tokenizer, labels, seq_len, family=family)
    metrics = evaluate_best(classifier, val, history)
    teacher_name = teacher if isinstance(teacher, str) else (teacher_classifier.family if teacher_classifier else "encoder")
    record.update(teacher=os.path.abspath(teacher) if isinstance(teacher, str) and teacher != "minilm" else teacher_name,
                  teacher_head=teacher_classifier is not None, unlabelled_rows=len(unlabelled or []),
                  augmented_rows=len(layer_texts) - len(train) - len(unlabelled or []))
    metrics.update(learning_rate=learning_rate, layer_learning_rate=layer_learning_rate, layerwise=record,
                   augmented_rows=record["augmented_rows"] if teacher_classifier is not None else 0,  # in stage 3
                   unlabelled_rows=record["unlabelled_rows"])
    return classifier, history, metrics
