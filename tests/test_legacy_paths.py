"""Old public names keep working after the layering moves (ARCHITECTURE.md, "Renames")."""

import importlib

import pytest

import keras_slm.tasks as tasks
from keras_slm import text

MOVED = {
    # old module, name -> new module
    ("keras_slm.models", "TextClassifier"): "keras_slm.tasks",
    ("keras_slm.models", "SequenceTagger"): "keras_slm.tasks",
    ("keras_slm.models", "WordPieceTagger"): "keras_slm.tasks",
    ("keras_slm.models", "LanguageModel"): "keras_slm.tasks",
    ("keras_slm.models", "SentenceEmbedder"): "keras_slm.tasks",
    ("keras_slm.models", "load_minilm"): "keras_slm.tasks",
    ("keras_slm.models.text_classifier", "TextClassifier"): "keras_slm.tasks.text_classifier",
    ("keras_slm.models.text_classifier", "METRICS_FILE"): "keras_slm.tasks.text_classifier",
    ("keras_slm.models.sequence_tagger", "split_text"): "keras_slm.tasks.sequence_tagger",
    ("keras_slm.models.wordpiece_tagger", "WordPieceTagger"): "keras_slm.tasks.wordpiece_tagger",
    ("keras_slm.models.language_model", "is_language_model_dir"): "keras_slm.tasks.language_model",
    ("keras_slm.models.sentence_embedder", "cosine_similarity"): "keras_slm.tasks.sentence_embedder",
    ("keras_slm.models.minilm", "minilm_dir"): "keras_slm.tasks.minilm",
    ("keras_slm.training", "train_classifier"): "keras_slm.tasks",
    ("keras_slm.training", "train_tagger"): "keras_slm.tasks",
    ("keras_slm.training.classification", "train_classifier"): "keras_slm.tasks.classifier_training",
    ("keras_slm.training.transformer", "train_transformer_classifier"): "keras_slm.tasks.classifier_training",
    ("keras_slm.training.distillation", "distill_classifier"): "keras_slm.tasks.classifier_training",
    ("keras_slm.training.tagging", "train_tagger"): "keras_slm.tasks.tagger_training",
    ("keras_slm.training.language_model", "train_lm"): "keras_slm.tasks.lm_training",
    ("keras_slm.export", "export_android"): "keras_slm.tasks.android",
    ("keras_slm.text.char_tokenizer", "CharTokenizer"): "keras_slm.text.cjk_char_tokenizer",
    ("keras_slm.text.character_tokenizer", "CharacterTokenizer"): "keras_slm.text.codepoint_tokenizer",
    ("keras_slm.registry.bundle", "sha256_file"): "keras_slm.files",
}


@pytest.mark.parametrize("old_module, name", sorted(MOVED))
def test_old_name_is_the_moved_object(old_module, name):
    new = importlib.import_module(MOVED[old_module, name])
    assert getattr(importlib.import_module(old_module), name) is getattr(new, name)


def test_renamed_tokenizers_are_the_old_classes():
    assert text.CharTokenizer is text.CjkCharTokenizer and text.CjkCharTokenizer.kind == "char"
    assert text.CharacterTokenizer is text.CodepointTokenizer and text.CodepointTokenizer.kind == "character"
    assert text.make_tokenizer("char") is text.CjkCharTokenizer


def test_unknown_names_still_raise_attribute_error():
    import keras_slm.models
    import keras_slm.training.tagging

    for module in (keras_slm.models, keras_slm.training.tagging, tasks):
        with pytest.raises(AttributeError):
            module.no_such_name  # noqa: B018
