"""Distribution strategies for `fit`: one device, several local devices, several machines.

Keras 3.15's TensorFlow trainer breaks under `tf.distribute.MultiWorkerMirroredStrategy`
(keras-team/keras#20585) in two places; `apply_keras_fixes()` patches both, and every
strategy made here applies them:

1. `TensorFlowTrainer._maybe_symbolic_build` feeds the first distributed batch
   (`PerReplica` values) to `_symbolic_build`, which cannot convert them to tensors. The
   fix builds from the first replica's local batch (building needs shapes only).
2. `reduce_per_replica(..., "auto")` reduces scalar logs (loss, metrics) across workers
   with `axis=0`, which fails on a scalar. The fix reduces scalars with `axis=None`.

`tests/training/test_distribute.py` runs an unpatched 2-worker `fit` first and fails once
Keras no longer needs these fixes, so we know to delete them.
"""

import json
import os

import tensorflow as tf
from keras.src import tree
from keras.src.backend.tensorflow import trainer as _trainer

STRATEGIES = ("default", "mirrored", "multiworker")

_ORIGINAL = {
    "maybe_symbolic_build": _trainer.TensorFlowTrainer._maybe_symbolic_build,
    "reduce_per_replica": _trainer.reduce_per_replica,
}


def _first_local(strategy, value):
    if isinstance(value, tf.distribute.DistributedValues):
        return strategy.experimental_local_results(value)[0]
    return value


def _maybe_symbolic_build(self, iterator=None, data_batch=None):
    """Fix 1: build from one replica's batch instead of the distributed one."""
    if self._distribute_strategy is None:
        return
    if iterator is not None:
        for _, _, it in iterator:
            data_batch = tree.map_structure(lambda v: _first_local(self.distribute_strategy, v), next(it))
            break
    with self.distribute_strategy.scope():
        self._symbolic_build(data_batch=data_batch)


def _reduce_per_replica(values, strategy, reduction):
    """Fix 2: multi-worker "mean" of scalar logs reduces over all replicas with axis=None."""
    if reduction in ("auto", "mean") and _trainer._collective_all_reduce_multi_worker(strategy):

        def reduce(value):
            local = _first_local(strategy, value)
            return strategy.reduce("MEAN", value, axis=None if local.shape.rank == 0 else 0)

        return tree.map_structure(reduce, values)
    return _ORIGINAL["reduce_per_replica"](values, strategy, reduction)


def apply_keras_fixes():
    """Patches Keras 3's TensorFlow trainer for multi-worker `fit` (idempotent)."""
    _trainer.TensorFlowTrainer._maybe_symbolic_build = _maybe_symbolic_build
    _trainer.reduce_per_replica = _reduce_per_replica


def remove_keras_fixes():
    """Restores Keras' own functions (used by the test that checks upstream still needs the fixes)."""
    _trainer.TensorFlowTrainer._maybe_symbolic_build = _ORIGINAL["maybe_symbolic_build"]
    _trainer.reduce_per_replica = _ORIGINAL["reduce_per_replica"]


def make_strategy(name="default"):
    """A `tf.distribute.Strategy` for `fit`, with the Keras fixes applied.

    Args:
        name: "default" (one device), "mirrored" (all local GPUs, or all logical CPU
            devices, synchronous) or "multiworker" (several processes or machines, each
            described by the `TF_CONFIG` environment variable; see README.md,
            "Training on several machines").

    Build and compile the model inside `strategy.scope()`; `fit` then splits each global
    batch across the replicas.

    Example:
    >>> strategy = make_strategy("default")
    >>> strategy.num_replicas_in_sync
    1
    """
    if name not in STRATEGIES:
        raise ValueError(f"`strategy` must be one of {STRATEGIES}, received {name!r}.")
    apply_keras_fixes()
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        if gpus:
            return tf.distribute.MirroredStrategy([d.name for d in gpus])
        # CPU replicas: the default collective gather fails on embedding gradients (IndexedSlices)
        # whose sizes differ between replicas (an uneven last batch); reducing on one device does not.
        cpus = [d.name for d in tf.config.list_logical_devices("CPU")]
        return tf.distribute.MirroredStrategy(cpus, cross_device_ops=tf.distribute.ReductionToOneDevice())
    if "TF_CONFIG" not in os.environ:
        raise ValueError("strategy 'multiworker' needs the TF_CONFIG environment variable (cluster and task).")
    return tf.distribute.MultiWorkerMirroredStrategy()


def is_chief():
    """True on the process that should write files: worker 0 (or a "chief" task), or no cluster."""
    config = json.loads(os.environ.get("TF_CONFIG") or "{}")
    task = config.get("task") or {}
    cluster = config.get("cluster") or {}
    if not task:
        return True
    if task.get("type") == "chief":
        return True
    return task.get("type") == "worker" and int(task.get("index", 0)) == 0 and "chief" not in cluster


def split_cpu(n=2):
    """Splits the CPU into `n` logical devices so "mirrored" has replicas on a CPU-only machine.

    Must run before TensorFlow initialises its devices (before any op runs).
    """
    cpus = tf.config.list_physical_devices("CPU")
    tf.config.set_logical_device_configuration(cpus[0], [tf.config.LogicalDeviceConfiguration()] * n)
