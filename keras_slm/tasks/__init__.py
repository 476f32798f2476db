"""Tasks: the saved artifacts users hold (Keras model + tokenizer + labels: save/load/predict/export).

A task module may import every layer below it (models, export, training, text, data, ...);
nothing below imports a task (ARCHITECTURE.md). Keep this file a plain list of re-exports.
"""

from keras_slm.tasks.text_classifier import TextClassifier
from keras_slm.tasks.sequence_tagger import SequenceTagger
from keras_slm.tasks.wordpiece_tagger import WordPieceTagger
from keras_slm.tasks.language_model import LanguageModel
from keras_slm.tasks.sentence_embedder import SentenceEmbedder, cosine_similarity, sentence_embedding_model
from keras_slm.tasks.minilm import is_bert_checkpoint, load_bert_checkpoint, load_bert_weights, load_minilm, minilm_dir
from keras_slm.tasks.classifier_training import distill_classifier, train_classifier, train_transformer_classifier
from keras_slm.tasks.layerwise_distill import layerwise_distill_classifier
from keras_slm.tasks.tagger_training import train_tagger
from keras_slm.tasks.lm_training import train_lm
from keras_slm.tasks.android import export_android
from keras_slm.tasks.nlu import NluModel
from keras_slm.tasks.nlu_training import train_nlu
from keras_slm.tasks.translation import Translator
from keras_slm.tasks.translation_training import train_translator
from keras_slm.tasks.few_shot import train_few_shot_classifier
from keras_slm.tasks.personalisation import export_corrections, export_keyboard, export_user_categories
