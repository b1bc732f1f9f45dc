"""The dashboard's front-door panel: each side's time to answer, calls abandoned and first-attempt share.

Drawn only when the scenario has a ``front_door:`` block (the snapshots carry
:class:`sim.dashboard.front_door_numbers.FrontDoorNumbers`); each number is the mean over replications
with its 95% interval, as the headlines are.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.dashboard.bands import NON_NEGATIVE, PERCENT, Band, Bounds, band
from sim.dashboard.controller import View


@dataclass(frozen=True)
class PanelRow:
    """One measure of the panel: label, unit, decimals, and each side's band."""

    attr: str
    label: str
    unit: str
    decimals: int
    bands: dict[str, Band]


# (attribute of FrontDoorNumbers, label, unit, decimals, bounds)
ROWS: tuple[tuple[str, str, str, int, Bounds], ...] = (
    ("time_to_answer_minutes", "Time to answer a call", "minutes (answered calls)", 1, NON_NEGATIVE),
    ("calls_abandoned_pct", "Calls abandoned", "% of call attempts (hung up waiting)", 1, PERCENT),
    ("first_attempt_pct", "Got through at the first attempt", "% of patients who phoned", 1, PERCENT),
)


def front_door_panel(view: View) -> list[PanelRow]:
    """The panel's rows (mean and 95% interval per side, reporting days so far); empty without a front door."""
    latest = {side: view.latest(side) for side in view.history}
    if not any(s.front_door is not None for snaps in latest.values() for s in snaps):
        return []
    rows = []
    for attr, label, unit, decimals, bounds in ROWS:
        bands = {side: band([getattr(s.front_door, attr) for s in snaps if s.front_door is not None], bounds)
                 for side, snaps in latest.items()}
        rows.append(PanelRow(attr, label, unit, decimals, bands))
    return rows
