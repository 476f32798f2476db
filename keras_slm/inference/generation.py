"""Decoding loops shared by Keras and TFLite language models: sampling and next-word suggestions.

A *decoder* is any object with `reset(prompt_ids) -> logits`, `step(token) -> logits`,
`snapshot()` and `restore(snapshot)`; `StepDecoder` (recurrent state, LSTM) and
`WindowDecoder` (fixed window, transformer) wrap a Keras model or a .tflite file alike,
so both backends run the very same sampling code. Token choice follows keras-hub's samplers
(`GreedySampler`, `RandomSampler`, `TopKSampler`, `TopPSampler`) in NumPy (`Sampler`), created
fresh for every call so a seed gives the same text every time, in process or served without
TensorFlow.
"""

import math

import numpy as np

STRATEGIES = ("greedy", "temperature", "top_k", "top_p")
_BLOCKED = -1e9


def make_sampler(strategy="greedy", temperature=1.0, top_k=40, top_p=0.9, seed=None, vocab_size=None):
    """A `Sampler` for `strategy` ("greedy", "temperature", "top_k", "top_p").

    `vocab_size` caps `top_k` (a character model may have fewer tokens than k).
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"`strategy` must be one of {STRATEGIES}, received {strategy!r}.")
    if temperature <= 0:
        raise ValueError(f"`temperature` must be > 0, received {temperature}.")
    if strategy == "top_k" and top_k < 1:
        raise ValueError(f"`top_k` must be >= 1, received {top_k}.")
    if strategy == "top_p" and not 0 < top_p <= 1:
        raise ValueError(f"`top_p` must be in (0, 1], received {top_p}.")
    k = int(min(top_k, vocab_size or top_k)) if strategy == "top_k" else None
    return Sampler(strategy, temperature=temperature, k=k, p=float(top_p) if strategy == "top_p" else None, seed=seed)


class Sampler:
    """Chooses the next token from logits: keras-hub's samplers' rules, in NumPy.

    Same interface and the same candidate sets and probabilities as keras-hub's
    `GreedySampler`, `RandomSampler`, `TopKSampler` and `TopPSampler` (compared in
    tests/inference/test_generation.py), without Keras: a TFLite language model is served
    and sampled with no TensorFlow in the process. The random draws come from NumPy's
    generator seeded with `seed`, so a seed gives the same text in process and served.

    Args:
        strategy: "greedy", "temperature", "top_k" or "top_p".
        temperature: softmax temperature.
        k: candidates kept by "top_k" (the k most probable tokens).
        p: "top_p" keeps the most probable tokens until their total reaches p (the
            token that crosses p included).
        seed: random seed (None: unseeded).

    Example:
    >>> sampler = Sampler("top_k", k=2, seed=0)
    >>> probabilities = sampler.compute_probabilities(np.array([[0.0, 5.0, 4.0, -3.0]]))
    >>> int(sampler.get_next_token(probabilities)[0]) in (1, 2)
    True
    """

    def __init__(self, strategy="greedy", temperature=1.0, k=None, p=None, seed=None):
        self.strategy, self.temperature, self.k, self.p = strategy, float(temperature), k, p
        self.rng = np.random.default_rng(seed)

    def compute_probabilities(self, logits):
        """Softmax of `logits / temperature` over the last axis (float64 for a stable sum)."""
        logits = np.asarray(logits, np.float64) / self.temperature
        logits = logits - logits.max(axis=-1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=-1, keepdims=True)

    def candidates(self, probabilities):
        """(token ids, their renormalised probabilities) this sampler draws from, for one row."""
        row = np.asarray(probabilities, np.float64).reshape(-1)
        if self.strategy == "greedy":
            return np.array([int(row.argmax())]), np.array([1.0])
        order = np.argsort(-row, kind="stable")
        if self.strategy == "top_k":
            ids = order[: self.k]
        elif self.strategy == "top_p":
            cumulative = np.cumsum(row[order])
            keep = np.concatenate([[True], cumulative[:-1] <= self.p])
            ids = order[keep]
        else:
            ids = order
        weights = row[ids]
        return ids, weights / weights.sum()

    def get_next_token(self, probabilities):
        """One token id per row of `probabilities` `[n, vocab]`."""
        out = []
        for row in np.atleast_2d(probabilities):
            ids, weights = self.candidates(row)
            out.append(int(ids[0]) if len(ids) == 1 else int(self.rng.choice(ids, p=weights)))
        return np.array(out, np.int32)


class StepDecoder:
    """Decoding with a recurrent step: `step_fn(token, state) -> (logits [V], state)`."""

    def __init__(self, step_fn, zero_state):
        self.step_fn = step_fn
        self.zero_state = zero_state
        self.state = None

    def reset(self, prompt_ids):
        self.state = [np.array(s) for s in self.zero_state]
        logits = None
        for token in prompt_ids:
            logits = self.step(token)
        return logits

    def step(self, token):
        logits, self.state = self.step_fn(int(token), self.state)
        return np.asarray(logits, np.float32).reshape(-1)

    def snapshot(self):
        return list(self.state)

    def restore(self, snapshot):
        self.state = list(snapshot)


class WindowDecoder:
    """Decoding with a fixed window: `window_fn(ids [1, W]) -> logits [1, W, V]`.

    The last `window` ids are fed left-aligned and padded with 0 on the right (the causal
    mask keeps padding out of earlier positions); the logits at the last real position
    predict the next token.
    """

    def __init__(self, window_fn, window):
        self.window_fn = window_fn
        self.window = int(window)
        self.ids = []

    def _logits(self):
        ids = self.ids[-self.window:]
        row = np.zeros((1, self.window), np.int32)
        row[0, : len(ids)] = ids
        return np.asarray(self.window_fn(row), np.float32)[0, len(ids) - 1]

    def reset(self, prompt_ids):
        self.ids = [int(t) for t in prompt_ids]
        return self._logits()

    def step(self, token):
        self.ids.append(int(token))
        return self._logits()

    def snapshot(self):
        return list(self.ids)

    def restore(self, snapshot):
        self.ids = list(snapshot)


def _mask(logits, blocked):
    logits = np.array(logits, np.float32)
    logits[list(blocked)] = _BLOCKED
    return logits


def generate_ids(decoder, prompt_ids, max_tokens, sampler=None, blocked_ids=(), stop_ids=()):
    """Ids that continue `prompt_ids` (at most `max_tokens`; stops after a stop id).

    Args:
        decoder: a `StepDecoder` or `WindowDecoder`.
        prompt_ids: the ids to start from (at least one).
        max_tokens: how many tokens to generate at most.
        sampler: a `Sampler` (default greedy); see `make_sampler`.
        blocked_ids: ids never generated (padding, unknown).
        stop_ids: ids that end generation (kept in the output).
    """
    if not len(prompt_ids):
        raise ValueError("`prompt_ids` must hold at least one id.")
    sampler = sampler or make_sampler("greedy")
    logits = decoder.reset(prompt_ids)
    out = []
    for _ in range(int(max_tokens)):
        probabilities = sampler.compute_probabilities(_mask(logits, blocked_ids)[None, :])
        token = int(np.asarray(sampler.get_next_token(probabilities)).reshape(-1)[0])
        out.append(token)
        if token in stop_ids or len(out) == max_tokens:
            break
        logits = decoder.step(token)
    return out


def _log_softmax(logits):
    logits = logits - logits.max()
    return logits - math.log(float(np.exp(logits).sum()))


def complete_word(decoder, prompt_ids, continues_word, k=3, blocked_ids=(), max_steps=16):
    """Top-`k` ways to finish the current word: beam search until a word boundary.

    Args:
        decoder: a `StepDecoder` or `WindowDecoder`.
        prompt_ids: the context, including the typed part of the current word.
        continues_word: `fn(token_id) -> bool`, True for tokens inside a word.
        k: suggestions (and beam width).
        blocked_ids: ids never proposed.
        max_steps: longest completion in tokens.

    Returns:
        [(completion ids, probability)], most probable first.
    """
    logits = decoder.reset(prompt_ids)
    beams = [((), 0.0, decoder.snapshot(), logits)]
    done = []
    for _ in range(max_steps):
        candidates = []
        for ids, score, snap, logits in beams:
            logp = _log_softmax(_mask(logits, blocked_ids))
            inside = np.array([continues_word(t) for t in range(len(logp))])
            if ids:  # ending here: the probability that a boundary token comes next
                p_end = float(np.exp(logp[~inside]).sum())
                if p_end > 0:
                    done.append((ids, score + math.log(p_end)))
            for token in np.argsort(-np.where(inside, logp, -np.inf))[:k]:
                if inside[token] and np.isfinite(logp[token]):
                    candidates.append((ids + (int(token),), score + float(logp[token]), snap))
        candidates.sort(key=lambda c: -c[1])
        beams = []
        for ids, score, snap in candidates[:k]:
            if done and len(done) >= k and score < sorted(s for _, s in done)[-k]:
                continue  # cannot beat the k-th finished word any more
            decoder.restore(snap)
            logits = decoder.step(ids[-1])
            beams.append((ids, score, decoder.snapshot(), logits))
        if not beams:
            break
    done.sort(key=lambda d: -d[1])
    return [(list(ids), math.exp(score)) for ids, score in done[:k]]
