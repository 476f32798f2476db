"""Running exported models without TensorFlow: LiteRT interpreter wrappers and decoding loops.

Everything here imports NumPy and `ai_edge_litert` only (no TensorFlow, no Keras), so a
process that runs .tflite files (`keras-slm serve`, an app's test harness) stays small:
`TFLiteModel` (batch-1 files run like a Keras model), `TFLiteLMDriver` (next-token files),
`tflite_seq2seq_driver` (translation files), the decoding loops shared with Keras
(`generation`, `seq2seq_decoding`) and WordPiece alignment (`align_first_subword`).
"""

from keras_slm.inference.generation import Sampler, StepDecoder, WindowDecoder, generate_ids, make_sampler
from keras_slm.inference.lm_driver import TFLiteLMDriver
from keras_slm.inference.seq2seq_decoding import Seq2SeqDriver, beam_decode, greedy_decode
from keras_slm.inference.seq2seq_driver import tflite_seq2seq_driver
from keras_slm.inference.subword_alignment import align_first_subword
from keras_slm.inference.tflite_model import TFLiteModel

__all__ = [
    "Sampler", "Seq2SeqDriver", "StepDecoder", "TFLiteLMDriver", "TFLiteModel", "WindowDecoder", "align_first_subword",
    "beam_decode", "generate_ids", "greedy_decode", "make_sampler", "tflite_seq2seq_driver",
]
