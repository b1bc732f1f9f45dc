"""Seeded vacancies by systematic sampling: each person keeps their chance, a role's count is its expectation rounded."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim.model.notice import systematic_draw


@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=40), st.floats(0.0, 0.999999))
def test_the_count_is_the_expected_count_rounded_down_or_up(probs, u):
    drawn = systematic_draw(np.array(probs), u)
    total = float(np.sum(probs))
    assert np.floor(total) - 1e-9 <= drawn.sum() <= np.ceil(total) + 1e-9


def test_each_item_is_drawn_with_its_own_probability():
    probs = np.array([0.05, 0.3, 0.0, 0.12, 0.5, 0.03, 0.9])
    grid = (np.arange(20_000) + 0.5) / 20_000  # the offset's distribution, uniform on [0, 1)
    share = np.mean([systematic_draw(probs, u) for u in grid], axis=0)
    assert np.allclose(share, probs, atol=1e-3)
