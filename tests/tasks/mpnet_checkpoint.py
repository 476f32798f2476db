"""A small random MPNet checkpoint in the Hugging Face layout, and an independent NumPy MPNet forward pass.

`write_random_mpnet` lays files out as `transformers`' `MPNetModel.save_pretrained` does (linear weights
`(out, in)`, `<s> <pad> </s> <unk>` first in the vocabulary with `<pad>` = 1, positions numbered from
padding_idx + 1, one `relative_attention_bias` shared by all layers). `mpnet_forward` follows
`modeling_mpnet.py` with Python loops for the buckets, in the checkpoint's own token ids.
"""

import json
import math
import os

import numpy as np

from tests.tasks.bert_checkpoint import WORDS

VOCAB = ["<s>", "<pad>", "</s>", "<unk>", "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS, "<mask>"]


def write_random_mpnet(directory, hidden=24, layers=2, heads=3, intermediate=40, max_positions=40, buckets=32,
                       seed=0, scale=0.3):
    """Writes a random MPNet checkpoint; returns the dict of tensors written."""
    from safetensors.numpy import save_file

    os.makedirs(directory, exist_ok=True)
    rng = np.random.default_rng(seed)

    def rand(*shape):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    t = {
        "embeddings.word_embeddings.weight": rand(len(VOCAB), hidden),
        "embeddings.position_embeddings.weight": rand(max_positions, hidden),
        "embeddings.LayerNorm.weight": 1 + rand(hidden), "embeddings.LayerNorm.bias": rand(hidden),
        "encoder.relative_attention_bias.weight": 3 * rand(buckets, heads),
        "pooler.dense.weight": rand(hidden, hidden), "pooler.dense.bias": rand(hidden),
    }
    for i in range(layers):
        p = f"encoder.layer.{i}."
        for name in ("q", "k", "v", "o"):
            t[p + f"attention.attn.{name}.weight"], t[p + f"attention.attn.{name}.bias"] = rand(hidden, hidden), rand(hidden)
        t[p + "attention.LayerNorm.weight"], t[p + "attention.LayerNorm.bias"] = 1 + rand(hidden), rand(hidden)
        t[p + "intermediate.dense.weight"], t[p + "intermediate.dense.bias"] = rand(intermediate, hidden), rand(intermediate)
        t[p + "output.dense.weight"], t[p + "output.dense.bias"] = rand(hidden, intermediate), rand(hidden)
        t[p + "output.LayerNorm.weight"], t[p + "output.LayerNorm.bias"] = 1 + rand(hidden), rand(hidden)
    save_file(t, os.path.join(directory, "model.safetensors"))
    config = {"architectures": ["MPNetForMaskedLM"], "model_type": "mpnet", "hidden_act": "gelu",
              "hidden_size": hidden, "num_hidden_layers": layers, "num_attention_heads": heads,
              "intermediate_size": intermediate, "max_position_embeddings": max_positions,
              "relative_attention_num_buckets": buckets, "vocab_size": len(VOCAB), "layer_norm_eps": 1e-5,
              "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2}
    with open(os.path.join(directory, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f)
    with open(os.path.join(directory, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(VOCAB) + "\n")
    return t


def bucket(relative, num_buckets=32, max_distance=128):
    """modeling_mpnet.relative_position_bucket for one (key - query) distance."""
    n = -relative
    num_buckets //= 2
    ret = num_buckets if n < 0 else 0
    n = abs(n)
    exact = num_buckets // 2
    if n < exact:
        return ret + n
    large = exact + int(math.log(n / exact) / math.log(max_distance / exact) * (num_buckets - exact))
    return ret + min(large, num_buckets - 1)


def mpnet_forward(t, ids, heads):
    """Token vectors `[n, length, hidden]` for checkpoint ids `[n, length]` (`<pad>` = 1)."""
    erf = np.vectorize(math.erf)

    def norm(x, prefix):
        mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-5) * t[prefix + ".weight"] + t[prefix + ".bias"]

    def linear(x, prefix):
        return x @ t[prefix + ".weight"].T + t[prefix + ".bias"]

    n, length = ids.shape
    real = ids != 1
    positions = np.cumsum(real, axis=1) * real + 1
    x = t["embeddings.word_embeddings.weight"][ids] + t["embeddings.position_embeddings.weight"][positions]
    x = norm(x, "embeddings.LayerNorm")
    buckets = np.array([[bucket(k - q) for k in range(length)] for q in range(length)])
    bias = t["encoder.relative_attention_bias.weight"][buckets].transpose(2, 0, 1)[None]
    hidden = x.shape[-1]
    d = hidden // heads
    i = 0
    while f"encoder.layer.{i}.attention.attn.q.weight" in t:
        p = f"encoder.layer.{i}."

        def split(y):
            return y.reshape(n, length, heads, d).transpose(0, 2, 1, 3)

        q, k, v = (split(linear(x, p + f"attention.attn.{name}")) for name in ("q", "k", "v"))
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(d) + bias
        scores = np.where(real[:, None, None, :], scores, -1e9)
        probs = np.exp(scores - scores.max(-1, keepdims=True))
        probs /= probs.sum(-1, keepdims=True)
        attended = (probs @ v).transpose(0, 2, 1, 3).reshape(n, length, hidden)
        x = norm(x + linear(attended, p + "attention.attn.o"), p + "attention.LayerNorm")
        h = linear(x, p + "intermediate.dense")
        h = 0.5 * h * (1 + erf(h / math.sqrt(2)))
        x = norm(x + linear(h, p + "output.dense"), p + "output.LayerNorm")
        i += 1
    return x
