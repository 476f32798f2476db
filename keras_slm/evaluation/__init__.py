"""Task metrics: classification (accuracy, macro-F1, per class)."""

from keras_slm.evaluation.classification import classification_metrics, format_classification_table
