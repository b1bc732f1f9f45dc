"""Per-STP demand level: refit only ``demand.rate_multiplier`` of a transfer STP on its fit months.

A transfer keeps every calibrated parameter, but the fitted STP's rate carries its level of
appointments per patient, and STPs differ in level (North Central London recorded 9.8% fewer
attended appointments per patient than East London in 2019). The simple forecast takes each
STP's level from that STP's fit months; :func:`refit_level` lets the model do the same, and
nothing else: attended appointments rise with the rate (nearly in proportion while capacity
does not bind), so a ratio step (observed / simulated total of the fit months) followed by
secant steps on fresh replications finds the rate whose fit-month total matches, and a final
correction on :data:`DEFAULT_FINAL_REPS` more fresh replications brings the level within the noise
of that many replications (the steps' two replications each left it about 1% off). Held-out
months are never run or read.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.calibrate.noise import FIT_TOTAL_SD_PCT, LEVEL_NOISE_PCT, replications_for
from sim.calibrate.runs import run_many, scenario_for

#: Replication numbers of the level runs start here: away from the fit's (0, 1, ...) and the
#: evaluation's (1000, ...), so the interval runs never reuse a level run.
LEVEL_FIRST_REP = 500

#: Replications per level step (each over the fit months).
DEFAULT_LEVEL_REPS = 2

#: Steps after the first run: one ratio step, then secant steps.
DEFAULT_LEVEL_STEPS = 2

#: Replications of the final correction at the refitted rate (fresh ones, after the steps'): the
#: steps' two replications each leave the level about 1% off on the fit months (the acceptance
#: run of 1 December 2026: +1.0% on North Central London over eight evaluation replications).
#: Enough that the fit months' total is known to :data:`sim.calibrate.noise.LEVEL_NOISE_PCT`
#: (25; it was 8, about 0.2%).
DEFAULT_FINAL_REPS = replications_for(FIT_TOTAL_SD_PCT, LEVEL_NOISE_PCT)

#: The elasticity of attended appointments to the rate (d log total / d log rate) is estimated from
#: the steps where their rates span at least this much in log; else 1 (proportional).
ELASTICITY_MIN_SPREAD = 0.05

#: Bounds of that elasticity: near capacity attended rise less than in proportion, never more.
ELASTICITY_BOUNDS = (0.5, 1.0)

#: Stop once the simulated fit-month total is within this relative distance of the observed.
LEVEL_TOLERANCE = 0.003

#: Steps whose simulated total is within this relative distance of the observed one make the
#: final line (:func:`_final_rate`).
NEAR_TARGET = 0.15

#: The rate stays inside the calibrated parameter's range (sim.calibrate.parameters).
RATE_BOUNDS = (0.3, 1.6)


@dataclass
class LevelFit:
    """A level refit: the rate found and every step (rate, simulated / observed fit-month total)."""

    input_rate: float
    rate: float
    steps: list[dict[str, float]] = field(default_factory=list)

    @property
    def factor(self) -> float:
        """The refitted rate over the input rate."""
        return self.rate / self.input_rate

    def as_dict(self) -> dict[str, Any]:
        """Manifest entry."""
        return {"input_rate_multiplier": round(self.input_rate, 6),
                "rate_multiplier": round(self.rate, 6), "factor": round(self.factor, 6),
                "steps": [{k: round(v, 6) for k, v in s.items()} for s in self.steps]}


def with_rate(mapping: Mapping[str, Any], rate: float) -> dict[str, Any]:
    """A copy of scenario ``mapping`` with ``demand.rate_multiplier`` set to ``rate``."""
    out = copy.deepcopy(dict(mapping))
    out.setdefault("demand", {})["rate_multiplier"] = float(rate)
    return out


def _simulated_total(mapping: dict[str, Any], months: Sequence[pd.Timestamp], reps: int,
                     first_rep: int) -> float:
    """Mean over replications of the fit months' summed attended appointments per 1,000."""
    sc = scenario_for(mapping, months)
    runs = run_many([(sc, first_rep + k) for k in range(reps)], months)
    return float(np.mean([t.loc[t["target"] == "attended_per_1000", "value"].sum() for t in runs]))


def refit_level(mapping: Mapping[str, Any], observed: Mapping[pd.Timestamp, float],
                fit_months: Sequence[pd.Timestamp], *, reps: int = DEFAULT_LEVEL_REPS,
                steps: int = DEFAULT_LEVEL_STEPS, first_rep: int = LEVEL_FIRST_REP,
                tolerance: float = LEVEL_TOLERANCE,
                final_reps: int = DEFAULT_FINAL_REPS) -> LevelFit:
    """The ``demand.rate_multiplier`` whose fit-month total matches the observed one.

    Args:
        mapping: the scenario (every other field kept).
        observed: observed attended appointments per 1,000 by month; only ``fit_months`` are read.
        fit_months: the months matched (their sum).
        reps: replications per step; each step uses fresh ones.
        steps: steps after the first run (the first a ratio step, then secant).
        first_rep: first replication number.
        tolerance: stop when |simulated / observed - 1| is at most this.
        final_reps: replications of the final correction (:func:`final_correction`; 0: none).

    Raises:
        ValueError: no fit month, or a fit month without an observed value.
    """
    months = [pd.Timestamp(m) for m in fit_months]
    if not months:
        raise ValueError("the level refit needs at least one fit month")
    missing = [m.strftime("%Y-%m") for m in months if m not in observed]
    if missing:
        raise ValueError(f"no observed attended appointments for fit month(s) {', '.join(missing)}")
    target = float(sum(observed[m] for m in months))
    rate = float(mapping.get("demand", {}).get("rate_multiplier", 1.0))
    fit = LevelFit(input_rate=rate, rate=rate)
    points: list[tuple[float, float]] = []
    for step in range(steps + 1):
        sim = _simulated_total(with_rate(mapping, rate), months, reps,
                               first_rep + step * reps)
        points.append((rate, sim))
        fit.steps.append({"rate_multiplier": rate, "simulated_over_observed": sim / target})
        if abs(sim / target - 1) <= tolerance or step == steps:
            break
        if len(points) == 1 or points[-1][0] == points[-2][0]:
            rate = rate * target / sim  # ratio step: attended nearly proportional to the rate
        else:
            (r0, s0), (r1, s1) = points[-2], points[-1]
            slope = (s1 - s0) / (r1 - r0)
            rate = r1 + (target - s1) / slope if slope > 0 else r1 * target / s1
        rate = float(np.clip(rate, *RATE_BOUNDS))
    fit.rate = _final_rate(points, target)
    if final_reps > 0:
        final = correct_level(with_rate(mapping, fit.rate), observed, months, reps=final_reps,
                              first_rep=first_rep + len(points) * reps,
                              elasticity_=elasticity(points))
        fit.steps += final.steps
        fit.rate = final.rate
    return fit


def correct_level(mapping: Mapping[str, Any], observed: Mapping[pd.Timestamp, float],
                  fit_months: Sequence[pd.Timestamp], *, reps: int = DEFAULT_FINAL_REPS,
                  first_rep: int = LEVEL_FIRST_REP, elasticity_: float = 1.0) -> LevelFit:
    """One correction of ``demand.rate_multiplier`` on ``reps`` replications of the fit months.

    The rate moves the simulated/observed fit-month total to 1 at the given elasticity
    (:func:`final_correction`), so the level is matched within the noise of ``reps``
    replications. Only ``fit_months`` are run or read.
    """
    months = [pd.Timestamp(m) for m in fit_months]
    target = float(sum(observed[m] for m in months))
    rate = float(mapping.get("demand", {}).get("rate_multiplier", 1.0))
    sim = _simulated_total(dict(mapping), months, reps, first_rep)
    fit = LevelFit(input_rate=rate, rate=final_correction(rate, sim / target, elasticity_))
    fit.steps.append({"rate_multiplier": rate, "simulated_over_observed": sim / target,
                      "final_reps": float(reps), "elasticity": elasticity_})
    return fit


def elasticity(points: Sequence[tuple[float, float]]) -> float:
    """The elasticity d log(total) / d log(rate) over the steps, within :data:`ELASTICITY_BOUNDS`.

    1 (attended in proportion to the rate) where the steps' rates span less than
    :data:`ELASTICITY_MIN_SPREAD` in log, as their replication noise would dominate the slope.
    """
    log_rate = np.log([p[0] for p in points])
    if len(points) < 2 or np.ptp(log_rate) < ELASTICITY_MIN_SPREAD:
        return 1.0
    slope = float(np.polyfit(log_rate, np.log([p[1] for p in points]), 1)[0])
    return float(np.clip(slope, *ELASTICITY_BOUNDS))


def final_correction(rate: float, ratio: float, elasticity_: float) -> float:
    """The rate that moves a simulated/observed ``ratio`` to 1 at the given elasticity."""
    return float(np.clip(rate * ratio ** (-1.0 / elasticity_), *RATE_BOUNDS))


def _final_rate(points: Sequence[tuple[float, float]], target: float) -> float:
    """The rate where a least-squares line through the steps near the target meets it.

    Steps within :data:`NEAR_TARGET` of the target (all of them if fewer than two are) average
    out the replication noise of single steps; with one step, or a flat line, the closest step.
    """
    near = [p for p in points if abs(p[1] / target - 1) <= NEAR_TARGET]
    use = near if len(near) >= 2 else list(points)
    closest = min(points, key=lambda p: abs(p[1] / target - 1))[0]
    rates = np.array([p[0] for p in use])
    if len(use) < 2 or np.ptp(rates) == 0:
        return closest
    slope, intercept = np.polyfit(rates, np.array([p[1] for p in use]), 1)
    if slope <= 0:
        return closest
    low, high = rates.min() * (1 - NEAR_TARGET), rates.max() * (1 + NEAR_TARGET)
    return float(np.clip((target - intercept) / slope, max(low, RATE_BOUNDS[0]),
                         min(high, RATE_BOUNDS[1])))


def scale_members(entries: Sequence[dict[str, Any]], factor: float) -> list[dict[str, Any]]:
    """Ensemble members with any ``demand.rate_multiplier`` they set multiplied by ``factor``."""
    out = copy.deepcopy(list(entries))
    for e in out:
        demand = e.get("overrides", {}).get("demand", {})
        if "rate_multiplier" in demand:
            demand["rate_multiplier"] = float(demand["rate_multiplier"]) * factor
    return out
