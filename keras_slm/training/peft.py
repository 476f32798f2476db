"""Parameter-efficient fine-tuning: LoRA (Keras' own `enable_lora`) and bottleneck adapters.

    model = transformer_classifier(encoder, 2)
    enable_lora(model, rank=4)            # query/value projections; everything else frozen but the head
    print(format_trainable(model))       # "trainable 6,402 of 431,364 parameters (1.48%)"
    model.compile(...); model.fit(...)
    merge_lora(model)                    # W += alpha/rank * A @ B; the branches are gone
    convert(model, "model.tflite", ...)  # plain kernels, same ops as the base model

Adapters instead: `add_adapters(encoder, 16)` returns an encoder with a `BottleneckAdapter`
after each transformer block, sharing the original layers; `freeze_for_peft` keeps only
the adapters and the head trainable.
"""

import keras
import keras_hub
import numpy as np

from keras_slm.layers.bottleneck_adapter import BottleneckAdapter

# Names of the layers LoRA targets inside keras-hub TransformerEncoder blocks.
ATTENTION = ("query", "key", "value", "attention_output")
FEEDFORWARD = ("feedforward_intermediate_dense", "feedforward_output_dense")
DEFAULT_TARGETS = ("query", "value")
HEAD_LAYERS = ("scores",)


def _layers(model):
    return list(model._flatten_layers(include_self=False))


def freeze_for_peft(model, head_layers=HEAD_LAYERS):
    """Freezes every weight except LoRA matrices, adapters and the `head_layers`; returns the counts."""
    keep = set()
    for layer in _layers(model):
        if isinstance(layer, BottleneckAdapter) or layer.name in head_layers:
            keep.update(id(v) for v in layer.weights)
        if getattr(layer, "lora_enabled", False):
            keep.update({id(layer.lora_kernel_a), id(layer.lora_kernel_b)})
    for v in model.weights:
        v.trainable = id(v) in keep
    return trainable_parameters(model)


def enable_lora(model, rank=4, alpha=None, targets=DEFAULT_TARGETS, head_layers=HEAD_LAYERS):
    """Adds LoRA (rank `rank`) to the Dense/EinsumDense layers named in `targets`; freezes the rest.

    Args:
        model: a built Keras model (e.g. a keras_slm transformer classifier).
        rank: LoRA rank r.
        alpha: LoRA alpha (update scale alpha / r; default r).
        targets: layer names to adapt: `ATTENTION` names ("query", "key", "value",
            "attention_output") and/or `FEEDFORWARD` names, or any Dense layer name.
        head_layers: layers kept fully trainable (the classification head).

    Returns:
        `trainable_parameters(model)`.

    Example:
    >>> from keras_slm.models.transformer_classifier import build_transformer_classifier
    >>> model = build_transformer_classifier("tiny_2x128", vocab_size=500, num_classes=2)
    >>> counts = enable_lora(model, rank=4)
    >>> counts["fraction"] < 0.05
    True
    """
    adapted = 0
    for layer in _layers(model):
        if layer.name in targets and hasattr(layer, "enable_lora") and not getattr(layer, "lora_enabled", False):
            layer.enable_lora(rank, lora_alpha=alpha)
            adapted += 1
    if not adapted:
        raise ValueError(f"No layer named {list(targets)} with enable_lora() in model {model.name!r}.")
    return freeze_for_peft(model, head_layers)


def merge_lora(model):
    """Folds each LoRA update into its kernel (`W + alpha/r * A @ B`) and removes the LoRA branch, in place.

    The model then computes the same function with plain kernels, so the exported TFLite
    file has exactly the base model's ops. Returns the number of merged layers.
    """
    merged = 0
    for layer in _layers(model):
        if not getattr(layer, "lora_enabled", False):
            continue
        kernel = keras.ops.convert_to_numpy(layer.kernel)  # the property adds the LoRA update
        a, b = layer.lora_kernel_a, layer.lora_kernel_b
        layer.lora_enabled = False
        layer._kernel.assign(kernel)
        layer._kernel.trainable = True
        for tracked in (layer._trainable_variables, layer._non_trainable_variables):
            for v in (a, b):
                if any(v is t for t in tracked):
                    tracked[:] = [t for t in tracked if t is not v]
        del layer.lora_kernel_a, layer.lora_kernel_b
        layer.lora_rank = None
        merged += 1
    for v in model.weights:
        v.trainable = True
    optimizer = getattr(model, "optimizer", None)
    if merged and optimizer is not None and optimizer.built:
        # Its slots were sized for the LoRA matrices; model.keras would keep them and not load them
        # back. A fresh optimizer of the same config over the merged weights.
        fresh = optimizer.__class__.from_config(optimizer.get_config())
        fresh.build(model.trainable_variables)
        model.optimizer = fresh
    # Traced fit/predict functions still hold the LoRA branch: trace again on next use.
    model.train_function = model.test_function = model.predict_function = None
    return merged


def add_adapters(encoder, bottleneck_dim=16, block_type=keras_hub.layers.TransformerEncoder):
    """A copy of `encoder` with a `BottleneckAdapter` after every transformer block (layers shared).

    Example:
    >>> from keras_slm.models.transformer_encoder import build_encoder
    >>> adapted = add_adapters(build_encoder("tiny_2x128", vocab_size=500), bottleneck_dim=8)
    >>> sum(isinstance(l, BottleneckAdapter) for l in adapted.layers)
    2
    """

    def call_function(layer, *args, **kwargs):
        out = layer(*args, **kwargs)
        if isinstance(layer, block_type):
            out = BottleneckAdapter(bottleneck_dim, name=f"{layer.name}_adapter")(out)
        return out

    return keras.models.clone_model(encoder, clone_function=lambda layer: layer, call_function=call_function)


def trainable_parameters(model):
    """{"trainable", "total", "fraction"} parameter counts of `model`."""
    trainable = int(sum(np.prod(v.shape) for v in model.trainable_weights))
    total = int(sum(np.prod(v.shape) for v in model.weights))
    return {"trainable": trainable, "total": total, "fraction": trainable / total if total else 0.0}


def format_trainable(model):
    """"trainable N of M parameters (P%)": what to print before fine-tuning."""
    c = trainable_parameters(model)
    return f"trainable {c['trainable']:,} of {c['total']:,} parameters ({100 * c['fraction']:.2f}%)"
