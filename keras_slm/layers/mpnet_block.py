"""`MPNetBlock`: a post-norm transformer block whose attention scores take an additive bias."""

import keras


@keras.saving.register_keras_serializable(package="keras_slm")
class MPNetBlock(keras.layers.Layer):
    """Self-attention plus a bias `[1, heads, length, length]`, then a GELU feed-forward; post-norm.

    The layout of MPNet (Song et al., 2020) and of BERT, except that every layer adds the same
    relative-position bias (`RelativePositionBias`) to its attention scores, which keras-hub's
    `TransformerEncoder` cannot take. Sub-layer names are keras-hub's (`query`, `key`, `value`,
    `attention_output`, `feedforward_intermediate_dense`, `feedforward_output_dense`), so LoRA
    (`keras_slm.training.peft`) finds the same targets; each maps to one checkpoint tensor. Converts to builtin TFLite ops.

    Args:
        num_heads: attention heads (`hidden_dim` must be divisible by it).
        intermediate_dim: feed-forward inner size.
        dropout: dropout on attention probabilities and on both residual branches.
        layer_norm_epsilon: LayerNorm epsilon (MPNet: 1e-5).
        **kwargs: standard layer arguments.

    Call args: `x` `[batch, length, hidden]`, `padding_mask` `[batch, length]` (1 on real tokens),
    `position_bias` `[1, heads, length, length]`.

    Example:
    >>> import numpy as np
    >>> x = np.zeros((1, 4, 8), "float32")
    >>> block = MPNetBlock(num_heads=2, intermediate_dim=16)
    >>> block(x, np.ones((1, 4), "int32"), np.zeros((1, 2, 4, 4), "float32")).shape
    TensorShape([1, 4, 8])
    """

    def __init__(self, num_heads, intermediate_dim, dropout=0.1, layer_norm_epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.num_heads, self.intermediate_dim = num_heads, intermediate_dim
        self.dropout, self.layer_norm_epsilon = dropout, layer_norm_epsilon

    def build(self, input_shape):
        hidden = input_shape[-1]
        if hidden % self.num_heads:
            raise ValueError(f"hidden size {hidden} must be divisible by `num_heads` ({self.num_heads}).")
        init = keras.initializers.TruncatedNormal(stddev=0.02)

        def dense(units, name, activation=None):
            layer = keras.layers.Dense(units, activation=activation, kernel_initializer=init, name=name)
            layer.build((None, None, self.intermediate_dim if name == "feedforward_output_dense" else hidden))
            return layer

        self.query, self.key, self.value, self.attention_output = (
            dense(hidden, name) for name in ("query", "key", "value", "attention_output"))
        self.intermediate = dense(self.intermediate_dim, "feedforward_intermediate_dense", keras.activations.gelu)
        self.output_dense = dense(hidden, "feedforward_output_dense")
        self.attention_layer_norm = keras.layers.LayerNormalization(epsilon=self.layer_norm_epsilon,
                                                                    name="attention_layer_norm")
        self.output_layer_norm = keras.layers.LayerNormalization(epsilon=self.layer_norm_epsilon, name="output_layer_norm")
        self.attention_layer_norm.build(input_shape)
        self.output_layer_norm.build(input_shape)
        self.drop = keras.layers.Dropout(self.dropout)

    def _heads(self, x, batch, length, head_dim):
        return keras.ops.transpose(keras.ops.reshape(x, (batch, length, self.num_heads, head_dim)), (0, 2, 1, 3))

    def call(self, x, padding_mask, position_bias, training=None):
        ops = keras.ops
        batch, length, hidden = ops.shape(x)[0], ops.shape(x)[1], x.shape[-1]
        head_dim = hidden // self.num_heads
        q, k, v = (self._heads(dense(x), batch, length, head_dim) for dense in (self.query, self.key, self.value))
        scores = ops.matmul(q, ops.transpose(k, (0, 1, 3, 2))) / (head_dim ** 0.5) + position_bias
        keep = ops.cast(padding_mask, scores.dtype)[:, None, None, :]
        scores = scores + (1.0 - keep) * -1e9
        probs = self.drop(ops.softmax(scores, axis=-1), training=training)
        context = ops.reshape(ops.transpose(ops.matmul(probs, v), (0, 2, 1, 3)), (batch, length, hidden))
        x = self.attention_layer_norm(x + self.drop(self.attention_output(context), training=training))
        ff = self.output_dense(self.intermediate(x))
        return self.output_layer_norm(x + self.drop(ff, training=training))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(num_heads=self.num_heads, intermediate_dim=self.intermediate_dim, dropout=self.dropout,
                      layer_norm_epsilon=self.layer_norm_epsilon)
        return config
