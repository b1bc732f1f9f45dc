"""Row-appendable arrays (sim.model.growable) give exactly what np.vstack / np.append give."""

from __future__ import annotations

import numpy as np

from sim.model.growable import append_items, append_rows


def test_append_rows_matches_vstack_over_many_joins() -> None:
    """Appending one or several rows at a time equals vstack, whether or not a reallocation happens."""
    rng = np.random.default_rng(1)
    grown = np.zeros((0, 7))
    plain = np.zeros((0, 7))
    for step in range(60):
        rows = rng.random((1 + step % 3, 7))
        grown = append_rows(grown, rows)
        plain = np.vstack([plain, rows])
        grown[-1, 0] += 1.0  # writes go into the array in use, as they would on vstack's copy
        plain[-1, 0] += 1.0
        np.testing.assert_array_equal(grown, plain)
        assert grown.flags.c_contiguous and grown.dtype == plain.dtype


def test_append_rows_reuses_spare_rows() -> None:
    """After one reallocation, later joins write into the spare rows instead of copying (same buffer)."""
    a = append_rows(np.zeros((40, 5), dtype=np.int32), np.ones((1, 5), dtype=np.int32))
    b = append_rows(a, np.full((1, 5), 2, dtype=np.int32))
    assert b.base is a.base and b.shape == (42, 5)
    assert (b[40] == 1).all() and (b[41] == 2).all() and (b[:40] == 0).all()


def test_append_items_matches_np_append() -> None:
    """One-dimensional appends keep the dtype and the values of np.append."""
    a = np.full(3, -1, dtype=np.int32)
    out = append_items(append_items(a, [4, 5]), [6])
    np.testing.assert_array_equal(out, np.array([-1, -1, -1, 4, 5, 6], dtype=np.int32))
    assert out.dtype == np.int32
