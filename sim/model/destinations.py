"""Where unmet demand goes: each lost request ends in exactly one destination (A&E, NHS 111 ...).

The destination of a request is drawn from its own uniform on the ``unmet_destination`` stream (one
per request, drawn for every request so that a request's draw never depends on which others were
lost: common random numbers across scenarios), by inverse CDF of its shares (urgent or routine, its
need type's own shares where configured). A new named stream leaves every other stream's draws
unchanged, so booking and every existing outcome are the same with or without destinations.

Destinations are settled when the run finishes, on each request's final state: an urgent request
lost at booking may still be seen the same day in a hub's walk-in queue (sim.model.hubs), so "lost"
is only final at the end. :func:`assign_destinations` is the reusable step for any array of unmet
requests (the telephone front door's abandoned calls, for instance).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.config.destinations import DESTINATIONS, DestinationShares, UnmetDestinations
from sim.model.states import GAVE_UP, LOST

if TYPE_CHECKING:
    from sim.model.model import GPSimModel

NO_DESTINATION = -1  # a request that was met (seen, did not attend, or still waiting)
STREAM = "unmet_destination"


def _row(shares: dict[str, float]) -> np.ndarray:
    """Shares in DESTINATIONS order (missing = 0)."""
    return np.array([shares.get(d, 0.0) for d in DESTINATIONS], dtype=np.float64)


def share_table(cfg: UnmetDestinations, need_names: list[str]) -> np.ndarray:
    """Shares by (need, urgency: 0 routine / 1 urgent, destination): shape (needs, 2, destinations)."""
    table = np.empty((max(len(need_names), 1), 2, len(DESTINATIONS)))
    for k in range(table.shape[0]):
        own: DestinationShares = cfg.by_need.get(need_names[k], cfg) if need_names else cfg
        table[k, 0], table[k, 1] = _row(own.routine), _row(own.urgent)
    return table


def assign_destinations(u: np.ndarray, urgent: np.ndarray, table: np.ndarray,
                        need: np.ndarray | None = None) -> np.ndarray:
    """Destination code (index into DESTINATIONS) of each unmet request from its uniform ``u`` in [0, 1).

    ``table`` is :func:`share_table`'s (needs, 2, destinations) array, or a (2, destinations) one used
    for every need; ``urgent`` picks the row. Exactly one destination per request, by inverse CDF.
    """
    u = np.asarray(u, dtype=np.float64)
    table = np.asarray(table, dtype=np.float64)
    if table.ndim == 2:
        table = table[None]
    cum = np.cumsum(table / table.sum(axis=-1, keepdims=True), axis=-1)
    cum[..., -1] = 1.0  # rounding never leaves a draw without a destination
    k = np.zeros(u.size, dtype=np.int64) if need is None else np.asarray(need, dtype=np.int64)
    rows = cum[k, np.asarray(urgent, dtype=bool).astype(np.int64)]
    return (u[:, None] >= rows).sum(axis=1).astype(np.int8)


def record_destinations(model: GPSimModel) -> np.ndarray:
    """Give every request unmet at the end of the run its destination (others NO_DESTINATION).

    Unmet: lost at booking, or gave up at the front door (never got through: GAVE_UP).
    """
    R = model.requests
    u = model.streams.get(STREAM).random(R.size)  # one per request, lost or not (common random numbers)
    lost = np.flatnonzero(np.isin(model.state[:R.size], (LOST, GAVE_UP)))
    dest = np.full(R.size, NO_DESTINATION, dtype=np.int8)
    table = share_table(model.scenario.demand.unmet_destinations, model.need_names)
    dest[lost] = assign_destinations(u[lost], R.urgent[lost], table, R.need[lost])
    return dest
