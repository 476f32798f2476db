"""Text generation: a character-level LSTM (or tiny transformer) LM, sampled on Keras and TFLite.

What it shows: training a character language model on plain text, generation with greedy,
temperature, top-k and top-p sampling (keras-hub samplers; a seed makes it repeatable),
held-out cross-entropy and perplexity, export for on-device decoding (LSTM: one-token
step with state; transformer: fixed window), and the .tflite file generating exactly the
same greedy text as Keras, with its per-token latency.

How long: about 1-2 minutes on 2 CPU cores with the defaults (first 100k characters of
Tiny Shakespeare when ../shared/data is present, else the bundled message sample). The
full benchmark is benchmarks/lm_shakespeare.py (~30 minutes, held-out <= 1.70 nats/char).

    python examples/generate_text.py --out /tmp/generate
    python examples/generate_text.py --model transformer --out /tmp/generate_tf
"""

import os

from absl import app, flags, logging

FLAGS = flags.FLAGS
flags.DEFINE_string("text", None, "plain-text file (default: Tiny Shakespeare if found, else the bundled sample)")
flags.DEFINE_integer("max_chars", 100_000, "use the first N characters of the file")
flags.DEFINE_enum("model", "lstm", ["lstm", "transformer"], "LSTM (step export) or tiny transformer (window export)")
flags.DEFINE_integer("epochs", 3, "training epochs")
flags.DEFINE_integer("seq_len", 64, "training window (the transformer's context window)")
flags.DEFINE_string("prompt", "ROMEO:\n", "text to continue")
flags.DEFINE_integer("max_tokens", 120, "characters to generate")
flags.DEFINE_string("out", "/tmp/keras_slm_generate", "output folder")

SHAKESPEARE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data",
                           "tiny_shakespeare", "input.txt")


def main(argv):
    del argv
    from keras_slm.quiet import quiet_tensorflow

    quiet_tensorflow()  # TensorFlow's start-up and conversion INFO lines stay off stderr
    logging.set_verbosity(logging.WARNING)  # keep TensorFlow's SavedModel notes out of the output
    # Setup: imports after flag parsing so `--help` is instant.
    from keras_slm.data import sample_path
    from keras_slm.export.lm import PER_TOKEN, export_lm
    from keras_slm.tasks import LanguageModel, train_lm
    from keras_slm.training.language_model import read_text, split_text

    # Data: first 90% to train, last 10% held out (cut at a line end).
    path = FLAGS.text or (SHAKESPEARE if os.path.exists(SHAKESPEARE) else sample_path("lm_messages.txt"))
    train_text, heldout = split_text(read_text(path)[: FLAGS.max_chars], 0.1)
    print(f"{path}: {len(train_text):,} training characters, {len(heldout):,} held out")

    # Model + training.
    options = {"units": 256, "embedding_dim": 64} if FLAGS.model == "lstm" else {
        "hidden_dim": 128, "num_heads": 4, "num_layers": 2, "intermediate_dim": 256}
    lm, _, metrics = train_lm(train_text, heldout, model=FLAGS.model, tokenizer="char", seq_len=FLAGS.seq_len,
                              epochs=FLAGS.epochs, batch_size=64, model_options=options, verbose=2)
    print(f"held-out loss {metrics['loss']:.3f} nats/char, perplexity {metrics['perplexity']:.2f}")

    # Generation: each strategy; the same seed gives the same text.
    for strategy in ("greedy", "temperature", "top_k", "top_p"):
        text = lm.generate(FLAGS.prompt, max_tokens=FLAGS.max_tokens, strategy=strategy, temperature=0.8,
                           top_k=10, top_p=0.9, seed=1)
        print(f"\n--- {strategy} (seed 1) ---\n{FLAGS.prompt}{text}")

    # Export and generate on the TFLite file, as the phone would.
    lm.save(FLAGS.out)
    prompts = [line[:20] for line in heldout.splitlines() if len(line) > 20][:20] or [FLAGS.prompt]
    report = export_lm(lm, os.path.join(FLAGS.out, "model.tflite"), prompts=prompts, max_tokens=40)
    print(f"\n{report.to_text()}")
    on_device = LanguageModel.load(os.path.join(FLAGS.out, "model.tflite"))
    text = on_device.generate(FLAGS.prompt, max_tokens=FLAGS.max_tokens)
    print(f"\n--- greedy from model.tflite ---\n{FLAGS.prompt}{text}")
    print(f"\nTFLite greedy == Keras on {report.parity['greedy_identical']}/{report.parity['n']} prompts; "
          f"{report.latency[PER_TOKEN]['median_ms']:.3f} ms per token")


if __name__ == "__main__":
    app.run(main)
