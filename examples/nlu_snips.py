"""Dialogue understanding: one BiLSTM-CRF that detects the intent and fills the slots, exported to TFLite.

What it shows: reading a joint intent / slot TSV (`text<TAB>intent<TAB>slots`, one BIO tag per
whitespace token), training a joint model (shared word + char-CNN BiLSTM encoder, an intent
softmax head and a CRF slot head), intent accuracy / slot F1 (seqeval-equal) / sentence
accuracy, a builtin-only TFLite file with two outputs (intent probabilities and slot tag ids,
Viterbi inside), and intents with slot spans found in raw text with that file.

How long: about 5 minutes on 2 CPU cores with the defaults (4,000 SNIPS utterances, 3 epochs);
`--train_limit 0 --epochs 15` trains on all 13,084 (about 15-25 minutes; see BENCHMARKS.md).

    python examples/nlu_snips.py --out /tmp/nlu_snips
"""

import os

from absl import app, flags

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FLAGS = flags.FLAGS
flags.DEFINE_string("data", os.path.join(REPO, "..", "shared", "data", "snips"),
                    "folder with train.tsv / dev.tsv / test.tsv (header text, intent, slots)")
flags.DEFINE_integer("train_limit", 4000, "training utterances to use (0: all)")
flags.DEFINE_integer("test_limit", 0, "dev / test utterances to use (0: all)")
flags.DEFINE_integer("epochs", 3, "training epochs (the epoch with the best dev sentence accuracy is kept)")
flags.DEFINE_integer("seq_len", 48, "tokens per utterance (the TFLite input length)")
flags.DEFINE_enum("quantize", "dynamic", ["none", "dynamic", "float16", "int8"], "TFLite quantization")
flags.DEFINE_string("out", "/tmp/keras_slm_nlu_snips", "output folder")


def main(argv):
    del argv
    from keras_slm.data.nlu import read_nlu
    from keras_slm.tasks.nlu import NluModel
    from keras_slm.tasks.nlu_training import train_nlu

    # Data: one BIO tag per whitespace token; bad rows are errors naming file and line.
    def load(split, limit):
        data = read_nlu(os.path.join(FLAGS.data, f"{split}.tsv"))
        return data.subset(range(min(limit, len(data)))) if limit else data

    train, dev, test = load("train", FLAGS.train_limit), load("dev", FLAGS.test_limit), load("test", FLAGS.test_limit)
    print(f"{len(train)} training utterances, {len(train.intent_set())} intents, {len(train.tag_set())} slot tags")

    # Model + training: word embedding + char CNN -> BiLSTM -> (intent softmax, CRF slot tags).
    nlu, _, best = train_nlu(train, dev, model="bilstm_crf", seq_len=FLAGS.seq_len, epochs=FLAGS.epochs)
    print(f"best dev: intent accuracy {best['intent_accuracy']:.4f}, slot F1 {best['slot_f1']:.4f} "
          f"(epoch {best['best_epoch']})")

    # Export: [1, seq_len, 1 + max_chars] ids in; [1, num_intents] probabilities and [1, seq_len] tag ids out.
    nlu.save(FLAGS.out)
    path = os.path.join(FLAGS.out, "model.tflite" if FLAGS.quantize == "none" else f"model_{FLAGS.quantize}.tflite")
    report = nlu.export(path, quantize=FLAGS.quantize, sample_tokens=dev.tokens[:300], latency_threads=(1,))
    print(report)
    print(f"Keras vs TFLite: intent agreement {report.parity['intent_agreement']:.5f}, "
          f"tag agreement {report.parity['tag_agreement']:.5f}")

    # Evaluate and predict with the file.
    lite = NluModel.load(path)
    m = lite.evaluate(test)
    print(f"test (TFLite, {FLAGS.quantize}): intent accuracy {m['intent_accuracy']:.4f}, slot F1 {m['slot_f1']:.4f}, "
          f"sentence accuracy {m['sentence_accuracy']:.4f} (n={m['n']})")
    for r in lite.predict_text(["play the latest album by adele on spotify", "will it rain in paris tomorrow"]):
        print(r["text"], "->", r["intent"], f"{r['score']:.3f}", [(s["slot"], s["text"]) for s in r["slots"]])


if __name__ == "__main__":
    app.run(main)
