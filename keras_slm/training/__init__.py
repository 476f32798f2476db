"""Training machinery below the task layer: best-epoch fit, distillation, LoRA, pruning, MLM pretraining.

The recipes that make a saved artifact (`train_classifier`, `train_transformer_classifier`,
`distill_classifier`, `train_tagger`, `train_lm`) live in `keras_slm.tasks`; their names here are
legacy aliases, resolved on first use (ARCHITECTURE.md).
"""

from keras_slm.training.classification import holdout_split
from keras_slm.training.mlm import load_pretrained_encoder, pretrain_mlm, save_pretrained_encoder
from keras_slm.training.transformer import TRANSFORMER_MODELS, bert_dataset
from keras_slm.training.tagging import TaggerTrainer
from keras_slm.training.pruning import prune_classifier

_MOVED = ("distill_classifier", "train_classifier", "train_lm", "train_tagger", "train_transformer_classifier")


def __getattr__(name):
    # Legacy aliases (ARCHITECTURE.md): the recipes moved to keras_slm.tasks, which this package
    # may not import at load time. .importlinter lists this import.
    if name in _MOVED:
        import keras_slm.tasks

        return getattr(keras_slm.tasks, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
