"""Training an `NluModel`: vocabularies, the joint network, batches, and the best epoch by sentence accuracy."""

import collections
import warnings

import keras
import numpy as np

from keras_slm.data.labels import LabelVocabulary
from keras_slm.models.joint_nlu import joint_bilstm_crf, joint_transformer_crf
from keras_slm.tasks.sequence_tagger import UNKNOWN_ID, SequenceTagger
from keras_slm.tasks.wordpiece_tagger import WordPieceTagger
from keras_slm.tasks.nlu import NluModel
from keras_slm.training.nlu import fit_joint, joint_dataset

NLU_MODELS = ("bilstm_crf", "transformer_crf", "minilm")


def _bilstm(train, intents, tags, seq_len, min_count, intent_to_slots, sizes):
    char_unit = train.unit == "char"  # one token per character: no char features, no lowercasing
    words, chars = SequenceTagger.build_vocabularies(train.tokens, min_count, lowercase=not char_unit,
                                                     char_features=not char_unit)
    if char_unit:
        sizes = {"embedding_dim": 128, "lstm_units": 128, **sizes}
        sizes.pop("char_filters", None)
    network = joint_bilstm_crf(len(words), len(intents), len(tags), char_vocab_size=len(chars) if chars else None,
                               intent_to_slots=intent_to_slots, **sizes)
    encoder = SequenceTagger(None, words, tags, seq_len, chars, sizes.get("max_word_chars", 16),
                             lowercase=not char_unit, unit=train.unit)
    counts = collections.Counter(SequenceTagger.normalize(t, not char_unit) for s in train.tokens for t in s)
    rare = np.array([i > UNKNOWN_ID and counts[w] == 1 for i, w in enumerate(words)])
    return network, encoder, (None if char_unit else rare), (0.0 if char_unit else 0.5)


def _transformer(model, train, intents, tags, seq_len, encoder, vocab_size, intent_to_slots):
    from keras_slm.models.transformer_encoder import PRESETS
    from keras_slm.tasks.classifier_training import _encoder_and_tokenizer
    from keras_slm.training.transformer import DEFAULT_LEARNING_RATES

    encoder = "minilm" if model == "minilm" else (encoder or "tiny_2x128")
    init = encoder if encoder != "minilm" and encoder not in PRESETS else None  # a `keras-slm pretrain` DIR
    net, tokenizer, kind = _encoder_and_tokenizer(encoder, init, [" ".join(t) for t in train.tokens], vocab_size,
                                                  seq_len, 0.1)
    network = joint_transformer_crf(net, len(intents), len(tags), intent_to_slots=intent_to_slots)
    return network, WordPieceTagger(None, tokenizer, tags, seq_len), DEFAULT_LEARNING_RATES[kind]


def train_nlu(train, val, model="bilstm_crf", seq_len=48, min_count=1, epochs=10, batch_size=32,
              learning_rate=None, patience=3, time_budget=None, seed=0, encoder=None, vocab_size=8000,
              intent_to_slots=False, intent_weight=1.0, verbose=1, **sizes):
    """Trains a joint intent / slot model on `NluData`; keeps the epoch with the best validation
    sentence accuracy.

    Args:
        train, val: `NluData` (`keras_slm.data.read_nlu`), same `unit`.
        model: "bilstm_crf" (word embedding + char CNN, BiLSTM, CRF; character tokens for
            `unit="char"`), "transformer_crf" (a WordPiece transformer encoder, `encoder`
            preset, slots read at each word's first piece) or "minilm" (all-MiniLM-L6-v2).
        seq_len: tokens (pieces for transformers) per utterance in training and export.
        min_count: words seen fewer times map to <UNKNOWN> (BiLSTM).
        epochs, batch_size, patience, time_budget: training length and early stopping.
        learning_rate: Adam rate; None: 1e-3 (BiLSTM), 5e-4 scratch transformer, 5e-5 MiniLM.
        seed: random seed.
        encoder: transformer_crf only: "tiny_2x128" (default), "small_4x256", "base_6x384"
            or a `keras-slm pretrain` directory.
        vocab_size: WordPiece vocabulary learnt for a scratch encoder.
        intent_to_slots: feed the predicted intent to the slot emissions (intent-aware slots).
        intent_weight: weight of the intent loss next to the CRF loss.
        **sizes: BiLSTM sizes (lstm_units, char_filters, embedding_dim, dropout).

    Returns:
        (NluModel, history, best validation metrics).

    Example:
    >>> nlu, history, metrics = train_nlu(read_nlu("train.tsv"), read_nlu("dev.tsv"))  # doctest: +SKIP
    """
    if model not in NLU_MODELS:
        raise ValueError(f"`model` must be one of {NLU_MODELS}, received {model!r}.")
    keras.utils.set_random_seed(seed)
    intents, tags = LabelVocabulary.fit(train.intents, train), LabelVocabulary(train.tag_set())
    for what, unseen in (("intents", sorted(set(val.intents) - set(intents.labels))),
                         ("slot tags", sorted(set(val.tag_set()) - set(tags.labels)))):
        if unseen:  # scored as misses
            warnings.warn(f"{val.path}: {what} {unseen} do not occur in the training data {train.path}", stacklevel=2)
    if model == "bilstm_crf":
        network, helper, rare, unk_replace = _bilstm(train, intents, tags, seq_len, min_count, intent_to_slots, sizes)
        default_lr = 1e-3
    else:
        if train.unit == "char":
            raise ValueError("transformer NLU models read WordPieces of whitespace words; use model='bilstm_crf' "
                             "for character tokens")
        network, helper, default_lr = _transformer(model, train, intents, tags, seq_len, encoder, vocab_size,
                                                   intent_to_slots)
        rare, unk_replace = None, 0.0
    nlu = NluModel(network, helper, intents, tags, seq_len, train.unit, family=model)
    tokens = [t[:seq_len] for t in train.tokens]
    if nlu.wordpiece:
        x, y, _ = helper.align(tokens, train.tags)
        x = x["input_word_ids"]
    else:
        x = helper.encode(tokens)
        y = np.zeros(x.shape[:2], np.int32)
        for i, row in enumerate(train.tags):
            y[i, : len(tokens[i])] = tags.encode(row[: len(tokens[i])])
    lengths = ((x[..., 0] if x.ndim == 3 else x) != 0).sum(axis=1)
    data = joint_dataset(x, intents.encode(train.intents), y, lengths, batch_size, seed, rare, unk_replace,
                         bert=nlu.wordpiece)
    history, best = fit_joint(network, data, lambda: nlu.evaluate(val), epochs=epochs,
                              learning_rate=default_lr if learning_rate is None else learning_rate,
                              patience=patience, time_budget=time_budget, intent_weight=intent_weight, verbose=verbose)
    return nlu, history, best
