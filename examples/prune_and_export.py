"""Prune and export: zero most of a classifier's weights, keep its accuracy, shrink the download.

What it shows: training a small classifier, then fine-tuning it with `MagnitudePruning` (a
Keras callback: the smallest weights are zeroed on a polynomial schedule, masks held after
every step) up to a target sparsity, stripping the pruning state, and exporting float and
dynamic-range TFLite files. A pruned file is as large as the dense one (TFLite stores dense
tensors), but its zeros compress: the gzip'ed size is what an app download or an update costs.
Prints sparsity, test accuracy (Keras and TFLite) and file / gzip sizes, dense vs pruned.

How long: about 1 minute on 2 CPU cores with the defaults (bundled English sample). On
SST-2 (`--data ../shared/data/sst2/train.tsv --max_rows 20000 --model bilstm`) ~5 minutes;
see BENCHMARKS.md for 0 / 50 / 80% on the leak-free SST-2 split.

    python examples/prune_and_export.py --out /tmp/pruned --sparsity 0.8
"""

import os
import tempfile

from absl import app, flags, logging

FLAGS = flags.FLAGS
flags.DEFINE_string("data", None, "labelled TSV/CSV/JSONL (default: the bundled English sample)")
flags.DEFINE_integer("max_rows", 0, "use at most this many rows (0: all)")
flags.DEFINE_string("model", "lstm", "awe | lstm | gru | bilstm | stacked_lstm")
flags.DEFINE_float("sparsity", 0.8, "target fraction of zero weights in kernels and embeddings")
flags.DEFINE_integer("epochs", 6, "dense training epochs (best kept)")
flags.DEFINE_integer("prune_epochs", 3, "fine-tuning epochs while pruning (the last at the final sparsity)")
flags.DEFINE_integer("seq_len", 48, "token ids per text (the exported length)")
flags.DEFINE_string("out", "/tmp/keras_slm_prune_and_export", "output folder")


def main(argv):
    del argv
    from keras_slm.quiet import quiet_tensorflow

    quiet_tensorflow()  # TensorFlow's start-up and conversion INFO lines stay off stderr
    logging.set_verbosity(logging.WARNING)  # TensorFlow's export chatter
    # Setup: imports after flag parsing so `--help` is instant.
    from keras_slm.callbacks import gzip_size
    from keras_slm.data import read_classification, sample_path
    from keras_slm.tasks import train_classifier
    from keras_slm.training import holdout_split, prune_classifier

    # Data: a seeded 20% test split, 10% of the rest for validation.
    data = read_classification(FLAGS.data or sample_path("sentiment_en.tsv"))
    if FLAGS.max_rows and len(data) > FLAGS.max_rows:
        data, _ = holdout_split(data, 1 - FLAGS.max_rows / len(data), seed=0)
    train, test = holdout_split(data, 0.2, seed=0)
    train, val = holdout_split(train, 0.1, seed=0)
    print(f"{len(train)} training rows, {len(val)} validation rows, {len(test)} test rows")

    def export(classifier, name, folder):
        path = os.path.join(folder, name)
        report = classifier.export(path, quantize="dynamic" if "dynamic" in name else "none",
                                   sample_texts=test.texts, eval_data=test, latency_threads=())
        if name == "model.tflite":
            print(f"\n{report}")
        return report.metric["tflite"], report.size_bytes, gzip_size(path), report.parity["max_abs_diff"]

    # Dense model: train, export for comparison (its files go to a scratch folder: `save` below
    # replaces the model folder as a whole).
    dense_dir = tempfile.mkdtemp(prefix="keras_slm_dense_")
    classifier, _, _ = train_classifier(train, val, model=FLAGS.model, seq_len=FLAGS.seq_len, epochs=FLAGS.epochs,
                                        patience=FLAGS.epochs, verbose=2)
    rows = [("dense", 0.0, classifier.evaluate(test)["accuracy"], *export(classifier, "dense.tflite", dense_dir)),
            ("dense, dynamic", 0.0, None, *export(classifier, "dense_dynamic.tflite", dense_dir))]

    # Prune: fine-tune from the dense weights while the sparsity rises to the target.
    result = prune_classifier(classifier, train, val, final_sparsity=FLAGS.sparsity, epochs=FLAGS.prune_epochs,
                              verbose=2)
    print(f"measured sparsity {result['sparsity']:.3f} over {result['pruned_weights']} weight tensors "
          f"(target {FLAGS.sparsity})")

    # Export the pruned model (a plain Keras model: the masks lived in the callback).
    classifier.save(FLAGS.out)
    rows += [("pruned", result["sparsity"], classifier.evaluate(test)["accuracy"], *export(classifier, "model.tflite", FLAGS.out)),
             ("pruned, dynamic", result["sparsity"], None, *export(classifier, "model_dynamic.tflite", FLAGS.out))]

    print(f"\n{'model':<16} {'sparsity':>8} {'Keras acc':>9} {'TFLite acc':>10} {'bytes':>11} {'gzip bytes':>11} "
          f"{'TFLite vs Keras':>15}")
    for name, sparsity, keras_acc, lite_acc, size, gz, diff in rows:
        keras_text = "" if keras_acc is None else f"{keras_acc:.3f}"
        print(f"{name:<16} {sparsity:>8.3f} {keras_text:>9} {lite_acc:>10.3f} {size:>11,} {gz:>11,} {diff:>15.2e}")
    print(f"\ngzip'ed float file: {rows[2][5] / rows[0][5]:.0%} of the dense one. Model folder: {FLAGS.out}")


if __name__ == "__main__":
    app.run(main)
