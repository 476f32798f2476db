"""Chinese sentiment: a character-level BiLSTM, exported to TFLite.

What it shows: the CJK-aware character tokenizer ("我喜欢吃苹果" -> 6 tokens), training a
bidirectional LSTM, exporting a builtin-only TFLite file, and predicting from the file.

How long: about 1 minute on 2 CPU cores with the defaults (bundled Chinese sample);
`--data ../shared/data/zh_sentiment/train.tsv --test ../shared/data/zh_sentiment/test.tsv`
takes a few minutes.

    python examples/sentiment_zh.py --out /tmp/zh
"""

import os

from absl import app, flags

FLAGS = flags.FLAGS
flags.DEFINE_string("data", None, "training TSV (default: the bundled Chinese sample)")
flags.DEFINE_string("test", None, "test TSV (default: 20% held out from --data)")
flags.DEFINE_integer("epochs", 8, "training epochs (early stopping keeps the best)")
flags.DEFINE_integer("seq_len", 64, "characters per text, incl. <START>")
flags.DEFINE_string("out", "/tmp/keras_slm_sentiment_zh", "output folder")


def main(argv):
    del argv
    from keras_slm.quiet import quiet_tensorflow

    quiet_tensorflow()  # TensorFlow's start-up and conversion INFO lines stay off stderr
    from keras_slm.data import read_classification, sample_path
    from keras_slm.export import TFLiteModel
    from keras_slm.tasks import TextClassifier, train_classifier
    from keras_slm.text import CjkCharTokenizer
    from keras_slm.training import holdout_split

    print("tokens:", CjkCharTokenizer().tokenize("我喜欢吃苹果"))

    # Data.
    data = read_classification(FLAGS.data or sample_path("sentiment_zh.tsv"))
    if FLAGS.test:
        train, test = data, read_classification(FLAGS.test)
    else:
        train, test = holdout_split(data, 0.2, seed=0)

    # Model + training (character tokenizer).
    classifier, _, _ = train_classifier(
        train, model="bilstm", tokenizer="char", seq_len=FLAGS.seq_len, epochs=FLAGS.epochs,
        patience=3, verbose=2,
    )
    print(f"test accuracy (Keras) {classifier.evaluate(test)['accuracy']:.3f}")

    # Export and run the file.
    classifier.save(FLAGS.out)
    report = classifier.export(os.path.join(FLAGS.out, "model.tflite"), sample_texts=test.texts,
                               latency_threads=(1,))
    print(report)
    lite = TextClassifier(TFLiteModel(report.path), classifier.tokenizer, classifier.labels, classifier.seq_len)
    print(f"test accuracy (TFLite) {lite.evaluate(test)['accuracy']:.3f}")
    for result in lite.predict(["我喜欢吃苹果", "送餐太慢了，菜都凉了"]):
        print(result["text"], "->", result["label"], f"{result['scores'][result['label']]:.2f}")


if __name__ == "__main__":
    app.run(main)
