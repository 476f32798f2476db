"""Keras graph builders: functions that return a `keras.Model`; they know no tokenizer file and no converter.

The saved artifacts (`TextClassifier`, `SequenceTagger`, `WordPieceTagger`, `LanguageModel`,
`SentenceEmbedder`) and the MiniLM checkpoint loader moved to `keras_slm.tasks`; their names
here are legacy aliases, resolved on first use (ARCHITECTURE.md). Prefer `keras_slm.tasks`.
"""

from keras_slm.models.classifiers import (
    CLASSIFIERS,
    awe_classifier,
    bilstm_classifier,
    build_classifier,
    gru_classifier,
    lstm_classifier,
    stacked_lstm_classifier,
)
from keras_slm.models.transformer_classifier import build_transformer_classifier, transformer_classifier
from keras_slm.models.transformer_encoder import PRESETS as TRANSFORMER_PRESETS
from keras_slm.models.transformer_encoder import build_encoder, transformer_encoder
from keras_slm.models.mpnet_encoder import mpnet_encoder
from keras_slm.models.language_models import LM_BUILDERS, build_lm, lstm_lm, transformer_lm
from keras_slm.models.taggers import bilstm_crf_tagger, bilstm_tagger, char_tagger
from keras_slm.models.transformer_tagger import transformer_tagger

_MOVED = (
    "LanguageModel", "SentenceEmbedder", "SequenceTagger", "TextClassifier", "WordPieceTagger",
    "cosine_similarity", "load_bert_weights", "load_minilm", "minilm_dir", "sentence_embedding_model",
)


def __getattr__(name):
    # Legacy aliases (ARCHITECTURE.md): these moved to keras_slm.tasks, which this package may
    # not import at load time. .importlinter lists this import.
    if name in _MOVED:
        import keras_slm.tasks

        return getattr(keras_slm.tasks, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
