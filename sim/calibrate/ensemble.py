"""Parameter uncertainty of a calibration: history matching over the fit's own trials.

Every trial of the fit (:mod:`sim.calibrate.fit`) is a parameter set scored on each component. A
trial's implausibility on component c is ``sqrt(d_c / v_c)``: its distance over the distance that
even the best trial leaves (``v_c``, the variance of what the model cannot match at its best:
replication noise of the sample and the trial, and structural discrepancy; floored at the
fit months' replication noise, :func:`noise_distances`, or :data:`VARIANCE_FLOOR` where none was
measured). Its implausibility is the largest over components (Vernon, Goldstein &
Bower 2010; Andrianakis et al. 2015), and every trial at or below the cut-off (3, Pukelsheim's
three-sigma rule) is kept: parameter sets the fit months cannot rule out. They become the
scenario's ``ensemble:`` with equal weights (history matching rules sets out; it does not weigh
them), the best set first. :func:`predictive_runs` and :func:`predictive_intervals` turn the
ensemble into monthly 90% intervals: one member per replication, drawn as ``compare`` draws it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import chi2, norm

from sim.calibrate.parameters import Parameter, apply_parameters, fitted_overrides
from sim.calibrate.runs import Progress, run_many, scenario_for, warm_up_for
from sim.calibrate.targets import Component
from sim.config.ensemble import merge
from sim.experiments.ensemble import member_index
from sim.results.intervals import t_prediction_interval

#: Implausibility cut-off: trials above it are ruled out (the three-sigma rule).
DEFAULT_CUTOFF = 3.0

#: The three-sigma rule (Pukelsheim 1994) the cut-off and :func:`months_scale` refer to (sigmas).
THREE_SIGMA = 3.0

#: Smallest variance a component's distance is divided by where no replication noise was measured:
#: a tenth of the squared tolerance (an error of 0.3 tolerances: 1.6% on totals, 0.9 points on
#: shares), so a component the best trial happens to match almost exactly does not rule out every
#: other trial. With the noise measured (the fit's final re-scoring runs) the floor is that noise:
#: the fixed 0.3 tolerances let members sit up to about 4.7% off the fit months' total (the
#: acceptance run of 1 December 2026, 90% intervals 12% wide), far beyond what replication noise
#: alone allows.
VARIANCE_FLOOR = 0.1

#: Smallest floor taken from a measured noise (an error of 0.01 tolerances), so a component whose
#: replications happen to agree exactly does not divide by zero.
NOISE_FLOOR_MIN = 1e-4

#: Share of the trials (the closest by the objective) whose median distance on a component is the
#: variance it is divided by: the best trial alone is chosen for small distances and understates it.
REFERENCE_SHARE = 0.25

#: Most members kept (evenly spread over the implausibility ranks when more pass).
DEFAULT_MAX_MEMBERS = 30

#: Trials of the history-matching wave after the fit (see :func:`sim.calibrate.fit.fit`).
DEFAULT_WAVE = 16

#: Level of the predictive intervals (5-95%).
PREDICTIVE_LEVEL = 0.90

#: Decimal places of member parameter values.
VALUE_DECIMALS = 6


def noise_distances(components: Sequence[Component], runs: Sequence[pd.DataFrame]) -> dict[str, float]:
    """Each component's mean distance between two replications of the same parameters.

    What a trial at the true parameters scores against data that are one more replication: the
    part of a distance that is replication noise (0 with fewer than two runs).
    """
    out = {c.name: 0.0 for c in components}
    pairs = [(a, b) for a in range(len(runs)) for b in range(len(runs)) if a != b]
    for a, b in pairs:
        for c in components:
            ref = type(c).from_long(c.name, c.targets, runs[a])
            moved = dataclasses.replace(c, observed=ref.observed)
            out[c.name] += moved.distance(moved.extract(runs[b])) / len(pairs)
    return out


def variance_floor(noise: dict[str, float], name: str) -> float:
    """The floor of component ``name``'s variance: its replication noise where measured.

    The mean distance between two single replications of the same parameters (twice the noise
    variance) is at least what a trial at the true parameters, averaged over one or more
    replications, scores against data that are one more replication; where no noise was
    measured (fewer than two runs), :data:`VARIANCE_FLOOR`.
    """
    if name in noise and noise[name] > 0:
        return max(float(noise[name]), NOISE_FLOOR_MIN)
    return VARIANCE_FLOOR


def months_scale(months: int, sigmas: float = THREE_SIGMA) -> float:
    """How much a root mean of ``months`` squared standardised errors may reach, in sigmas.

    At the true parameters each month's squared error over its variance has mean 1, so the mean
    over k months follows chi-square(k) / k (treating each month as one term: the categories of a
    share component within a month are correlated, so fewer terms is the cautious count). The
    three-sigma rule's probability (P(|z| <= 3) = 0.9973) is ``sqrt(chi2.ppf(p, k) / k)`` on
    that scale: 3 for one month, 1.83 for six.
    """
    p = 1 - 2 * norm.sf(sigmas)
    return math.sqrt(float(chi2.ppf(p, max(1, months))) / max(1, months))


def implausibility(trials: pd.DataFrame, components: Sequence[Component],
                   noise: dict[str, float] | None = None) -> pd.Series:
    """Each trial's implausibility in sigmas: the largest over the components.

    On component c it is ``sqrt(d_c / v_c)`` x 3 / :func:`months_scale` of its fit months, so the
    cut-off of 3 keeps what one standardised error within three sigma keeps: ``d_c`` is a mean
    over the months, and without the rescaling a trial 5% off in every month passed where the
    noise allowed 3%. ``v_c`` is the larger of: the median of ``d_c`` over the closest quarter of
    the trials (by the objective: what the model leaves at its best, discrepancy included) and
    the floor (:func:`variance_floor`: the replication noise ``noise[c]`` where measured, else
    :data:`VARIANCE_FLOOR`).
    """
    noise = noise or {}
    closest = trials["distance"].rank(method="first") <= max(1, round(REFERENCE_SHARE * len(trials)))
    parts = []
    for c in components:
        d = trials[f"d_{c.name}"].astype(float)
        v = max(float(d.loc[closest].median()), variance_floor(noise, c.name))
        parts.append(np.sqrt(d / v) * THREE_SIGMA / months_scale(len(c.observed.index)))
    return pd.concat(parts, axis=1).max(axis=1).rename("implausibility")


def _diff(new: Any, old: Any) -> Any:
    """The parts of nested mapping ``new`` that differ from ``old`` (None: nothing differs)."""
    if isinstance(new, dict) and isinstance(old, dict):
        out = {k: d for k, v in new.items() if (d := _diff(v, old.get(k))) is not None}
        return out or None
    return None if new == old else new


def select(trials: pd.DataFrame, components: Sequence[Component], params: Sequence[Parameter],
           best: dict[str, float], *, cutoff: float = DEFAULT_CUTOFF,
           max_members: int = DEFAULT_MAX_MEMBERS, noise: dict[str, float] | None = None) -> tuple[list[dict[str, float]], pd.Series]:
    """The parameter sets kept (the best first, then trials at or below ``cutoff``), and each trial's implausibility."""
    imp = implausibility(trials, components, noise)
    kept = imp.loc[imp <= cutoff].sort_values(kind="stable")
    if len(kept) > max_members - 1:
        picks = np.unique(np.linspace(0, len(kept) - 1, max_members - 1).round().astype(int))
        kept = kept.iloc[picks]
    names = [p.name for p in params]
    sets = [dict(best)]
    for k in kept.index:
        values = {n: (int(trials.loc[k, n]) if p.step is not None else float(trials.loc[k, n]))
                  for n, p in zip(names, params, strict=True)}
        if values not in sets:
            sets.append(values)
    return sets, imp


def members(full: dict[str, Any], sets: Sequence[dict[str, float]], params: Sequence[Parameter],
            seasonality: Sequence[float] | None) -> tuple[list[dict[str, Any]], int]:
    """``ensemble:`` entries (equal weights, the first set's fitted values first) and their warm-up (days)."""
    base = fitted_overrides(apply_parameters(full, sets[0], params), seasonality)
    out, warm, varied = [], 0, {}
    for values in sets:
        mapping = apply_parameters(full, values, params)
        warm = max(warm, warm_up_for(mapping))
        diff = _diff(fitted_overrides(mapping, seasonality), base) or {}
        varied = merge(varied, diff)
        out.append({"weight": 1.0,
                    "parameters": {k: round(float(v), VALUE_DECIMALS) for k, v in values.items()},
                    "overrides": diff})
    # the fitted set lists the fitted value of every varied field: a scenario that changes one
    # keeps its own value there (sim.config.ensemble.unchanged_only)
    out[0]["overrides"] = _pick(base, varied)
    return out, warm


def _pick(values: dict[str, Any], shape: dict[str, Any]) -> dict[str, Any]:
    """The leaves of ``values`` at the paths of nested mapping ``shape``."""
    return {k: (_pick(values[k], v) if isinstance(v, dict) and isinstance(values.get(k), dict)
                else values.get(k)) for k, v in shape.items() if k in values}


def parameter_intervals(entries: Sequence[dict[str, Any]], level: float = PREDICTIVE_LEVEL
                        ) -> dict[str, tuple[float, float]]:
    """Each parameter's weighted central ``level`` range over the members."""
    weights = np.array([e["weight"] for e in entries], dtype=float)
    out = {}
    for name in entries[0]["parameters"]:
        x = np.array([e["parameters"][name] for e in entries], dtype=float)
        order = np.argsort(x, kind="stable")
        cum = np.cumsum(weights[order]) / weights.sum()
        lo = x[order][min(np.searchsorted(cum, (1 - level) / 2), len(x) - 1)]
        hi = x[order][min(np.searchsorted(cum, 1 - (1 - level) / 2), len(x) - 1)]
        out[name] = (float(lo), float(hi))
    return out


def predictive_runs(mapping: dict[str, Any], entries: Sequence[dict[str, Any]],
                    months: Sequence[pd.Timestamp], reps: int, first_rep: int, *,
                    list_size: int | None = None, progress: Progress | None = None,
                    label: str = "ensemble") -> pd.DataFrame:
    """Attended appointments per 1,000 per month and replication, each with its drawn member."""
    weights = [float(e["weight"]) for e in entries]
    scenarios: dict[int, Any] = {}
    tasks, drawn = [], []
    for k in range(reps):
        r = first_rep + k
        idx = member_index(weights, int(mapping.get("seed", 1)), r)
        if idx not in scenarios:
            scenarios[idx] = scenario_for(merge(mapping, entries[idx]["overrides"]), months)
        tasks.append((scenarios[idx], r))
        drawn.append(idx)
    rows = []
    for (_, r), idx, t in zip(tasks, drawn, run_many(tasks, months, list_size), strict=True):
        t = t.loc[t["target"] == "attended_per_1000"]
        rows += [{"month": pd.Timestamp(m).strftime("%Y-%m"), "replication": r, "member": idx,
                  "value": float(v)} for m, v in zip(t["month"], t["value"], strict=True)]
    if progress:
        progress(label, reps, reps)
    return pd.DataFrame(rows)


def discrepancy(runs: pd.DataFrame, observed: dict[str, float], fit_months: Sequence[str]) -> float:
    """Relative model discrepancy (sd) on the fit months: what the runs' spread does not explain.

    ``max(0, mean((obs - mean) / obs)^2 - mean(var (1 + 1/n) / obs^2))`` over the fit months, square-rooted.
    """
    resid, noise = [], []
    for m in fit_months:
        x = runs.loc[runs["month"] == m, "value"].to_numpy(dtype=float)
        if len(x) < 2 or m not in observed:
            continue
        obs = observed[m]
        resid.append(((obs - x.mean()) / obs) ** 2)
        noise.append(x.var(ddof=1) * (1 + 1 / len(x)) / obs**2)
    if not resid:
        return 0.0
    return math.sqrt(max(0.0, float(np.mean(resid)) - float(np.mean(noise))))


def predictive_intervals(runs: pd.DataFrame, md: float,
                         level: float = PREDICTIVE_LEVEL) -> pd.DataFrame:
    """Per month: the runs' ``level`` interval (noise + parameters) and with discrepancy ``md``.

    The discrepancy is relative to the runs' own mean, never to an observed value, so a held-out
    observation cannot move its interval. Columns ``month``, ``sim_lower``, ``sim_upper``,
    ``pred_lower``, ``pred_upper``.
    """
    rows = []
    for m, part in runs.groupby("month", sort=True):
        x = part["value"].to_numpy(dtype=float)
        mean, lo, hi = t_prediction_interval(x, level)
        _, plo, phi = t_prediction_interval(x, level, extra_sd=md * mean)
        rows.append({"month": m, "sim_lower": lo, "sim_upper": hi, "pred_lower": plo,
                     "pred_upper": phi})
    return pd.DataFrame(rows)
