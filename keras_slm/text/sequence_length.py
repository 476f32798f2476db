"""A sequence length chosen from the training texts' token counts."""

import math

PERCENTILE = 95
MULTIPLE = 8
MIN_LEN, MAX_LEN = 16, 256


def choose_seq_len(token_counts, percentile=PERCENTILE, multiple=MULTIPLE, minimum=MIN_LEN, maximum=MAX_LEN):
    """The `percentile`-th token count + 1 (`<START>`), rounded up to `multiple`, within [minimum, maximum].

    A fixed 64 cuts most Chinese reviews (ChnSentiCorp-style: median 76 characters, 90th
    percentile 189) while padding short English sentences; this follows the data instead.

    Args:
        token_counts: tokens per training text.
        percentile: share of texts that should fit whole (default 95).
        multiple / minimum / maximum: rounding and bounds (default 8, 16, 256).

    Returns:
        (seq_len, note): the length and one line saying how it was chosen and what it cuts.

    Example:
    >>> choose_seq_len([5] * 90 + [40] * 10)
    (48, 'seq_len 48: the 95th percentile of 100 training texts is 40 tokens (+1 for <START>, rounded up to a multiple of 8, within 16-256); 0.0% of them are cut')
    """
    counts = sorted(int(c) for c in token_counts)
    if not counts:
        raise ValueError("`token_counts` is empty: no training texts to measure.")
    rank = max(0, math.ceil(percentile / 100 * len(counts)) - 1)
    at_percentile = counts[rank]
    seq_len = min(maximum, max(minimum, -(-(at_percentile + 1) // multiple) * multiple))
    cut = sum(1 for c in counts if c + 1 > seq_len) / len(counts)
    note = (f"seq_len {seq_len}: the {percentile}th percentile of {len(counts):,} training texts is {at_percentile} "
            f"tokens (+1 for <START>, rounded up to a multiple of {multiple}, within {minimum}-{maximum}); "
            f"{cut:.1%} of them are cut")
    return seq_len, note
