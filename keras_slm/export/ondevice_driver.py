"""`OnDeviceModel`: runs a trainable .tflite file's signatures in LiteRT, as a phone app would.

No TensorFlow here: only the LiteRT interpreter (`ai_edge_litert`) and NumPy, the same calls an
Android app makes with `Interpreter.runSignature` (see tflite/OnDeviceTraining.kt).
"""

import time

import numpy as np
from ai_edge_litert.interpreter import Interpreter

REQUIRED = ("infer", "train", "save", "restore", "reset")


class OnDeviceModel:
    """A trainable file from `keras_slm.export.trainable` (classifier head or LM output layer).

    Args:
        path_or_bytes: the .tflite file or its bytes.
        num_threads: interpreter threads.

    Example:
    >>> model = OnDeviceModel("user_categories.tflite")  # doctest: +SKIP
    >>> model.train({"input_word_ids": ids, "input_mask": mask, "input_type_ids": types}, labels)  # doctest: +SKIP
    1.386
    >>> state = model.save()  # dict of arrays the app stores  # doctest: +SKIP
    """

    def __init__(self, path_or_bytes, num_threads=1):
        if isinstance(path_or_bytes, (bytes, bytearray)):
            self.interpreter = Interpreter(model_content=bytes(path_or_bytes), num_threads=num_threads)
        else:
            self.interpreter = Interpreter(model_path=str(path_or_bytes), num_threads=num_threads)
        self.signatures = self.interpreter.get_signature_list()
        missing = [name for name in REQUIRED if name not in self.signatures]
        if missing:
            raise ValueError(f"not a trainable keras-slm file: no signature(s) {missing}; found {sorted(self.signatures)}")
        self._runners = {name: self.interpreter.get_signature_runner(name) for name in self.signatures}
        details = self._runners["train"].get_input_details()
        self.target_names = [n for n in ("labels", "targets", "weights") if n in details]
        self.input_names = [n for n in self.signatures["infer"]["inputs"]]
        self.batch = {n: int(details[n]["shape_signature"][0]) for n in self.input_names}

    @property
    def kind(self):
        """"classifier" (labels) or "lm" (targets)."""
        return "classifier" if "labels" in self.target_names else "lm"

    def _run(self, name, **feeds):
        return self._runners[name](**feeds)

    def infer(self, inputs):
        """Outputs of `infer` for `inputs` ({input name: array}); `scores` or `logits` and `features`."""
        return self._run("infer", **self._cast(inputs))

    def train(self, inputs, labels=None, **targets):
        """One SGD step on a batch; returns the batch loss (before the step) as a float."""
        feeds = self._cast(inputs)
        if labels is not None:
            feeds["labels"] = np.asarray(labels, np.int32)
        for name, value in targets.items():
            feeds[name] = np.asarray(value, np.int32 if name == "targets" else np.float32)
        return float(self._run("train", **feeds)["loss"])

    def train_features(self, features, labels):
        """One SGD step on features from `infer` (classifier files); returns the loss."""
        return float(self._run("train_features", features=np.asarray(features, np.float32),
                               labels=np.asarray(labels, np.int32))["loss"])

    def features(self, inputs, batch_size=32):
        """The frozen encoder's `features` for all rows of `inputs` (one `infer` per batch)."""
        n = len(next(iter(inputs.values())))
        step = 1 if 1 in self.batch.values() else batch_size
        return np.concatenate([self.infer({k: v[i : i + step] for k, v in inputs.items()})["features"]
                               for i in range(0, n, step)])

    def save(self):
        """The trained state as {name: array}: what the app writes to its storage."""
        return {name: np.array(value) for name, value in self._run("save").items()}

    def restore(self, state):
        """Assigns a state from `save` (possibly from another interpreter or process)."""
        feeds = {name: np.asarray(state[name], np.float32) for name in self.signatures["restore"]["inputs"]}
        return {k: np.array(v) for k, v in self._run("restore", **feeds).items()}

    def reset(self):
        """Back to the head the file was exported with."""
        return {k: np.array(v) for k, v in self._run("reset").items()}

    def save_state(self, path):
        """Writes the state to an .npz file (what an app would do with its own storage)."""
        from keras_slm import files

        with files.atomic_path(path) as tmp:
            with open(tmp, "wb") as f:
                np.savez(f, **self.save())

    def load_state(self, path):
        with np.load(path) as npz:
            return self.restore({name: npz[name] for name in npz.files})

    def _cast(self, inputs):
        return {name: np.asarray(inputs[name], np.int32) for name in self.input_names}

    def predict(self, inputs, batch_size=32):
        """`scores` (classifier) for all rows of `inputs`, in batches (rows one by one for batch-1 files)."""
        n = len(next(iter(inputs.values())))
        step = 1 if 1 in self.batch.values() else batch_size
        out = [self.infer({k: v[i : i + step] for k, v in inputs.items()})["scores"] for i in range(0, n, step)]
        return np.concatenate(out, axis=0)

    def fit(self, inputs, labels, epochs=1, batch_size=8, seed=0, cache_features=False):
        """Training loop through the `train` signature; returns the mean loss of each epoch.

        With `cache_features`, the encoder runs once (`infer`) and every epoch goes through
        `train_features`: the same steps, without re-encoding the examples.
        """
        labels = np.asarray(labels, np.int32)
        rng = np.random.default_rng(seed)
        step = 1 if 1 in self.batch.values() else batch_size
        features = self.features(inputs) if cache_features else None
        history = []
        for _ in range(epochs):
            order = rng.permutation(len(labels))
            losses = [
                self.train_features(features[order[i : i + step]], labels[order[i : i + step]]) if cache_features
                else self.train({k: np.asarray(v)[order[i : i + step]] for k, v in inputs.items()},
                                labels[order[i : i + step]])
                for i in range(0, len(labels), step)
            ]
            history.append(float(np.mean(losses)))
        return history

    def lm_loss(self, input_ids, targets, weights):
        """Weighted mean next-token cross-entropy (nats) of the file's `infer` logits over windows."""
        total, count = 0.0, 0.0
        step = 1 if 1 in self.batch.values() else 16
        for i in range(0, len(input_ids), step):
            logits = self.infer({"input_ids": input_ids[i : i + step]})["logits"].astype(np.float64)
            logits -= logits.max(-1, keepdims=True)
            nll = np.log(np.exp(logits).sum(-1)) - np.take_along_axis(logits, targets[i : i + step, :, None], -1)[..., 0]
            total += float((nll * weights[i : i + step]).sum())
            count += float(weights[i : i + step].sum())
        return total / max(count, 1.0)

    def fit_lm(self, input_ids, targets, weights, epochs=1, batch_size=8, seed=0):
        """Training loop over LM windows through `train`; returns the mean loss of each epoch."""
        rng = np.random.default_rng(seed)
        step = 1 if 1 in self.batch.values() else batch_size
        history = []
        for _ in range(epochs):
            order = rng.permutation(len(input_ids))
            losses = []
            for i in range(0, len(order), step):
                rows = order[i : i + step]
                losses.append(self.train({"input_ids": input_ids[rows]}, targets=targets[rows], weights=weights[rows]))
            history.append(float(np.mean(losses)))
        return history

    def time_train_step(self, inputs, labels, runs=20, warmup=3, signature="train"):
        """Median / p90 milliseconds of one `train` (or `infer`) call on this batch, and per example."""
        state = self.save()
        times = []
        for i in range(warmup + runs):
            start = time.perf_counter()
            self.train(inputs, labels) if signature == "train" else self.infer(inputs)
            if i >= warmup:
                times.append(time.perf_counter() - start)
        self.restore(state)  # timing must not change what the file has learnt
        times = np.asarray(times) * 1e3
        n = len(next(iter(inputs.values())))
        return {"median_ms": round(float(np.median(times)), 3), "p90_ms": round(float(np.percentile(times, 90)), 3),
                "per_example_ms": round(float(np.median(times)) / n, 3), "batch": n, "runs": runs}
