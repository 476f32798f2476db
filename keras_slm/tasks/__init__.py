"""Tasks: the saved artifacts users hold (Keras model + tokenizer + labels: save/load/predict/export).

A task module may import every layer below it (models, export, training, text, data, ...);
nothing below imports a task (ARCHITECTURE.md). The artifact classes load with this package;
the training recipes and exporters (which import TensorFlow and `keras_slm.training`) load on
first use, so a process that only runs .tflite files (`keras-slm serve`) imports neither.
"""

from keras_slm.tasks.text_classifier import TextClassifier
from keras_slm.tasks.sequence_tagger import SequenceTagger
from keras_slm.tasks.wordpiece_tagger import WordPieceTagger
from keras_slm.tasks.language_model import LanguageModel
from keras_slm.tasks.nlu import NluModel
from keras_slm.tasks.translation import Translator

_ON_FIRST_USE = {
    "sentence_embedder": ("SentenceEmbedder", "cosine_similarity", "sentence_embedding_model"),
    "minilm": ("is_bert_checkpoint", "load_bert_checkpoint", "load_bert_weights", "load_minilm", "minilm_dir"),
    "mpnet": ("load_mpnet", "load_mpnet_checkpoint", "mpnet_dir"),
    "classifier_training": ("distill_classifier", "train_classifier", "train_transformer_classifier"),
    "layerwise_distill": ("layerwise_distill_classifier",),
    "tagger_training": ("train_tagger",),
    "lm_training": ("train_lm",),
    "android": ("export_android",),
    "nlu_training": ("train_nlu",),
    "translation_training": ("train_translator",),
    "few_shot": ("train_few_shot_classifier",),
    "personalisation": ("export_corrections", "export_keyboard", "export_user_categories"),
}
_MODULE_OF = {name: module for module, names in _ON_FIRST_USE.items() for name in names}


def __getattr__(name):
    # Recipes and exporters import TensorFlow and keras_slm.training: loaded when first named.
    if name in _MODULE_OF:
        from keras_slm.tasks import (  # noqa: F401
            android, classifier_training, few_shot, layerwise_distill, lm_training, minilm, mpnet, nlu_training,
            personalisation, sentence_embedder, tagger_training, translation_training,
        )

        return getattr(locals()[_MODULE_OF[name]], name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_MODULE_OF))
