"""choose_seq_len follows the data's length distribution (issue 19.13)."""

import pytest

from keras_slm.text.sequence_length import choose_seq_len


def test_percentile_rounding_and_bounds():
    assert choose_seq_len([5] * 90 + [40] * 10)[0] == 48  # 95th percentile 40, +1, up to a multiple of 8
    assert choose_seq_len([3] * 100)[0] == 16  # at least 16
    seq_len, note = choose_seq_len([76] * 50 + [189] * 40 + [400] * 10)  # long Chinese reviews: capped
    assert seq_len == 256 and "10.0% of them are cut" in note
    assert choose_seq_len(range(1, 101), percentile=50)[0] == 56  # 50 + 1 -> 56
    with pytest.raises(ValueError, match="empty"):
        choose_seq_len([])
