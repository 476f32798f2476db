"""Training routines."""

from keras_slm.training.classification import holdout_split, train_classifier
