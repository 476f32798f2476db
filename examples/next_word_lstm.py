"""Next-word suggestions: a word-level LSTM language model, as a phone keyboard uses it.

What it shows: the classic next-word LSTM (Embedding -> LSTM -> Dense softmax over the
vocabulary) trained on plain text, top-k next-word suggestions after a prefix (and word
completion while a word is being typed), the one-token TFLite step file (token + LSTM
state in, logits + state out, builtin ops only), float and dynamic-range quantized, and
the same suggestions computed from the .tflite file with its per-token latency.

How long: about 1 minute on 2 CPU cores with the defaults (bundled message sample);
`--text ../shared/data/tiny_shakespeare/input.txt --epochs 5` takes ~10 minutes.

    python examples/next_word_lstm.py --out /tmp/next_word
"""

import os

from absl import app, flags, logging

FLAGS = flags.FLAGS
flags.DEFINE_string("text", None, "plain-text training file (default: the bundled message sample)")
flags.DEFINE_integer("epochs", 60, "training epochs (early stopping keeps the best)")
flags.DEFINE_integer("units", 128, "LSTM units")
flags.DEFINE_integer("seq_len", 16, "training window in words")
flags.DEFINE_string("prefix", None, "one more prefix to suggest for (end it with a space for the next word)")

# A trailing space asks for the next word; without one, the last word is being typed.
PREFIXES = ["see you ", "thank you for the ", "i will call you ", "can you ", "the weather is n", "let me kn"]
flags.DEFINE_string("out", "/tmp/keras_slm_next_word", "output folder")


def main(argv):
    del argv
    from keras_slm.quiet import quiet_tensorflow

    quiet_tensorflow()  # TensorFlow's start-up and conversion INFO lines stay off stderr
    logging.set_verbosity(logging.WARNING)  # keep TensorFlow's SavedModel notes out of the output
    # Setup: imports after flag parsing so `--help` is instant.
    from keras_slm.data import sample_path
    from keras_slm.export.lm import PER_TOKEN, export_lm
    from keras_slm.tasks import LanguageModel, train_lm
    from keras_slm.training.language_model import read_text

    # Data: the whole file is one stream of words; each line starts with <START>.
    text = read_text(FLAGS.text or sample_path("lm_messages.txt"))

    # Model + training: word tokenizer, LSTM LM, validation on the file's last 10% of lines
    # (with the small sample, validation on the training text itself, as there is too little to hold out).
    lm, _, metrics = train_lm(
        text, val_text=None if FLAGS.text else text, model="lstm", tokenizer="word", seq_len=FLAGS.seq_len,
        epochs=FLAGS.epochs, batch_size=16, learning_rate=5e-3, patience=5,
        model_options={"units": FLAGS.units, "embedding_dim": 64}, verbose=0,
    )
    print(f"validation loss {metrics['loss']:.3f} nats/word (perplexity {metrics['perplexity']:.1f}), "
          f"vocabulary {lm.tokenizer.vocab_size} words")

    # Suggestions from Keras.
    def show(model, title):
        print(f"\n{title}")
        for prefix in PREFIXES + ([FLAGS.prefix] if FLAGS.prefix else []):
            words = ", ".join(f"{s['word']} ({s['probability']:.2f})" for s in model.suggest(prefix, k=3))
            print(f"  {prefix!r:24} -> {words}")

    show(lm, "suggestions (Keras):")

    # Export: the one-token step, float and dynamic-range int8, each checked against Keras.
    lm.save(FLAGS.out)
    for quantize in ("none", "dynamic"):
        name = "model.tflite" if quantize == "none" else f"model_{quantize}.tflite"
        report = export_lm(lm, os.path.join(FLAGS.out, name), quantize=quantize, prompts=PREFIXES)
        print(f"\n{report.to_text()}")
        print(f"greedy continuations identical to Keras: {report.parity['greedy_identical']}/{report.parity['n']}, "
              f"per-token step {report.latency[PER_TOKEN]['median_ms']:.3f} ms")

    # The phone's view: suggestions computed from the .tflite file.
    show(LanguageModel.load(os.path.join(FLAGS.out, "model.tflite")), "suggestions (TFLite):")


if __name__ == "__main__":
    app.run(main)
