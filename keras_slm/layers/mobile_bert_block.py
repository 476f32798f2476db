"""`MobileBertBlock`: a bottleneck transformer block with stacked feed-forward networks (MobileBERT-style)."""

import keras
from keras import ops

from keras_slm.layers.no_norm import NoNorm

NORMS = ("layer", "nonorm")


def _norm(kind, epsilon, name):
    if kind == "nonorm":
        return NoNorm(name=name)
    return keras.layers.LayerNormalization(epsilon=epsilon, name=name)


@keras.saving.register_keras_serializable(package="keras_slm")
class MobileBertBlock(keras.layers.Layer):
    """One MobileBERT-class block: project in, attend, stacked feed-forward networks, project out.

    The residual stream between blocks is `hidden_dim` wide (inter-block); inside the block
    everything runs at `intra_dim` (intra-block): an input projection, multi-head self-attention,
    `num_feedforward` feed-forward networks (each with its own residual and normalisation) and an
    output projection back to `hidden_dim`, added to the block's input and normalised. Several
    small feed-forward networks per block instead of one large one keep the parameter count of
    attention and feed-forward balanced, as in MobileBERT (Sun et al., 2020).

    The call signature matches keras-hub's `TransformerEncoder`
    (`padding_mask`, `return_attention_scores`), so layer-wise distillation reads both alike.

    Args:
        intra_dim: width inside the block (divisible by `num_heads`).
        num_heads: attention heads.
        intermediate_dim: inner size of each feed-forward network.
        num_feedforward: stacked feed-forward networks per block.
        norm: "layer" (LayerNormalization) or "nonorm" (`NoNorm`, an element-wise affine).
        activation: feed-forward activation ("relu" as in MobileBERT, or "gelu").
        dropout: dropout rate on attention probabilities and sub-layer outputs.
        layer_norm_epsilon: epsilon of the layer norms.

    Example:
    >>> import numpy as np
    >>> block = MobileBertBlock(intra_dim=16, num_heads=2, intermediate_dim=32)
    >>> block(np.zeros((1, 5, 8), "float32"), padding_mask=np.ones((1, 5), "int32")).shape
    TensorShape([1, 5, 8])
    """

    def __init__(self, intra_dim, num_heads, intermediate_dim, num_feedforward=2, norm="layer", activation="relu",
                 dropout=0.0, layer_norm_epsilon=1e-12, **kwargs):
        super().__init__(**kwargs)
        for arg, value in [("intra_dim", intra_dim), ("num_heads", num_heads), ("intermediate_dim", intermediate_dim),
                           ("num_feedforward", num_feedforward)]:
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"`{arg}` must be a positive integer, received {value!r}.")
        if intra_dim % num_heads:
            raise ValueError(f"`intra_dim` ({intra_dim}) must be divisible by `num_heads` ({num_heads}).")
        if norm not in NORMS:
            raise ValueError(f"`norm` must be one of {NORMS}, received {norm!r}.")
        self.intra_dim = intra_dim
        self.num_heads = num_heads
        self.intermediate_dim = intermediate_dim
        self.num_feedforward = num_feedforward
        self.norm = norm
        self.activation = activation
        self.dropout = dropout
        self.layer_norm_epsilon = layer_norm_epsilon
        self.supports_masking = True

    def build(self, input_shape):
        hidden = int(input_shape[-1])
        init = keras.initializers.TruncatedNormal(stddev=0.02)
        eps = self.layer_norm_epsilon
        inner_shape = tuple(input_shape[:-1]) + (self.intra_dim,)
        self.input_dense = keras.layers.Dense(self.intra_dim, kernel_initializer=init, name="input_dense")
        self.input_dense.build(input_shape)
        self.input_norm = _norm(self.norm, eps, "input_norm")
        self.input_norm.build(inner_shape)
        self.attention = keras.layers.MultiHeadAttention(
            self.num_heads, self.intra_dim // self.num_heads, dropout=self.dropout, kernel_initializer=init,
            name="self_attention")
        self.attention.build(inner_shape, inner_shape)
        self.attention_norm = _norm(self.norm, eps, "attention_norm")
        self.attention_norm.build(inner_shape)
        self.ffn_inner, self.ffn_outer, self.ffn_norms = [], [], []
        for k in range(self.num_feedforward):
            inner = keras.layers.Dense(self.intermediate_dim, activation=self.activation, kernel_initializer=init,
                                       name=f"ffn_{k}_intermediate")
            inner.build(inner_shape)
            outer = keras.layers.Dense(self.intra_dim, kernel_initializer=init, name=f"ffn_{k}_output")
            outer.build(tuple(input_shape[:-1]) + (self.intermediate_dim,))
            norm = _norm(self.norm, eps, f"ffn_{k}_norm")
            norm.build(inner_shape)
            self.ffn_inner.append(inner)
            self.ffn_outer.append(outer)
            self.ffn_norms.append(norm)
        self.output_dense = keras.layers.Dense(hidden, kernel_initializer=init, name="output_dense")
        self.output_dense.build(inner_shape)
        self.output_norm = _norm(self.norm, eps, "output_norm")
        self.output_norm.build(input_shape)
        self.dropout_layer = keras.layers.Dropout(self.dropout)

    def call(self, inputs, padding_mask=None, training=None, return_attention_scores=False):
        mask = None
        if padding_mask is not None:
            mask = ops.cast(ops.expand_dims(padding_mask, axis=1), "int32")  # keys only, as keras-hub
        h = self.input_norm(self.input_dense(inputs))
        attended, scores = self.attention(h, h, attention_mask=mask, return_attention_scores=True, training=training)
        h = self.attention_norm(h + self.dropout_layer(attended, training=training))
        for inner, outer, norm in zip(self.ffn_inner, self.ffn_outer, self.ffn_norms):
            h = norm(h + self.dropout_layer(outer(inner(h)), training=training))
        out = self.output_norm(inputs + self.dropout_layer(self.output_dense(h), training=training))
        return (out, scores) if return_attention_scores else out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(intra_dim=self.intra_dim, num_heads=self.num_heads, intermediate_dim=self.intermediate_dim,
                      num_feedforward=self.num_feedforward, norm=self.norm, activation=self.activation,
                      dropout=self.dropout, layer_norm_epsilon=self.layer_norm_epsilon)
        return config
