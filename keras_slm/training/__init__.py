"""Training routines."""

from keras_slm.training.classification import holdout_split, train_classifier
from keras_slm.training.mlm import load_pretrained_encoder, pretrain_mlm, save_pretrained_encoder
from keras_slm.training.transformer import TRANSFORMER_MODELS, bert_dataset, train_transformer_classifier
from keras_slm.training.language_model import train_lm
from keras_slm.training.tagging import TaggerTrainer, train_tagger
from keras_slm.training.pruning import prune_classifier
