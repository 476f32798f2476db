"""A small randomly initialised BERT checkpoint in the Hugging Face layout, and a NumPy forward pass to check it.

`write_random_bert` writes `config.json`, `model.safetensors` (via `safetensors.numpy`, no torch) and
`vocab.txt` as `transformers`' `BertModel.save_pretrained` lays them out (linear weights `(out, in)`,
`bert.` prefix, a pooler the encoder does not use). `bert_forward` is an independent NumPy BERT
(post-norm, exact GELU, padded keys masked) on those tensors.
"""

import json
import math
import os

import numpy as np

WORDS = ("the", "a", "film", "movie", "good", "bad", "great", "awful", "is", "was", "not", "very", "fun", "dull",
         "story", "acting", "and", "but", "i", "loved", "hated", "it", ".", ",", "!", "##s", "##ly", "##ed")


def write_random_bert(directory, hidden=24, layers=3, heads=3, intermediate=40, max_positions=32, seed=0,
                      scale=0.3):
    """Writes a random BERT checkpoint; returns the dict of tensors written."""
    os.makedirs(directory, exist_ok=True)
    from safetensors.numpy import save_file

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]
    rng = np.random.default_rng(seed)

    def rand(*shape):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    t = {
        "bert.embeddings.word_embeddings.weight": rand(len(vocab), hidden),
        "bert.embeddings.position_embeddings.weight": rand(max_positions, hidden),
        "bert.embeddings.token_type_embeddings.weight": rand(2, hidden),
        "bert.embeddings.LayerNorm.weight": 1 + rand(hidden), "bert.embeddings.LayerNorm.bias": rand(hidden),
        "bert.pooler.dense.weight": rand(hidden, hidden), "bert.pooler.dense.bias": rand(hidden),
    }
    for i in range(layers):
        p = f"bert.encoder.layer.{i}."
        for name in ("query", "key", "value"):
            t[p + f"attention.self.{name}.weight"], t[p + f"attention.self.{name}.bias"] = rand(hidden, hidden), rand(hidden)
        t[p + "attention.output.dense.weight"], t[p + "attention.output.dense.bias"] = rand(hidden, hidden), rand(hidden)
        t[p + "attention.output.LayerNorm.weight"], t[p + "attention.output.LayerNorm.bias"] = 1 + rand(hidden), rand(hidden)
        t[p + "intermediate.dense.weight"], t[p + "intermediate.dense.bias"] = rand(intermediate, hidden), rand(intermediate)
        t[p + "output.dense.weight"], t[p + "output.dense.bias"] = rand(hidden, intermediate), rand(hidden)
        t[p + "output.LayerNorm.weight"], t[p + "output.LayerNorm.bias"] = 1 + rand(hidden), rand(hidden)
    save_file(t, os.path.join(directory, "model.safetensors"))
    config = {"architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu", "hidden_size": hidden,
              "num_hidden_layers": layers, "num_attention_heads": heads, "intermediate_size": intermediate,
              "max_position_embeddings": max_positions, "type_vocab_size": 2, "vocab_size": len(vocab),
              "layer_norm_eps": 1e-12, "position_embedding_type": "absolute"}
    with open(os.path.join(directory, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f)
    with open(os.path.join(directory, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    return t


def bert_forward(t, ids, heads):
    """Token vectors `[n, length, hidden]` of the checkpoint `t` for int ids `[n, length]` (0 = padding)."""
    erf = np.vectorize(math.erf)

    def norm(x, prefix):
        mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-12) * t[prefix + ".weight"] + t[prefix + ".bias"]

    def linear(x, prefix):
        return x @ t[prefix + ".weight"].T + t[prefix + ".bias"]

    n, length = ids.shape
    e = "bert.embeddings."
    x = t[e + "word_embeddings.weight"][ids] + t[e + "position_embeddings.weight"][:length] + t[e + "token_type_embeddings.weight"][0]
    x = norm(x, e + "LayerNorm")
    hidden = x.shape[-1]
    d = hidden // heads
    masked = (ids == 0)[:, None, None, :]
    i = 0
    while f"bert.encoder.layer.{i}.attention.self.query.weight" in t:
        p = f"bert.encoder.layer.{i}."

        def split(y):
            return y.reshape(n, length, heads, d).transpose(0, 2, 1, 3)

        q, k, v = (split(linear(x, p + f"attention.self.{name}")) for name in ("query", "key", "value"))
        scores = np.where(masked, -1e9, q @ k.transpose(0, 1, 3, 2) / math.sqrt(d))
        probs = np.exp(scores - scores.max(-1, keepdims=True))
        probs /= probs.sum(-1, keepdims=True)
        attended = (probs @ v).transpose(0, 2, 1, 3).reshape(n, length, hidden)
        x = norm(x + linear(attended, p + "attention.output.dense"), p + "attention.output.LayerNorm")
        h = linear(x, p + "intermediate.dense")
        h = 0.5 * h * (1 + erf(h / math.sqrt(2)))
        x = norm(x + linear(h, p + "output.dense"), p + "output.LayerNorm")
        i += 1
    return x
