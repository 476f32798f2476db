"""`Sampler`: keras-hub's sampling rules in NumPy, so TFLite language models are sampled without TensorFlow.

For each strategy the tokens it can draw, and their probabilities, equal those keras-hub's
samplers draw from (their filtered, renormalised distribution); the draws themselves are
seeded NumPy, repeatable, and follow those probabilities.
"""

import numpy as np
import pytest
from keras import ops
from keras_hub import samplers

from keras_slm.inference.generation import Sampler, make_sampler

LOGITS = np.array([[2.0, -1.0, 0.5, 3.0, 0.0, 1.5, -2.0, 2.5]], np.float32)


def _keras_hub_distribution(strategy, temperature=1.0, k=None, p=None):
    """keras-hub's candidate distribution over the vocabulary (zeros outside its candidates)."""
    sampler = {"greedy": lambda: samplers.GreedySampler(), "temperature": lambda: samplers.RandomSampler(temperature=temperature),
               "top_k": lambda: samplers.TopKSampler(k=k, temperature=temperature),
               "top_p": lambda: samplers.TopPSampler(p=p, temperature=temperature)}[strategy]()
    probs = np.asarray(ops.convert_to_numpy(sampler.compute_probabilities(LOGITS)), np.float64)[0]
    if strategy == "greedy":
        return np.eye(len(probs))[probs.argmax()]
    order = np.argsort(-probs)
    if strategy == "top_k":
        keep = order[:k]
    elif strategy == "top_p":  # keras-hub: cumulative <= p, shifted by one so the crossing token stays
        cumulative = np.cumsum(probs[order])
        keep = order[np.concatenate([[True], cumulative[:-1] <= p])]
    else:
        keep = order
    out = np.zeros_like(probs)
    out[keep] = probs[keep] / probs[keep].sum()
    return out


@pytest.mark.parametrize("strategy,temperature,k,p", [
    ("greedy", 1.0, None, None), ("temperature", 0.7, None, None), ("top_k", 1.0, 3, None), ("top_k", 1.5, 1, None),
    ("top_p", 1.0, None, 0.5), ("top_p", 0.8, None, 0.95),
])
def test_candidates_and_probabilities_equal_keras_hub(strategy, temperature, k, p):
    sampler = Sampler(strategy, temperature=temperature, k=k, p=p, seed=0)
    hub_probs = np.asarray(ops.convert_to_numpy(samplers.RandomSampler(temperature=temperature)
                                                .compute_probabilities(LOGITS)), np.float64)
    ours = sampler.compute_probabilities(LOGITS)
    np.testing.assert_allclose(ours, hub_probs, atol=1e-6)
    ids, weights = sampler.candidates(ours)
    dense = np.zeros(LOGITS.shape[1])
    dense[ids] = weights
    np.testing.assert_allclose(dense, _keras_hub_distribution(strategy, temperature, k, p), atol=1e-6)


def test_draws_are_seeded_and_follow_the_candidates():
    probabilities = Sampler("top_k", k=3).compute_probabilities(LOGITS)
    draw = lambda seed: [int(make_sampler("top_k", top_k=3, seed=seed).get_next_token(probabilities)[0]) for _ in range(1)]
    assert draw(5) == draw(5)
    sampler = make_sampler("top_k", top_k=3, seed=1)
    tokens = [int(sampler.get_next_token(probabilities)[0]) for _ in range(3000)]
    ids, weights = sampler.candidates(probabilities)
    assert set(tokens) == set(ids.tolist())  # only the top 3, each of them drawn
    frequencies = np.array([tokens.count(int(i)) for i in ids]) / len(tokens)
    np.testing.assert_allclose(frequencies, weights, atol=0.03)


def test_invalid_options_are_refused():
    for kwargs in ({"strategy": "beam"}, {"temperature": 0}, {"strategy": "top_k", "top_k": 0},
                   {"strategy": "top_p", "top_p": 1.5}):
        with pytest.raises(ValueError):
            make_sampler(**kwargs)
    assert make_sampler("top_k", top_k=40, vocab_size=5).k == 5  # capped by the vocabulary
