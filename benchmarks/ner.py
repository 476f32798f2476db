"""NER benchmark: train a tagger on ../shared/data/<name>, score Keras and TFLite files on test.

Trains on train.txt, keeps the epoch with the best dev entity F1, then reports seqeval-equal
entity F1 on test.txt for the Keras model and for float / dynamic-range / full-int8 TFLite
files (Viterbi inside the graph), tag agreement of each file with Keras, sizes, latency and
wall time. Writes benchmarks/results/ner_<name>_<model>.json.

    nice -n 10 python benchmarks/ner.py --data wikiann_en --model bilstm_crf --epochs 15
    nice -n 10 python benchmarks/ner.py --data resume_zh --model char_bilstm_crf
"""

import json
import os
import time

from absl import app, flags

FLAGS = flags.FLAGS
flags.DEFINE_string("data", "wikiann_en", "folder under ../shared/data with train/dev/test.txt")
flags.DEFINE_string("model", "bilstm_crf", "bilstm_crf, bilstm, char_bilstm_crf, char_bilstm")
flags.DEFINE_integer("epochs", 15, "maximum epochs")
flags.DEFINE_integer("patience", 3, "early stopping patience (epochs without a better dev F1)")
flags.DEFINE_float("time_budget", None, "stop training after this many seconds")
flags.DEFINE_integer("seq_len", 64, "tokens per window (the exported length)")
flags.DEFINE_integer("batch_size", 32, "batch size")
flags.DEFINE_integer("seed", 0, "random seed (initial weights, batch order)")
flags.DEFINE_float("lr", 1e-3, "Adam learning rate")
flags.DEFINE_integer("lstm_units", None, "BiLSTM units (builder default if unset)")
flags.DEFINE_integer("num_layers", 1, "stacked BiLSTM layers")
flags.DEFINE_integer("char_filters", None, "char-CNN filters (builder default if unset)")
flags.DEFINE_integer("embedding_dim", None, "word (or character) embedding size (builder default if unset)")
flags.DEFINE_float("dropout", None, "dropout on embeddings and BiLSTM output (builder default if unset)")
flags.DEFINE_bool("lowercase", None, "lowercase words for the vocabulary (default: on for word models)")
flags.DEFINE_float("unk_replace", None, "P(singleton word -> <UNKNOWN>) in training (default 0.5 word, 0 char models)")
flags.DEFINE_list("quantize", ["none", "dynamic", "int8"], "TFLite files to write and score")
flags.DEFINE_string("out", None, "model directory (default: /tmp/ner_<data>_<model>)")
flags.DEFINE_string("tag", "", "suffix of the results file name (ner_<data>_<model><tag>.json)")
flags.DEFINE_string("load", None, "score a tagger directory written by an earlier run instead of training")
flags.DEFINE_integer("test_limit", None, "score only the first N test sentences (quick runs)")
flags.DEFINE_enum("word_vectors", None, ["glove"], "start the word embeddings from GloVe 6B 50d (word models)")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("KERAS_SLM_SHARED_DATA", os.path.join(REPO, "..", "shared", "data"))


def viterbi_latency(num_tags=7, length=64, runs=500):
    """One-thread latency of the in-graph Viterbi alone: a CRF over float scores `[1, L, T]`."""
    import tempfile

    import keras
    import tensorflow as tf

    from keras_slm.export import measure_latency
    from keras_slm.layers import CRF

    scores = keras.Input(shape=(length, num_tags), batch_size=1, name="scores")
    model = keras.Model(scores, CRF(num_tags)(scores))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "crf.tflite")
        model.export(path, format="litert", verbose=False,
                     target_spec={"supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS]})
        import numpy as np

        inputs = [np.random.default_rng(0).normal(size=(1, length, num_tags)).astype("float32")]
        return measure_latency(path, threads=(1,), runs=runs, inputs=inputs)["1"]


def main(argv):
    del argv
    from keras_slm.data import read_conll
    from keras_slm.evaluation import entity_metrics, format_entity_table
    from keras_slm.models.sequence_tagger import SequenceTagger
    from keras_slm.training.tagging import train_tagger

    folder = os.path.join(SHARED, FLAGS.data)
    train, dev, test = (read_conll(os.path.join(folder, f"{s}.txt")) for s in ("train", "dev", "test"))
    if FLAGS.test_limit:
        test = test.subset(range(min(FLAGS.test_limit, len(test))))
    sizes = {k: v for k, v in (("lstm_units", FLAGS.lstm_units), ("char_filters", FLAGS.char_filters),
                               ("embedding_dim", FLAGS.embedding_dim), ("dropout", FLAGS.dropout)) if v is not None}
    start = time.time()
    if FLAGS.load:  # re-score a tagger trained earlier (e.g. after a decoder change)
        tagger, out = SequenceTagger.load(FLAGS.load), FLAGS.load
        record_path = os.path.join(FLAGS.load, "train_record.json")
        record = {"history": [], "best": {"f1": None, "best_epoch": None}, "train_wall_time_s": None}
        if os.path.exists(record_path):
            with open(record_path, encoding="utf-8") as f:
                record = json.load(f)
        history, best, train_time = record["history"], record["best"], record["train_wall_time_s"]
    else:
        tagger, history, best = train_tagger(
            train, dev, model=FLAGS.model, seq_len=FLAGS.seq_len, epochs=FLAGS.epochs, batch_size=FLAGS.batch_size,
            learning_rate=FLAGS.lr, patience=FLAGS.patience, time_budget=FLAGS.time_budget,
            num_layers=FLAGS.num_layers, unk_replace=FLAGS.unk_replace, lowercase=FLAGS.lowercase,
            word_vectors=FLAGS.word_vectors, seed=FLAGS.seed, **sizes,
        )
        train_time = time.time() - start
        out = FLAGS.out or f"/tmp/ner_{FLAGS.data}_{FLAGS.model}"
        tagger.save(out)
        with open(os.path.join(out, "train_record.json"), "w", encoding="utf-8") as f:
            json.dump({"history": history, "best": {k: best[k] for k in ("f1", "best_epoch")},
                       "train_wall_time_s": round(train_time, 1)}, f)
    keras_test = tagger.evaluate(test)
    print(format_entity_table(keras_test))
    result = {
        "data": FLAGS.data, "model": FLAGS.model,
        "settings": {k: FLAGS[k].value for k in ("epochs", "patience", "time_budget", "seq_len", "batch_size", "lr",
                                                  "lstm_units", "num_layers", "char_filters", "unk_replace",
                                                  "embedding_dim", "dropout", "lowercase", "word_vectors", "seed")},
        "train_sentences": len(train), "dev_sentences": len(dev), "test_sentences": len(test),
        "params": int(tagger.model.count_params()), "train_wall_time_s": None if train_time is None else round(train_time, 1),
        "history": history, "dev_f1": best["f1"], "best_epoch": best["best_epoch"],
        "test": {k: keras_test[k] for k in ("f1", "precision", "recall", "n")}, "test_per_type": keras_test["per_type"],
        "tflite": {},
    }
    keras_ids = tagger.predict_tag_ids(test.tokens)
    for mode in FLAGS.quantize:
        t0 = time.time()
        path = os.path.join(out, "model.tflite" if mode == "none" else f"model_{mode}.tflite")
        # Calibration (int8) on training sentences; agreement and F1 below on the whole test set.
        report = tagger.export(path, quantize=mode, sample_sentences=train.tokens[:300], latency_runs=300)
        lite = SequenceTagger.load(path)
        lite_ids = lite.predict_tag_ids(test.tokens)
        lite_test = entity_metrics(test.tags, [lite.tags.decode(ids) for ids in lite_ids])
        same = sum(int((a == b).sum()) for a, b in zip(keras_ids, lite_ids))
        report.parity["tag_agreement"] = same / sum(len(a) for a in keras_ids)
        report.parity["sentence_agreement"] = sum(int((a == b).all()) for a, b in zip(keras_ids, lite_ids)) / len(test)
        result["tflite"][mode] = {
            "test_f1": lite_test["f1"], "precision": lite_test["precision"], "recall": lite_test["recall"],
            "tag_agreement": report.parity["tag_agreement"], "sentence_agreement": report.parity["sentence_agreement"],
            "size_bytes": report.size_bytes, "num_subgraphs": report.num_subgraphs,
            "android_compatible": report.android_compatible, "latency": report.latency,
            "export_and_score_s": round(time.time() - t0, 1),
        }
        print(f"{mode}: test F1 {lite_test['f1']:.4f}, tag agreement {report.parity['tag_agreement']:.5f}, "
              f"{report.size_bytes / 2**20:.2f} MiB, builtin-only {report.android_compatible}, "
              f"latency 1 thread {report.latency['1']['median_ms']:.2f} ms", flush=True)
    result["viterbi_64_steps_1_thread"] = viterbi_latency(num_tags=len(tagger.tags))
    result["total_wall_time_s"] = round(time.time() - start, 1)
    os.makedirs(os.path.join(REPO, "benchmarks", "results"), exist_ok=True)
    suffix = "_rescored" if FLAGS.load else ""
    path = os.path.join(REPO, "benchmarks", "results", f"ner_{FLAGS.data}_{FLAGS.model}{FLAGS.tag}{suffix}.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
    print(json.dumps({k: result[k] for k in ("test", "dev_f1", "train_wall_time_s", "total_wall_time_s")}, indent=1))
    print(json.dumps(result["tflite"], indent=1))
    print("viterbi 64 steps:", result["viterbi_64_steps_1_thread"])
    print(f"wrote {path}")


if __name__ == "__main__":
    app.run(main)
