"""The transfer check: calibrated parameters applied to other STPs, checked on their own months.

Each other STP is built from its own registered list (a stratified sample of its practices, like
the fitted one); every fitted and estimated parameter (seasonality included) is kept, and its
months pass where the total is within :data:`sim.calibrate.evaluate.TRANSFER_TOLERANCE`.
With ``fit_months`` given, the STP's own demand level is refitted on those months first
(:func:`sim.calibrate.level.refit_level`, only ``demand.rate_multiplier``), as the simple forecast
takes each STP's level from its own fit months; the pure transfer is run as well and kept beside it.
With a :class:`sim.calibrate.transfer_season.TransferSeason`, each STP's request profile is the
other STPs' mean, itself left out, through the model's seasonal correction, as the forecast's;
with ``own_lag_steps`` that correction is run again on the STP's own sample at its refitted rate
(:func:`sim.calibrate.transfer_season.own_lag_profile`), before the final level correction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.calibrate.ensemble import predictive_runs
from sim.calibrate.evaluate import (
    DEFAULT_EVAL_REPS,
    EVAL_FIRST_REP,
    TRANSFER_TOLERANCE,
    acceptance,
    fit_table,
)
from sim.calibrate.level import (
    DEFAULT_FINAL_REPS,
    DEFAULT_LEVEL_REPS,
    LEVEL_FIRST_REP,
    LevelFit,
    correct_level,
    elasticity,
    refit_level,
    scale_members,
    with_rate,
)
from sim.calibrate.observed import area_rows, load_area, month_labels, observed_targets
from sim.calibrate.runs import Progress, simulate_intervals
from sim.calibrate.sample import DEFAULT_SAMPLE_PRACTICES, simulation_mapping
from sim.calibrate.seasonal import DEFAULT_SEASON_REPS
from sim.calibrate.transfer_season import TransferSeason, own_lag_profile

#: Decimal places of each month's total error (per cent) in the manifest.
ERROR_DECIMALS = 2


def _with_profile(mapping: dict[str, Any], profile: list[float]) -> dict[str, Any]:
    """A copy of ``mapping`` (demand copied) with ``demand.monthly_seasonality`` set."""
    return {**mapping, "demand": {**mapping["demand"], "monthly_seasonality": profile}}


def own_level_and_lag(mapping: dict[str, Any], observed: dict[Any, float],
                      fit_months: Sequence[pd.Timestamp], season: TransferSeason | None,
                      sub_icbs: Sequence[str], level_reps: int, own_lag_steps: int,
                      own_lag_reps: int = DEFAULT_SEASON_REPS
                      ) -> tuple[LevelFit, dict[str, Any], pd.DataFrame]:
    """The STP's refitted level and, with ``own_lag_steps``, its own-lag profile.

    Without the own lag: :func:`sim.calibrate.level.refit_level` with its final correction.
    With it: the level steps, then ``own_lag_steps`` corrections of the profile on the STP's
    own sample at that rate (:func:`sim.calibrate.transfer_season.own_lag_profile`), then the
    final level correction under the new profile (a profile normalised to mean 1 can still move
    the fit months' share of the year). Fit months only; returns (level, mapping with the
    profile, the correction table).
    """
    if season is None or own_lag_steps <= 0:
        return refit_level(mapping, observed, fit_months, final_reps=level_reps), mapping, (
            pd.DataFrame())
    level = refit_level(mapping, observed, fit_months, final_reps=0)
    profile, table = own_lag_profile(with_rate(mapping, level.rate), season, sub_icbs,
                                     own_lag_steps, reps=own_lag_reps)
    mapping = _with_profile(mapping, profile)
    if level_reps > 0:
        points = [(s["rate_multiplier"], s["simulated_over_observed"]) for s in level.steps]
        final = correct_level(with_rate(mapping, level.rate), observed, fit_months,
                              reps=level_reps,
                              first_rep=LEVEL_FIRST_REP + DEFAULT_LEVEL_REPS * len(points),
                              elasticity_=elasticity(points))
        level.steps += final.steps
        level.rate = final.rate
    return level, mapping, table


@dataclass
class Transfers:
    """The transfer checks of a calibration.

    Attributes:
        table: fit-table rows with period ``transfer:<STP>``.
        checks: :func:`sim.calibrate.evaluate.acceptance` rows of each transfer period.
        entries: one manifest entry per STP.
        runs: per STP, the ensemble runs (:func:`sim.calibrate.ensemble.predictive_runs`).
        pure: fit-table rows of the pure transfers (no level refit), where the level was refitted.
    """

    table: pd.DataFrame
    checks: pd.DataFrame
    entries: list[dict[str, Any]] = field(default_factory=list)
    runs: dict[str, pd.DataFrame] = field(default_factory=dict)
    pure: pd.DataFrame = field(default_factory=pd.DataFrame)


def transfer_check(
    calibrated_full: dict[str, Any],
    code: str,
    appointments: pd.DataFrame,
    months: Sequence[pd.Timestamp],
    *,
    map_file: Path,
    patients_file: Path,
    sample_practices: int = DEFAULT_SAMPLE_PRACTICES,
    eval_reps: int = DEFAULT_EVAL_REPS,
    workforce_file: Path | None = None,
    progress: Progress | None = None,
    ensemble: Sequence[dict[str, Any]] = (),
    fit_months: Sequence[pd.Timestamp] = (),
    season: TransferSeason | None = None,
    level_reps: int = DEFAULT_FINAL_REPS,
    own_lag_steps: int = 0,
    own_lag_reps: int = DEFAULT_SEASON_REPS,
    share_65plus_file: Path | None = None,
) -> tuple[pd.DataFrame, dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """Apply calibrated parameters to another STP and compare its months.

    The other STP is built from its own registered list (a stratified sample of its practices,
    like the fitted one); every fitted and estimated parameter (seasonality included) is kept.

    With ``fit_months``, ``demand.rate_multiplier`` is first refitted to the STP's own observed
    totals of those months (:func:`sim.calibrate.level.refit_level`; the ensemble members' rates
    are scaled by the same factor), and the pure transfer is run too. With ``season``, the STP's
    ``demand.monthly_seasonality`` is its leave-own-out profile
    (:meth:`sim.calibrate.transfer_season.TransferSeason.profile`), in both; with
    ``own_lag_steps`` too (and ``fit_months``), that profile is then corrected for the STP's own
    booking lag at its refitted rate (:func:`own_level_and_lag`), in both.

    Returns:
        Fit-table rows with period ``transfer:<code>``, a manifest entry, with an ``ensemble``
        its runs (one member per replication), and the pure transfer's rows (empty without
        ``fit_months``).
    """
    area = load_area(code, map_file, patients_file)
    rows = area_rows(appointments, area)
    obs = observed_targets(rows, area.list_size, months)
    mapping, info = simulation_mapping(area, sample_practices, calibrated_full, map_file,
                                       patients_file, workforce_file, share_65plus_file)
    period = f"transfer:{area.icb_code}"
    seasonality = None
    if season is not None:
        seasonality = season.profile(area.sub_icb_codes)
        mapping = _with_profile(mapping, seasonality)
    pure = pd.DataFrame()
    level = None
    lag_table = pd.DataFrame()
    if fit_months:
        rates = obs.targets.loc[obs.targets["target"] == "attended_per_1000"]
        level, mapping, lag_table = own_level_and_lag(
            mapping, dict(zip(rates["month"], rates["value"], strict=True)), fit_months,
            season, area.sub_icb_codes, level_reps, own_lag_steps, own_lag_reps)
        if len(lag_table):
            seasonality = list(mapping["demand"]["monthly_seasonality"])
        pure_intervals, _ = simulate_intervals(mapping, months, eval_reps,
                                               first_rep=EVAL_FIRST_REP, progress=progress,
                                               label=f"pure transfer {code}")
        pure = fit_table(obs.targets, pure_intervals, {period: months})
        mapping = with_rate(mapping, level.rate)
        ensemble = scale_members(ensemble, level.factor)
    intervals, _ = simulate_intervals(mapping, months, eval_reps, first_rep=EVAL_FIRST_REP,
                                      progress=progress, label=f"transfer {code}")
    runs = predictive_runs(mapping, ensemble, months, eval_reps, EVAL_FIRST_REP,
                           progress=progress, label=f"ensemble {code}") if ensemble else (
        pd.DataFrame())
    table = fit_table(obs.targets, intervals, {period: months})
    checks = acceptance(table, period, total_tolerance=TRANSFER_TOLERANCE, shares=False)
    entry = {
        "code": code, "stp": area.icb_code, "name": area.name, "ccgs": area.sub_icb_codes,
        "list_size": area.list_size, "list_note": area.list_note, "sample": info,
        "months": month_labels(months),
        "total_error_pct": {r.month: round(r.total_error_pct, ERROR_DECIMALS)
                            for r in checks.itertuples()},
        "pass_within_10pct": bool(checks["pass"].all()),
        "months_passing": int(checks["pass"].sum()),
        "level": level.as_dict() if level else None,
        "monthly_seasonality": seasonality,
        "own_lag_correction": lag_table.to_dict("records") if len(lag_table) else None,
    }
    if len(pure):
        pure_checks = acceptance(pure, period, total_tolerance=TRANSFER_TOLERANCE, shares=False)
        entry["pure_total_error_pct"] = {r.month: round(r.total_error_pct, ERROR_DECIMALS)
                                         for r in pure_checks.itertuples()}
    return table, entry, runs, pure


def check_transfers(full_fitted: dict[str, Any], codes: Sequence[str], appointments: pd.DataFrame,
                    months: Sequence[pd.Timestamp], columns: Sequence[str], *, map_file: Path,
                    patients_file: Path, sample_practices: int, eval_reps: int,
                    workforce_file: Path | None, progress: Progress | None,
                    ensemble: Sequence[dict[str, Any]] = (),
                    fit_months: Sequence[pd.Timestamp] = (),
                    season: TransferSeason | None = None,
                    level_reps: int = DEFAULT_FINAL_REPS, own_lag_steps: int = 0,
                    own_lag_reps: int = DEFAULT_SEASON_REPS,
                    share_65plus_file: Path | None = None) -> Transfers:
    """:func:`transfer_check` for each STP of ``codes``; an empty table (``columns``) for none."""
    tables, entries, runs, pures = [], [], {}, []
    for code in codes:
        table, entry, runs[code], pure = transfer_check(
            full_fitted, code, appointments, months, map_file=map_file,
            patients_file=patients_file, sample_practices=sample_practices or DEFAULT_SAMPLE_PRACTICES,
            eval_reps=eval_reps, workforce_file=workforce_file, progress=progress,
            ensemble=ensemble, fit_months=fit_months, season=season, level_reps=level_reps,
            own_lag_steps=own_lag_steps, own_lag_reps=own_lag_reps,
            share_65plus_file=share_65plus_file)
        runs[entry["stp"]] = runs.pop(code)
        pures.append(pure)
        tables.append(table)
        entries.append(entry)
    if not tables:
        return Transfers(pd.DataFrame(columns=list(columns)), pd.DataFrame(), entries)
    table = pd.concat(tables, ignore_index=True)
    checks = pd.concat(
        [acceptance(table, p, total_tolerance=TRANSFER_TOLERANCE, shares=False).assign(period=p)
         for p in table["period"].unique()], ignore_index=True) if len(table) else pd.DataFrame()
    pure = pd.concat(pures, ignore_index=True) if any(len(p) for p in pures) else pd.DataFrame()
    return Transfers(table, checks, entries, runs, pure)
