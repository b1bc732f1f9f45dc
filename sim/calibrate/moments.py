"""Moment matching: the directly identified parameters moved by observed over simulated targets.

The rate, DNA, same-day and remote parameters each drive one target almost alone, so the ratio (or
odds ratio, for shares) of observed to simulated says how far to move them; the non-GP need share
moves by the GP share's odds ratio and the next-day share by the "1 Day" error over the routine
share. The fit uses this in its pilot, before the seasonal correction and in its polish.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import pandas as pd

from sim.calibrate.parameters import Parameter
from sim.calibrate.targets import Component

#: Parameters moment matching moves (the rest are left to the search).
DIRECT_PARAMETERS = ("rate_multiplier", "dna_multiplier", "remote_scale", "non_gp_need_share",
                     "urgent_scale", "next_day_share")

#: Parameters moved by the ratio of observed to simulated, with their target. Same-day
#: appointments are mostly requests wanting the day: ``urgent_scale`` moves with their share.
RATIO_MATCHED = {"rate_multiplier": "attended_per_1000", "dna_multiplier": "dna_share",
                 "urgent_scale": "wait_bin:Same Day"}

#: Share of next-day requests that land in "1 Day": all but those made on a Friday (about 4 in 5,
#: booked on Monday).
NEXT_DAY_IN_ONE_DAY = 0.8


def _moments(comps: Sequence[Component], sim: pd.DataFrame, target: str
             ) -> Iterator[tuple[float, float]]:
    """(observed, simulated) mean of ``target`` for each component that holds it."""
    for c in comps:
        if target in c.targets:
            yield float(c.observed[target].mean()), float(c.extract(sim)[target].mean())


def _ratio(comps: Sequence[Component], sim: pd.DataFrame, target: str) -> float | None:
    """Observed over simulated ``target`` (None where either is not positive)."""
    for o, s in _moments(comps, sim, target):
        if s > 0 and o > 0 and math.isfinite(s):
            return o / s
    return None


def _odds_ratio(comps: Sequence[Component], sim: pd.DataFrame, target: str) -> float | None:
    """Observed over simulated odds of the share ``target`` (None outside 0-1)."""
    for o, s in _moments(comps, sim, target):
        if 0 < o < 1 and 0 < s < 1:
            return (o / (1 - o)) / (s / (1 - s))
    return None


def _next_day_step(comps: Sequence[Component], sim: pd.DataFrame) -> float | None:
    """Change of ``next_day_share`` that closes the "1 Day" gap (None without the wait bins).

    The "1 Day" share moves by about 0.8 x the routine share (1 - Same Day) per unit of
    next_day_share; the step under-corrects where capacity or leads that were already one day
    dampen that.
    """
    one, same = "wait_bin:1 Day", "wait_bin:Same Day"
    for c in comps:
        if one in c.targets and same in c.targets:
            o = float(c.observed[one].mean())
            s = float(c.extract(sim)[one].mean())
            routine = 1.0 - float(c.observed[same].mean())
            if math.isfinite(s) and routine > 0:
                return (o - s) / (NEXT_DAY_IN_ONE_DAY * routine)
    return None


def moment_match(base: dict[str, float], params: Sequence[Parameter], comps: Sequence[Component],
                 sim: pd.DataFrame) -> dict[str, float]:
    """Base values moved by the ratio of observed to simulated where that is direct."""
    out = dict(base)
    names = {p.name: p for p in params}
    for name, target in RATIO_MATCHED.items():
        if name in names and (r := _ratio(comps, sim, target)):
            out[name] = names[name].clip(base[name] * r)
    if "remote_scale" in names and (r := _odds_ratio(comps, sim, "mode:Telephone")):
        out["remote_scale"] = names["remote_scale"].clip(base["remote_scale"] * r)
    if "next_day_share" in names and (d := _next_day_step(comps, sim)) is not None:
        out["next_day_share"] = names["next_day_share"].clip(base["next_day_share"] + d)
    if "non_gp_need_share" in names and (r := _odds_ratio(comps, sim, "gp_share")):
        b = base["non_gp_need_share"]
        o = (b / (1 - b)) / r
        out["non_gp_need_share"] = names["non_gp_need_share"].clip(o / (1 + o))
    return out
