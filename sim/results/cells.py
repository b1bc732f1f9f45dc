"""Compiled per-row counting for the run summaries: one pass over the ledger's rows, no masks or copies.

The summaries count ledger rows into small (cell x code) tables. ``np.bincount`` on selected rows
needs a boolean selection, a copy and an integer key per table; these loops read each row once. They
add rows in row order, as ``np.bincount`` does, so every sum is the same to the last bit.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["code_counts", "equity_counts", "row_sums"]


@njit(cache=True)
def code_counts(cell, codes, k, n_cells):  # pragma: no cover - compiled
    """Rows per cell and code (``n_cells`` x ``k``, int64); a row with a negative cell or code counts nowhere."""
    out = np.zeros((n_cells, k), np.int64)
    for i in range(cell.size):
        c = cell[i]
        j = codes[i]
        if c >= 0 and j >= 0:
            out[c, j] += 1
    return out


@njit(cache=True)
def row_sums(cell, weights, n_cells):  # pragma: no cover - compiled
    """Sum of ``weights`` per cell (float64, rows added in order); a row with a negative cell counts nowhere."""
    out = np.zeros(n_cells)
    for i in range(cell.size):
        c = cell[i]
        if c >= 0:
            out[c] += weights[i]
    return out


@njit(cache=True)
def equity_counts(practice, patient, group_of, request, lost, appt, wait, n_practices,
                  n_groups):  # pragma: no cover - compiled
    """Requests, lost, appointments and their wait days per (practice, group), each ``n_practices`` x ``n_groups``.

    A row's group is its patient's (``group_of[patient]``: age band ...); rows with a negative
    practice or group count nowhere. Float64 counts, wait days added in row order.
    """
    out = np.zeros((4, n_practices, n_groups))
    for i in range(practice.size):
        p = practice[i]
        g = group_of[patient[i]]
        if p < 0 or g < 0:
            continue
        if request[i]:
            out[0, p, g] += 1.0
        if lost[i]:
            out[1, p, g] += 1.0
        if appt[i]:
            out[2, p, g] += 1.0
            out[3, p, g] += wait[i]
    return out
