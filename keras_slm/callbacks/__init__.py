"""Training callbacks: export on best, quantized evaluation, entity F1, size budget, pruning, LR schedule."""

from keras_slm.callbacks.entity_f1 import EntityF1
from keras_slm.callbacks.lr_schedule import WarmupSchedule
from keras_slm.callbacks.pruning import MagnitudePruning, polynomial_sparsity, sparsity, strip_pruning
from keras_slm.callbacks.quantized_evaluation import QuantizedEvaluation
from keras_slm.callbacks.size_budget import SizeBudget, gzip_size
from keras_slm.callbacks.tflite_export import TFLiteExportCallback
