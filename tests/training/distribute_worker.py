"""Child process for tests/training/test_distribute.py (TensorFlow device setup must come first).

    python distribute_worker.py mirrored [OUT]           -> JSON losses: one device vs 2 CPU replicas
                                                            (with OUT: also `keras-slm train --strategy mirrored`)
    python distribute_worker.py multiworker INDEX PORTS  -> JSON: unpatched error, patched history
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["CUDA_VISIBLE_DEVICES"] = ""


def tiny_data():
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.integers(3, 60, size=(96, 12)).astype("int32")
    y = (x[:, :3].mean(axis=1) > 31).astype("int32")
    return x, y


def build(strategy):
    import keras

    from keras_slm.models.classifiers import build_classifier

    keras.utils.set_random_seed(0)
    with strategy.scope():
        model = build_classifier("awe", 60, 2, dropout=0.0)
        model.compile(keras.optimizers.SGD(0.5), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def fit(model, batch_size=16, epochs=2):
    import tensorflow as tf

    x, y = tiny_data()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size)
    history = model.fit(ds, epochs=epochs, verbose=0)
    return {k: [float(v) for v in vals] for k, vals in history.history.items()}


def mirrored():
    from keras_slm.training import distribute

    distribute.split_cpu(2)
    one = distribute.make_strategy("default")
    two = distribute.make_strategy("mirrored")
    single, multi = build(one), build(two)
    result = {"replicas": two.num_replicas_in_sync, "single": fit(single), "mirrored": fit(multi)}
    import numpy as np

    result["max_weight_diff"] = float(max(np.abs(a - b).max() for a, b in zip(single.get_weights(), multi.get_weights())))
    if len(sys.argv) > 2:  # the CLI on the same 2 replicas: keras-slm train --strategy mirrored
        from keras_slm.cli import main
        from keras_slm.data import sample_path

        result["cli_rc"] = main(["train", "--data", sample_path("sentiment_en.tsv"), "--model", "awe", "--epochs", "2",
                                 "--seq-len", "16", "--strategy", "mirrored", "--out", sys.argv[2]])
    print("@@RESULT@@" + json.dumps(result), flush=True)


def multiworker(index, ports):
    os.environ["TF_CONFIG"] = json.dumps(
        {"cluster": {"worker": [f"localhost:{p}" for p in ports.split(",")]}, "task": {"type": "worker", "index": index}}
    )
    import numpy as np

    from keras_slm.training import distribute

    strategy = distribute.make_strategy("multiworker")
    result = {"replicas": strategy.num_replicas_in_sync, "chief": distribute.is_chief()}
    # 1. Keras as shipped: expected to fail until upstream fixes keras-team/keras#20585.
    distribute.remove_keras_fixes()
    try:
        fit(build(strategy), epochs=1)
        result["unpatched_error"] = None
    except Exception as e:  # noqa: BLE001 - we report whatever Keras raises
        result["unpatched_error"] = f"{type(e).__name__}: {str(e)[:200]}"
    # 2. With keras_slm's fixes.
    distribute.apply_keras_fixes()
    model = build(strategy)
    result["history"] = fit(model)
    result["weight_sum"] = float(sum(np.sum(w) for w in model.get_weights()))
    print("@@RESULT@@" + json.dumps(result), flush=True)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    if sys.argv[1] == "mirrored":
        mirrored()
    else:
        multiworker(int(sys.argv[2]), sys.argv[3])
