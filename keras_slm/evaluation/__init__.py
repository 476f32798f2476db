"""Task metrics: classification (accuracy, macro-F1, per class), NER (entity P/R/F1, per type)."""

from keras_slm.evaluation.classification import classification_metrics, format_classification_table
from keras_slm.evaluation.entities import entity_metrics, format_entity_table
