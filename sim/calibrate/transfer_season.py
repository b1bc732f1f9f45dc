"""A transfer STP's own seasonal profile: the other STPs' mean, itself left out, as the forecast's.

The fitted STP's request profile is the other areas' appointment profile passed through the
model's seasonal correction (:func:`sim.calibrate.seasonal.correct_seasonality`: booked-ahead
requests make appointments lag requests). Applied unchanged to a transfer STP, that profile
holds the transfer STP's own months (it is one of the "other areas" of the fitted STP) and leaves
the fitted STP's out, while the simple forecast of the same STP uses the mean of the other STPs,
itself left out (:func:`sim.calibrate.forecast.forecast_profile`). :class:`TransferSeason` gives
each transfer STP that same leave-own-out profile, moved through the model's correction by the
ratio the fitted STP's correction found month by month (the correction as a multiplicative
lag factor, measured at the fitted parameters):

    request[k] = corrected[k] x own_target[k] / fitted_target[k], normalised to mean 1.

No month of the transfer STP is read for it.

That treats the lag as a property of the fitted STP's sample, but a transfer STP's sample runs
at its own load (its own practices, its own refitted rate), so its lag differs.
:func:`own_lag_profile` measures it: the same correction
(:func:`sim.calibrate.seasonal.correct_seasonality`) run on the transfer STP's own sample at its
refitted rate, from the moved profile towards its own leave-own-out target (other areas' data
only, as for the fitted STP).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.calibrate.observed import seasonal_profile
from sim.calibrate.seasonal import DEFAULT_SEASON_REPS, correct_seasonality

#: Decimal places of a transfer STP's profile (as a corrected profile's).
PROFILE_DECIMALS = 4


def moved_profile(corrected: Sequence[float], fitted_target: Sequence[float],
                  own_target: Sequence[float]) -> list[float]:
    """``corrected`` moved by ``own_target / fitted_target`` per month, normalised to mean 1."""
    if not (len(corrected) == len(fitted_target) == len(own_target) == 12):
        raise ValueError("a seasonal profile has 12 values (January first)")
    raw = [c * o / f for c, o, f in zip(corrected, own_target, fitted_target, strict=True)]
    mean = sum(raw) / len(raw)
    return [round(v / mean, PROFILE_DECIMALS) for v in raw]


@dataclass(frozen=True)
class TransferSeason:
    """What a transfer STP's profile is made from.

    Attributes:
        appointments: GPAD rows of every area (:func:`sim.calibrate.observed.read_appointments`).
        window: the 12-month window of the fitted STP's profile.
        day_of_week: the scenario's weekday weights (as the fitted STP's target profile used).
        corrected: the fitted STP's corrected request profile (``demand.monthly_seasonality``).
        fitted_target: the fitted STP's target profile (the other areas' mean, it left out).
    """

    appointments: pd.DataFrame
    window: Sequence[pd.Timestamp]
    day_of_week: Sequence[float]
    corrected: Sequence[float]
    fitted_target: Sequence[float]

    def own_target(self, sub_icbs: Sequence[str]) -> list[float]:
        """The other areas' mean appointment profile, the CCGs ``sub_icbs`` left out."""
        values, _ = seasonal_profile(self.appointments, sub_icbs, self.window,
                                     self.day_of_week)
        return list(values)

    def profile(self, sub_icbs: Sequence[str]) -> list[float]:
        """The request profile of the STP of CCGs ``sub_icbs`` (:func:`moved_profile`)."""
        return moved_profile(self.corrected, self.fitted_target, self.own_target(sub_icbs))


def own_lag_profile(mapping: dict[str, Any], season: TransferSeason, sub_icbs: Sequence[str],
                    steps: int, *, reps: int = DEFAULT_SEASON_REPS
                    ) -> tuple[list[float], pd.DataFrame]:
    """The transfer STP's request profile corrected for its own sample's booking lag.

    ``mapping`` is the transfer STP's sample at its refitted rate, its
    ``demand.monthly_seasonality`` the moved profile (:meth:`TransferSeason.profile`), the
    start. ``steps`` steps of :func:`sim.calibrate.seasonal.correct_seasonality` (``reps``
    replications each, over the fitted STP's 12-month window) move it so that the sample's
    simulated appointments follow the STP's own target (the other areas' mean, it left out).
    Only other areas' data and the model are used.

    Returns:
        (the 12 values, the correction table with a ``step`` column).
    """
    target = season.own_target(sub_icbs)
    current = dict(mapping, demand=dict(mapping["demand"]))
    profile = list(current["demand"]["monthly_seasonality"])
    tables = []
    for k in range(steps):
        profile, table = correct_seasonality(current, target, season.window, reps=reps)
        current["demand"]["monthly_seasonality"] = profile
        tables.append(table.assign(step=k + 1))
    return profile, (pd.concat(tables, ignore_index=True) if tables else pd.DataFrame())
