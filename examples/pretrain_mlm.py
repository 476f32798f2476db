"""Masked-LM pretraining: pretrain a tiny transformer on unlabelled text, then fine-tune it.

What it shows: learning a WordPiece vocabulary, pretraining a compact BERT-style encoder
with masked LM (keras-hub mask generator and head), fine-tuning it on a few labelled
sentences, comparing with the same encoder trained from scratch, and exporting the
fine-tuned classifier to a builtin-only .tflite file.

How long: about 2 minutes on 2 CPU cores with the defaults (the bundled English sample is
both the unlabelled text and the labelled data). For a real run, pretrain on more text:
`--text ../shared/data/sst2/train.tsv --max_lines 60000 --pretrain_epochs 3` (~30 minutes).

    python examples/pretrain_mlm.py --out /tmp/mlm
"""

import os

from absl import app, flags, logging

FLAGS = flags.FLAGS
flags.DEFINE_string("text", None, "unlabelled text: one example per line; a .tsv uses its first column "
                    "(default: the bundled English sample)")
flags.DEFINE_string("data", None, "labelled TSV/CSV/JSONL to fine-tune on (default: the bundled English sample)")
flags.DEFINE_integer("max_lines", 20000, "unlabelled lines to read")
flags.DEFINE_string("preset", "tiny_2x128", "encoder preset: tiny_2x128 | small_4x256 | base_6x384")
flags.DEFINE_integer("vocab_size", 4000, "WordPiece vocabulary to learn")
flags.DEFINE_integer("seq_len", 32, "tokens per text incl. [CLS]/[SEP]")
flags.DEFINE_integer("pretrain_epochs", 8, "masked-LM epochs")
flags.DEFINE_integer("epochs", 4, "fine-tuning epochs")
flags.DEFINE_string("out", "/tmp/keras_slm_pretrain_mlm", "output folder")


def read_unlabelled(path, max_lines):
    from keras_slm.training.mlm import read_text_lines

    lines = read_text_lines(path, max_lines=max_lines + 1)
    if path.endswith(".tsv"):  # a labelled file: keep the text column, drop the header
        lines = [line.split("\t")[0] for line in lines[1:]]
    return lines[:max_lines]


def main(argv):
    del argv
    from keras_slm.quiet import quiet_tensorflow

    quiet_tensorflow()  # TensorFlow's start-up and conversion INFO lines stay off stderr
    logging.set_verbosity(logging.WARNING)  # TensorFlow's export chatter
    # Setup: imports after flag parsing so `--help` is instant.
    from keras_slm.data import read_classification, sample_path
    from keras_slm.tasks import train_transformer_classifier
    from keras_slm.training import holdout_split
    from keras_slm.training.mlm import pretrain_mlm, save_pretrained_encoder

    # Data: unlabelled text for pretraining; labelled rows split into train / test.
    texts = read_unlabelled(FLAGS.text or sample_path("sentiment_en.tsv"), FLAGS.max_lines)
    labelled = read_classification(FLAGS.data or sample_path("sentiment_en.tsv"))
    train, test = holdout_split(labelled, 0.2, seed=0)
    train, val = holdout_split(train, 0.1, seed=0)
    print(f"{len(texts)} unlabelled lines; {len(train)} labelled training rows, {len(test)} test rows")

    # Pretrain: masked LM, then save the encoder directory (`keras-slm train --init DIR` reads it).
    encoder, tokenizer, history = pretrain_mlm(
        texts, preset=FLAGS.preset, vocab_size=FLAGS.vocab_size, seq_len=FLAGS.seq_len,
        epochs=FLAGS.pretrain_epochs, learning_rate=1e-3, verbose=2,
    )
    pretrained_dir = os.path.join(FLAGS.out, "encoder")
    save_pretrained_encoder(pretrained_dir, encoder, tokenizer, FLAGS.seq_len, preset=FLAGS.preset)
    print(f"masked-LM loss {history['loss'][0]:.3f} -> {history['loss'][-1]:.3f}, "
          f"accuracy {history['accuracy'][-1]:.3f}")

    # Fine-tune the pretrained encoder, and the same encoder from scratch, on the same rows.
    results = {}
    for name, kwargs in [("pretrained", {"init": pretrained_dir}), ("scratch", {"model": FLAGS.preset})]:
        classifier, _, _ = train_transformer_classifier(
            train, val, seq_len=FLAGS.seq_len, vocab_size=FLAGS.vocab_size, epochs=FLAGS.epochs, verbose=2, **kwargs
        )
        results[name] = classifier
        print(f"{name}: test accuracy {classifier.evaluate(test)['accuracy']:.3f}")

    # Export the fine-tuned classifier (builtin ops only), checked against Keras.
    classifier = results["pretrained"]
    classifier.save(os.path.join(FLAGS.out, "classifier"))
    report = classifier.export(os.path.join(FLAGS.out, "classifier", "model.tflite"), sample_texts=test.texts,
                               eval_data=test, latency_threads=(1,), latency_runs=50)
    print(f"\n{report}")
    print(f"\nOutput folder: {FLAGS.out}")


if __name__ == "__main__":
    app.run(main)
