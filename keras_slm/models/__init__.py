"""Model builders and the saved text-classifier artifact."""

from keras_slm.models.classifiers import (
    CLASSIFIERS,
    awe_classifier,
    bilstm_classifier,
    build_classifier,
    gru_classifier,
    lstm_classifier,
    stacked_lstm_classifier,
)
from keras_slm.models.text_classifier import TextClassifier
from keras_slm.models.minilm import load_bert_weights, load_minilm, minilm_dir
from keras_slm.models.sentence_embedder import SentenceEmbedder, cosine_similarity, sentence_embedding_model
from keras_slm.models.transformer_classifier import build_transformer_classifier, transformer_classifier
from keras_slm.models.transformer_encoder import PRESETS as TRANSFORMER_PRESETS
from keras_slm.models.transformer_encoder import build_encoder, transformer_encoder
from keras_slm.models.language_model import LanguageModel
from keras_slm.models.language_models import LM_BUILDERS, build_lm, lstm_lm, transformer_lm
from keras_slm.models.sequence_tagger import SequenceTagger
from keras_slm.models.taggers import bilstm_crf_tagger, bilstm_tagger, char_tagger
from keras_slm.models.transformer_tagger import transformer_tagger
from keras_slm.models.wordpiece_tagger import WordPieceTagger
