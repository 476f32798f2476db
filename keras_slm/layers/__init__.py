"""Reusable Keras layers."""

from keras_slm.layers.bottleneck_adapter import BottleneckAdapter
from keras_slm.layers.crf import CRF
from keras_slm.layers.crf_trainer import CRFTrainer
from keras_slm.layers.masked_mean_pooling import MaskedMeanPooling
from keras_slm.layers.tag_argmax import TagArgmax
from keras_slm.layers.token_features import SplitTokenFeatures
from keras_slm.layers.mobile_bert_block import MobileBertBlock
from keras_slm.layers.mpnet_block import MPNetBlock
from keras_slm.layers.relative_position_bias import RelativePositionBias
from keras_slm.layers.no_norm import NoNorm
