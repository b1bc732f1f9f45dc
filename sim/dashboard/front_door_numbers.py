"""The front door's live numbers for the dashboard: time to answer, calls abandoned, got through at the first attempt.

Taken over internal days [lo, hi) with the definitions of the summary's rows (:mod:`sim.results.front_door`):
minutes waited by answered calls over answered calls, hung-up calls over all call attempts, and, of the
requests made in the window whose first channel was the telephone, the share answered at their first
attempt (so far: a caller still redialling has not got through yet).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.config.front_door import CHANNELS

if TYPE_CHECKING:
    from sim.model.model import GPSimModel

PHONE = CHANNELS.index("telephone")


@dataclass(frozen=True)
class FrontDoorNumbers:
    """One model's front door over a window (NaN where nothing was counted)."""

    time_to_answer_minutes: float
    calls_abandoned_pct: float
    first_attempt_pct: float


def _share(num: float, den: float, scale: float = 1.0) -> float:
    return scale * num / den if den > 0 else math.nan


def front_door_numbers(model: GPSimModel, lo: int, hi: int) -> FrontDoorNumbers | None:
    """The front door's numbers over internal days [lo, hi); None when the scenario has no front door."""
    fd = model.front_door
    if fd is None:
        return None
    if hi <= lo:
        return FrontDoorNumbers(math.nan, math.nan, math.nan)
    attempts, answered, abandoned, _engaged, waited = fd.stats[lo:hi].sum(axis=(0, 1))[:5]
    sl = slice(model.day_start[lo], model.day_start[hi])
    phoned = fd.channel[sl] == PHONE
    return FrontDoorNumbers(
        time_to_answer_minutes=_share(waited, answered),
        calls_abandoned_pct=_share(abandoned, attempts, 100.0),
        first_attempt_pct=_share(float(np.count_nonzero(phoned & fd.first_ok[sl])), float(np.count_nonzero(phoned)),
                                 100.0))
