"""The fit: pilot moment matching, Optuna TPE, the calendar correction, polish, final choice.

Each trial simulates the fit months on the practice sample for ``reps`` replications (numbered
0, 1, ...: common random numbers across trials, :mod:`sim.calibrate.runs`), averages the simulated
targets over the replications and scores them with the components (:mod:`sim.calibrate.targets`).
The fit starts from the input scenario and moment-matches the directly identified parameters
(rate, DNA, remote, same-day, non-GP and next-day share; :mod:`sim.calibrate.moments`) for a few
pilot trials; Optuna's multivariate TPE sampler (fixed seed, :mod:`sim.calibrate.search`) proposes
the rest; the request seasonality is then corrected for the lag between requests and appointments
(:mod:`sim.calibrate.seasonal`) and a last moment-matching step polishes the result (:func:`fit`).
The parameters are those of :mod:`sim.calibrate.parameters`.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from scipy.stats import qmc

from sim.calibrate.ensemble import DEFAULT_CUTOFF, implausibility, noise_distances
from sim.calibrate.moments import moment_match
from sim.calibrate.parameters import PARAMETERS, Parameter, apply_parameters, base_values
from sim.calibrate.runs import Progress, mean_targets, run_many, scenario_for
from sim.calibrate.search import DEFAULT_SEED, narrowed, refined, startup_trials, tpe_search
from sim.calibrate.seasonal import DEFAULT_SEASON_REPS, correct_seasonality, estimate_holiday_share
from sim.calibrate.targets import Component, total_distance


@dataclass
class FitResult:
    """What :func:`fit` found.

    Attributes:
        best: best parameter values.
        best_distance: the weighted objective at ``best``.
        trials: one row per trial: number, distance, each component's distance, each parameter.
        base: the input scenario's values.
        seconds: wall time of the fit.
        components: each component's distance at ``best``.
        seasonality: the request profile the best trial ran with (corrected, where a
            seasonal target was given).
        season_steps: the correction steps (see :func:`sim.calibrate.seasonal.correct_seasonality`).
        holiday_share: ``demand.holiday_booking.avoid_share`` chosen (None: not estimated).
        holiday_steps: the runs behind it (see :func:`sim.calibrate.seasonal.estimate_holiday_share`).
        noise: each component's replication-noise distance
            (:func:`sim.calibrate.ensemble.noise_distances` over the last candidate's runs).
    """

    best: dict[str, float]
    best_distance: float
    trials: pd.DataFrame
    base: dict[str, float]
    seconds: float
    components: dict[str, float] = field(default_factory=dict)
    seasonality: list[float] | None = None
    season_steps: pd.DataFrame = field(default_factory=pd.DataFrame)
    holiday_share: float | None = None
    holiday_steps: pd.DataFrame = field(default_factory=pd.DataFrame)
    noise: dict[str, float] = field(default_factory=dict)


#: The wave's box is widened by this share of its width on each side.
WAVE_PAD = 0.25


@dataclass
class _Calendar:
    """The calendar correction asked of a fit (see :func:`fit`)."""

    target: Sequence[float]
    window: Sequence[pd.Timestamp]
    steps: int
    holiday_lift: float | None
    reps: int = DEFAULT_SEASON_REPS


class _Fit:
    """One fit in progress: the trials run so far, the best of them, and each stage."""

    def __init__(self, mapping: dict[str, Any], components: Sequence[Component],
                 months: Sequence[pd.Timestamp], params: Sequence[Parameter], reps: int,
                 list_size: int | None, progress: Progress | None, total_steps: int) -> None:
        self.mapping = mapping
        self.components = components
        self.months = months
        self.params = params
        self.reps = reps
        self.list_size = list_size
        self.progress = progress
        self.total_steps = total_steps
        self.base = base_values(mapping, params)
        self.rows: list[dict[str, Any]] = []
        self.best: dict[str, Any] = {"distance": float("inf"), "values": dict(self.base),
                                     "sim": None}
        self.runs_of: dict[int, list[pd.DataFrame]] = {}
        self.steps: list[pd.DataFrame] = []
        self.holiday_share: float | None = None
        self.holiday_table = pd.DataFrame()
        self.noise: dict[str, float] = {}

    def _tick(self) -> None:
        """Report progress: trials and correction runs done of all."""
        if self.progress:
            self.progress("fit", len(self.rows) + len(self.steps), self.total_steps)

    def runs(self, values: dict[str, float], replications: range) -> list[pd.DataFrame]:
        """Simulated targets of ``values`` over the fit months, one table per replication."""
        sc = scenario_for(apply_parameters(self.mapping, values, self.params), self.months)
        return run_many([(sc, r) for r in replications], self.months, self.list_size)

    def evaluate(self, stage: str, values: dict[str, float]) -> tuple[float, pd.DataFrame]:
        """Run one trial, record its row (and the best so far): its distance and mean targets."""
        runs = self.runs(values, range(self.reps))
        sim = mean_targets(runs)
        total, parts = total_distance(self.components, sim)
        if stage == "polish":
            self.runs_of[len(self.rows)] = runs
        self.rows.append({"trial": len(self.rows), "stage": stage, "distance": total, **values,
                          **{f"d_{k}": v for k, v in parts.items()}})
        if total < self.best["distance"]:
            self.best.update(distance=total, values=dict(values), sim=sim)
        self._tick()
        return total, sim

    def matched(self, values: dict[str, float], sim: pd.DataFrame) -> dict[str, float]:
        """``values`` moved by moment matching against the simulated targets ``sim``."""
        return moment_match(values, self.params, self.components, sim)

    def best_matched(self) -> dict[str, float]:
        """The best trial's values moved by moment matching."""
        return self.matched(self.best["values"], self.best["sim"])

    def pilot(self, n: int) -> dict[str, float]:
        """``n`` trials from the input values, each moment-matched from the one before; the next."""
        values = dict(self.base)
        for _ in range(n):
            _, sim = self.evaluate("pilot", values)
            values = self.matched(values, sim)
        return values

    def search(self, start: dict[str, float], narrow: bool, trials: int, seed: int,
               startup: int) -> None:
        """The main TPE search: the first trial at ``start``, narrowed near it after a pilot."""
        ranges = narrowed(self.params, start) if narrow else list(self.params)
        tpe_search(lambda v: self.evaluate("tpe", v)[0], ranges, start, trials=trials,
                   seed=seed, startup=startup)

    def refine(self, trials: int, seed: int) -> None:
        """The refine TPE search over the lead and next-day parameters near the best trial."""
        centre = self.best_matched() if trials else {}
        shape = refined(self.params, centre)
        if shape:
            tpe_search(lambda v: self.evaluate("refine", v)[0], shape, centre, trials=trials,
                       seed=seed, startup=startup_trials(trials), fixed=centre)

    def correct_calendar(self, calendar: _Calendar) -> dict[str, float]:
        """Set the holiday share and correct the seasonality at the moment-matched best; its values.

        The correction runs at the demand the result will have: the best trial with the directly
        identified parameters moment-matched first (TPE leaves the rate a few per cent off;
        corrected at the wrong rate, a model near capacity gets a profile for the wrong load, and
        the polish then moves the rate away from it).
        """
        anchor = self.best_matched()
        if calendar.holiday_lift is not None and self.mapping["demand"].get("holiday_booking") is not None:
            decs = [m for m in calendar.window if pd.Timestamp(m).month == 12]
            self.holiday_share, self.holiday_table = estimate_holiday_share(
                apply_parameters(self.mapping, anchor, self.params), calendar.holiday_lift,
                decs[-1], list_size=self.list_size)
            self.mapping["demand"]["holiday_booking"]["avoid_share"] = self.holiday_share
        for k in range(calendar.steps):
            new, table = correct_seasonality(apply_parameters(self.mapping, anchor, self.params),
                                             calendar.target, calendar.window,
                                             reps=calendar.reps, list_size=self.list_size)
            self.mapping["demand"]["monthly_seasonality"] = new
            self.steps.append(table.assign(step=k + 1))
            self._tick()
        return anchor

    def polish(self, n: int, first: int) -> None:
        """Up to ``n`` moment-matching trials from the best, stopping when the best does not move."""
        key = [p.name for p in self.params]
        tried = [tuple(r[k] for k in key) for r in self.rows[first:]]
        for _ in range(n):
            moved = self.best_matched()
            if tuple(moved[k] for k in key) in tried:
                break  # the best trial did not move: nothing left to polish
            tried.append(tuple(moved[k] for k in key))
            self.evaluate("polish", moved)

    def wave(self, n: int, seed: int, cutoff: float) -> None:
        """A second history-matching wave: ``n`` Latin-hypercube trials over the space not ruled out.

        The box is each parameter's range over the trials within twice the cut-off, widened by a
        quarter of its width each side (inside the global ranges); the search stages sample near
        the best, so without this wave the ensemble spans what TPE happened to try.
        """
        table = pd.DataFrame(self.rows)
        near = table.loc[implausibility(table, self.components, self.noise) <= 2 * cutoff]
        box = []
        for p in self.params:
            lo, hi = float(near[p.name].min()), float(near[p.name].max())
            pad = WAVE_PAD * (hi - lo)
            box.append(dataclasses.replace(p, low=max(p.low, lo - pad), high=min(p.high, hi + pad)))
        for u in qmc.LatinHypercube(d=len(box), seed=seed).random(n):
            values = {}
            for p, x in zip(box, u, strict=True):
                v = (math.exp(math.log(p.low) + x * (math.log(p.high) - math.log(p.low)))
                     if p.log and p.low > 0 else p.low + x * (p.high - p.low))
                values[p.name] = p.clip(v)
            self.evaluate("wave", values)

    def rescore(self, candidates: Sequence[int], final_reps: int) -> None:
        """Score each candidate again on ``final_reps`` replications (``final_distance``)."""
        for k in candidates:
            values = {p.name: self.rows[k][p.name] for p in self.params}
            runs = self.runs_of.get(k) or self.runs(values, range(self.reps))
            runs = runs + self.runs(values, range(self.reps, final_reps))
            total, parts = total_distance(self.components, mean_targets(runs))
            self.noise = noise_distances(self.components, runs)
            self.rows[k].update({"final_distance": total,
                                 **{f"final_d_{n}": v for n, v in parts.items()}})

    def result(self, candidates: Sequence[int], key: str, seconds: float) -> FitResult:
        """The best candidate by ``key`` (``distance`` or ``final_distance``) as a FitResult."""
        table = pd.DataFrame(self.rows)
        best_row = table.loc[candidates].sort_values(key, kind="stable").iloc[0]
        prefix = "final_d_" if key == "final_distance" else "d_"
        values = {p.name: (int(best_row[p.name]) if p.step is not None else float(best_row[p.name]))
                  for p in self.params}
        comps = {c.name: float(best_row[f"{prefix}{c.name}"]) for c in self.components}
        return FitResult(best=values, best_distance=float(best_row[key]), trials=table,
                         base=self.base, seconds=seconds,
                         components=comps,
                         seasonality=list(self.mapping["demand"]["monthly_seasonality"]),
                         season_steps=pd.concat(self.steps, ignore_index=True) if self.steps else (
                             pd.DataFrame()),
                         holiday_share=self.holiday_share, holiday_steps=self.holiday_table,
                         noise=self.noise)


def _check_stages(trials: int, pilot: int, polish: int, refine: int, correcting: bool,
                  season_window: Sequence[pd.Timestamp] | None) -> None:
    """Raise where the stages asked for do not fit the trials or a correction lacks its inputs."""
    if correcting and (season_window is None or polish < 1):
        raise ValueError("a seasonal correction needs its window and at least one polish trial")
    if trials < pilot + polish + refine + 1:
        raise ValueError("trials must be at least pilot + polish + refine + 1 = "
                         f"{pilot + polish + refine + 1}")


def fit(
    mapping: dict[str, Any],
    components: Sequence[Component],
    months: Sequence[pd.Timestamp],
    *,
    params: Sequence[Parameter] = PARAMETERS,
    trials: int = 60,
    pilot: int = 3,
    polish: int = 2,
    reps: int = 1,
    seed: int = DEFAULT_SEED,
    list_size: int | None = None,
    season_target: Sequence[float] | None = None,
    season_window: Sequence[pd.Timestamp] | None = None,
    season_steps: int = 1,
    season_reps: int = DEFAULT_SEASON_REPS,
    final_reps: int = 3,
    holiday_lift: float | None = None,
    refine: int = 0,
    wave: int = 0,
    cutoff: float = DEFAULT_CUTOFF,
    progress: Progress | None = None,
) -> FitResult:
    """Fit ``params`` so the simulated fit months match ``components``.

    Stages (the trials are numbered in order, ``trials`` in all):

    1. pilot (``pilot`` trials): the input scenario's values, then repeated moment matching of
       the directly identified parameters (rate, DNA, remote, same-day and non-GP share move by
       the ratio, or odds ratio, of observed to simulated; the next-day share by the "1 Day"
       error over the routine share) from the previous trial;
    2. Optuna TPE (multivariate, seeded): its first trial the last moment-matched values, the
       directly identified parameters searched near them (:func:`sim.calibrate.search.narrowed`)
       and the booking-shape parameters over their full ranges;
    2b. refine (``refine`` trials, none by default): a second seeded TPE over the lead and
       next-day parameters only (:data:`sim.calibrate.search.SHAPE_RANGES`), near the best trial
       with its directly identified parameters moment-matched, the other parameters fixed there.
       In 13 dimensions the first TPE finds the capacity regime but leaves the booking-interval
       mix rough;
    3. where ``season_target`` is given: ``season_steps`` runs of
       :func:`sim.calibrate.seasonal.correct_seasonality` with the best values after one
       moment-matching step (the rate the result will have), so that simulated appointments
       follow the other areas' profile (these are not trials); before it, where ``holiday_lift``
       is given and the mapping has a ``demand.holiday_booking``, its ``avoid_share`` is set by
       :func:`sim.calibrate.seasonal.estimate_holiday_share` (the December of ``season_window``);
    4. polish (``polish`` trials): moment matching from the best trial (with the corrected
       profile, when there was a correction: the earlier trials ran with the uncorrected
       profile, so the best of them is re-run first and only these runs compete);
    5. the candidates (the polish trials, and without a correction the best trial before them)
       are re-scored on ``final_reps`` replications and the best is the result (its
       ``final_distance`` in the trials table).

    Args:
        mapping: a full scenario mapping (``Scenario.model_dump(mode="json")``), the practice
            sample as its area and the seasonal profile already set.
        components: from :func:`sim.calibrate.targets.default_components`.
        months: the fit months (first days).
        params: the parameters to fit.
        trials: all trials (at least ``pilot + polish + 1``).
        pilot: pilot trials (0: TPE over the full ranges, starting from the input values).
        polish: polishing trials (at least 1 where there is a seasonal correction).
        reps: replications per trial (0 .. reps-1: common random numbers).
        seed: the TPE sampler's seed.
        list_size: per-1,000 denominator (default the sample's list).
        season_target: the other areas' appointment profile (12 values) to correct towards.
        season_window: the 12 months it was estimated over.
        season_steps: correction steps.
        season_reps: replications of each correction step (0 .. season_reps-1).
        final_reps: replications for the final choice (at most ``reps``: no re-scoring).
        refine: trials of the refine stage (taken from ``trials``).
        wave: trials of a history-matching wave after the polish (:meth:`_Fit.wave`; on top of
            ``trials``; they never become the result, they widen the ensemble).
        cutoff: the implausibility cut-off the wave's box is drawn from.
        holiday_lift: the other areas' December same-day lift in points (None: not estimated).
        progress: ``progress(label, done, total)`` after each trial and correction run.

    Returns:
        The best trial (:class:`FitResult`).
    """
    correcting = season_target is not None and season_steps > 0
    _check_stages(trials, pilot, polish, refine, correcting, season_window)
    t0 = time.perf_counter()
    run = _Fit(copy.deepcopy(mapping), components, months, params, reps, list_size, progress,
               trials + wave + (season_steps if correcting else 0))
    start = run.pilot(pilot)
    run.search(start, bool(pilot), trials - pilot - polish - refine, seed,
               startup_trials(trials - pilot - polish))
    run.refine(refine, seed + 1)
    first_final = len(run.rows)
    candidates = [min(range(len(run.rows)), key=lambda k: run.rows[k]["distance"])]
    if correcting:
        assert season_target is not None and season_window is not None
        anchor = run.correct_calendar(_Calendar(season_target, season_window, season_steps,
                                                holiday_lift, season_reps))
        # the earlier trials ran with the old profile: score the anchor under the new one
        candidates = []
        run.best.update(distance=float("inf"))
        run.evaluate("polish", anchor)
        polish -= 1
    run.polish(polish, first_final)
    candidates += list(range(first_final, len(run.rows)))
    # the final choice among the candidates is made on ``final_reps`` replications: single
    # replications differ by more than the polishing moves
    key = "distance"
    if final_reps > reps:
        key = "final_distance"
        run.rescore(candidates, final_reps)
    if wave:
        run.wave(wave, seed + 2, cutoff)
    return run.result(candidates, key, time.perf_counter() - t0)
