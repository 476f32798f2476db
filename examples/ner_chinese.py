"""Chinese NER: a character-level BiLSTM-CRF (one token per character), exported to TFLite.

What it shows: reading BMES/BIO character-per-line CoNLL files, training a character-level
tagger (no word segmentation needed), entity F1 per type, a builtin-only TFLite file that
returns decoded tags (Viterbi inside), and entity spans found in raw Chinese text.

How long: about 3 minutes on 2 CPU cores with the defaults (Resume NER, 5 epochs);
`--epochs 30` reaches the full-data numbers in benchmarks/ (about 15-20 minutes).

    python examples/ner_chinese.py --out /tmp/ner_zh
"""

import os

from absl import app, flags

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FLAGS = flags.FLAGS
flags.DEFINE_string("data", os.path.join(REPO, "..", "shared", "data", "resume_zh"),
                    "folder with train.txt / dev.txt / test.txt, one character per line")
flags.DEFINE_integer("train_limit", 0, "training sentences to use (0: all)")
flags.DEFINE_integer("epochs", 5, "training epochs (the epoch with the best dev F1 is kept)")
flags.DEFINE_integer("seq_len", 96, "characters per window (the TFLite input length)")
flags.DEFINE_enum("quantize", "dynamic", ["none", "dynamic", "int8"], "TFLite quantization")
flags.DEFINE_string("out", "/tmp/keras_slm_ner_zh", "output folder")


def main(argv):
    del argv
    from keras_slm.quiet import quiet_tensorflow

    quiet_tensorflow()  # TensorFlow's start-up and conversion INFO lines stay off stderr
    from keras_slm.data import read_conll
    from keras_slm.evaluation import format_entity_table
    from keras_slm.tasks import SequenceTagger, train_tagger

    # Data.
    train, dev, test = (read_conll(os.path.join(FLAGS.data, f"{s}.txt")) for s in ("train", "dev", "test"))
    if FLAGS.train_limit:
        train = train.subset(range(min(FLAGS.train_limit, len(train))))
    print(f"{len(train)} training sentences ({train.num_tokens} characters), scheme in file: {train.scheme}")

    # Model + training: character embedding -> BiLSTM -> CRF.
    tagger, _, best = train_tagger(train, dev, model="char_bilstm_crf", seq_len=FLAGS.seq_len, epochs=FLAGS.epochs)
    print(f"best dev entity F1 {best['f1']:.4f} (epoch {best['best_epoch']})")
    print(format_entity_table(tagger.evaluate(test)))

    # Export and predict with the file.
    tagger.save(FLAGS.out)
    path = os.path.join(FLAGS.out, "model.tflite" if FLAGS.quantize == "none" else f"model_{FLAGS.quantize}.tflite")
    report = tagger.export(path, quantize=FLAGS.quantize, sample_sentences=test.tokens[:200], latency_threads=(1,))
    print(report)
    lite = SequenceTagger.load(path)
    print(f"test entity F1 (TFLite, {FLAGS.quantize}): {lite.evaluate(test)['f1']:.4f}")
    for result in lite.predict_text(["张伟，男，1968年出生，中国国籍，现任北京大学教授。"]):
        print(result["text"], "->", [(e["type"], e["text"]) for e in result["entities"]])


if __name__ == "__main__":
    app.run(main)
