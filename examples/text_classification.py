"""Text classification: train an LSTM-family classifier and ship it as a TFLite file.

What it shows: reading a TSV, fitting a word tokenizer, training with length bucketing,
exporting float and dynamic-range TFLite files with builtin ops only, and checking the
files against Keras in the LiteRT interpreter.

How long: about 1 minute on 2 CPU cores with the defaults (bundled English sample);
`--data ../shared/data/sst2/train.tsv --epochs 5 --model bilstm` takes ~5 minutes.

    python examples/text_classification.py --out /tmp/tc
"""

import os

from absl import app, flags

FLAGS = flags.FLAGS
flags.DEFINE_string("data", None, "training TSV/CSV/JSONL (default: the bundled English sample)")
flags.DEFINE_string("model", "lstm", "awe | lstm | gru | bilstm | stacked_lstm")
flags.DEFINE_integer("epochs", 8, "training epochs (early stopping keeps the best)")
flags.DEFINE_integer("seq_len", 48, "token ids per text")
flags.DEFINE_integer("max_vocab", 20000, "vocabulary size cap")
flags.DEFINE_string("out", "/tmp/keras_slm_text_classification", "output folder")


def main(argv):
    del argv
    from keras_slm.quiet import quiet_tensorflow

    quiet_tensorflow()  # TensorFlow's start-up and conversion INFO lines stay off stderr
    # Setup: imports after flag parsing so `--help` is instant.
    from keras_slm.data import read_classification, sample_path
    from keras_slm.tasks import train_classifier
    from keras_slm.training import holdout_split

    # Data: hold out 20% as a test set; train_classifier holds out 10% of the rest for validation.
    data = read_classification(FLAGS.data or sample_path("sentiment_en.tsv"))
    train, test = holdout_split(data, 0.2, seed=0)
    print(f"{len(train)} training rows, {len(test)} test rows, labels {sorted(set(data.labels))}")

    # Model + training.
    classifier, _, val = train_classifier(
        train, model=FLAGS.model, seq_len=FLAGS.seq_len, max_vocab=FLAGS.max_vocab,
        epochs=FLAGS.epochs, patience=3, verbose=2,
    )
    print(f"validation accuracy {val['accuracy']:.3f}")

    # Evaluate on the test rows.
    test_metrics = classifier.evaluate(test)
    print(f"test accuracy {test_metrics['accuracy']:.3f}, macro-F1 {test_metrics['macro_f1']:.3f}")

    # Export: float and dynamic-range quantized, each checked against Keras.
    classifier.save(FLAGS.out)
    for quantize in ("none", "dynamic"):
        name = "model.tflite" if quantize == "none" else f"model_{quantize}.tflite"
        report = classifier.export(
            os.path.join(FLAGS.out, name), quantize=quantize, sample_texts=test.texts,
            eval_data=test, latency_threads=(1,),
        )
        print(f"\n{report}")
    print(f"\nModel folder: {FLAGS.out}")


if __name__ == "__main__":
    app.run(main)
