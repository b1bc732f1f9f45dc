"""The whole calibration: observed targets, practice sample, fit, evaluation, transfer, outputs.

:func:`calibrate` is what ``gpsim calibrate`` runs; each step is a module of its own
(:mod:`~sim.calibrate.seasonal`, :mod:`~sim.calibrate.sample`, :mod:`~sim.calibrate.fit`,
:mod:`~sim.calibrate.evaluate`, :mod:`~sim.calibrate.transfer`, :mod:`~sim.calibrate.outputs`).
Nothing here draws to the terminal: progress goes to a callback.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.calibrate.ensemble import (
    discrepancy,
    members,
    predictive_intervals,
    predictive_runs,
    select,
)
from sim.calibrate.evaluate import EVAL_FIRST_REP, acceptance, fit_table
from sim.calibrate.fit import FitResult, fit
from sim.calibrate.forecast import baseline_table, forecast_profile
from sim.calibrate.level import LevelFit, correct_level
from sim.calibrate.observed import (
    Area,
    Observed,
    area_rows,
    load_area,
    observed_targets,
    read_appointments,
)
from sim.calibrate.outofsample import OutOfSample, combined_sd, loo_discrepancy
from sim.calibrate.outputs import Record, write_outputs
from sim.calibrate.parameters import Parameter, apply_parameters, parameters_by_name
from sim.calibrate.runs import Progress, parallel_runs, simulate_intervals, worker_cpu_seconds
from sim.calibrate.sample import simulation_mapping
from sim.calibrate.seasonal import (
    CalendarTerms,
    adopt_fitted_calendar,
    estimate_calendar_terms,
    season_window,
)
from sim.calibrate.settings import Settings, StudyMonths, study_months
from sim.calibrate.targets import Component, default_components
from sim.calibrate.transfer import Transfers, check_transfers
from sim.calibrate.transfer_season import TransferSeason
from sim.config.loading import load_scenario


@dataclass
class Calibration:
    """What :func:`calibrate` produced (also written to the output folder)."""

    area: Area
    fit: FitResult
    table: pd.DataFrame
    acceptance: pd.DataFrame
    transfer: pd.DataFrame
    manifest: dict[str, Any]
    calibrated: dict[str, Any]
    paths: dict[str, Path]
    baseline: pd.DataFrame


def _observed_rates(rows: pd.DataFrame) -> dict[str, float]:
    """Observed attended appointments per 1,000 by month (``YYYY-MM``) of fit-table rows."""
    rows = rows.loc[rows["target"] == "attended_per_1000"]
    return dict(zip(rows["month"], rows["observed"].astype(float), strict=True))


def _window(appointments: pd.DataFrame, months: StudyMonths,
            calendar: CalendarTerms) -> list[pd.Timestamp]:
    """The seasonal window: the calendar terms', or the 12 months ending with the study."""
    return list(calendar.window or season_window(
        None, months.span, [pd.Timestamp(m) for m in appointments["month"].unique()]))


def _predictive(table: pd.DataFrame, runs: pd.DataFrame, transfers: Transfers, area: Area,
                months: StudyMonths, appointments: pd.DataFrame, window: list[pd.Timestamp]
                ) -> tuple[dict[str, pd.DataFrame], float, dict[str, OutOfSample]]:
    """Each STP's monthly 90% intervals, the in-sample discrepancy and each STP's out-of-sample one.

    The in-sample discrepancy is measured on the fitted STP's fit months; each STP's out-of-sample
    discrepancy on the other areas only (:func:`sim.calibrate.outofsample.loo_discrepancy`), so
    no held-out observation of an STP enters its own interval.
    """
    md = discrepancy(runs, _observed_rates(table), [m.strftime("%Y-%m") for m in months.fit])
    ccgs = {area.icb_code: area.sub_icb_codes} | {e["stp"]: e["ccgs"] for e in transfers.entries}
    all_runs = {area.icb_code: runs} | transfers.runs
    out, oos = {}, {}
    for stp, stp_runs in all_runs.items():
        if len(stp_runs):
            oos[stp] = loo_discrepancy(appointments, ccgs[stp], months.fit, months.holdout, window)
            out[stp] = predictive_intervals(stp_runs, combined_sd(oos[stp].relative_sd, md))
    return out, md, oos


def _baseline(appointments: pd.DataFrame, area: Area, months: StudyMonths,
              calendar: CalendarTerms, table: pd.DataFrame, transfers: Transfers,
              predictive: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """The simple forecast beside the model, month by month, for the STP and each transfer STP."""
    window = _window(appointments, months, calendar)
    period_of = {m.strftime("%Y-%m"): "fit" for m in months.fit} | {
        m.strftime("%Y-%m"): "holdout" for m in months.holdout}
    predictive = predictive or {}
    areas = [(area.icb_code, area.sub_icb_codes, table, None)]
    for entry in transfers.entries:
        period = f"transfer:{entry['stp']}"
        rows = transfers.table.loc[transfers.table["period"] == period]
        pure = (transfers.pure.loc[transfers.pure["period"] == period]
                if len(transfers.pure) else None)
        areas.append((entry["stp"], entry["ccgs"], rows, pure))
    frames = [baseline_table(rows, code, period_of, months.fit,
                             forecast_profile(appointments, ccgs, window), predictive.get(code),
                             pure)
              for code, ccgs, rows, pure in areas]
    return pd.concat(frames, ignore_index=True)


def _transfer_season(settings: Settings, appointments: pd.DataFrame, calendar: CalendarTerms,
                     full: dict[str, Any], corrected: list[float] | None) -> TransferSeason | None:
    """What each transfer STP's leave-own-out profile is made from (None: the fitted STP's kept)."""
    if not (settings.transfer_season and calendar.seasonality and calendar.window and corrected):
        return None
    return TransferSeason(appointments, list(calendar.window), list(full["demand"]["day_of_week"]),
                          list(corrected), list(calendar.seasonality))


def _observe(settings: Settings, appointments: pd.DataFrame, map_file: Path,
             patients_file: Path, months: StudyMonths) -> tuple[Area, Observed]:
    """The STP to fit and its observed targets over every month studied."""
    area = load_area(settings.stp, map_file, patients_file)
    rows = area_rows(appointments, area)
    if rows.empty:
        raise ValueError(f"no appointments for {area.icb_code} ({area.name}; CCGs "
                         f"{', '.join(area.sub_icb_codes)}) in the appointment files")
    return area, observed_targets(rows, area.list_size, months.span)


def _intervention_notes(settings: Settings, interventions: int) -> list[str]:
    """A note that the input's interventions were not simulated, where a sample replaced its area."""
    if settings.sample_practices > 0 and interventions:
        return [f"the input scenario's {interventions} intervention(s) were not simulated: "
                "they name practices of its own area (kept in calibrated.yaml)"]
    return []


def _fit(mapping: dict[str, Any], components: Sequence[Component], months: StudyMonths,
         params: Sequence[Parameter], settings: Settings, calendar: CalendarTerms,
         progress: Progress | None) -> FitResult:
    """Run the fit with the settings' stages and the calendar terms' correction targets."""
    return fit(mapping, components, months.fit, params=params, trials=settings.trials,
               pilot=settings.pilot, polish=settings.polish, reps=settings.reps,
               seed=settings.seed, progress=progress,
               season_target=calendar.seasonality, season_window=calendar.window,
               season_steps=settings.season_steps if calendar.seasonality else 0,
               season_reps=settings.season_reps,
               final_reps=settings.final_reps, holiday_lift=calendar.holiday_lift,
               refine=settings.refine, wave=settings.wave, cutoff=settings.cutoff)


def _correct_fitted_level(mapping: dict[str, Any], result: FitResult, params: Sequence[Parameter],
                          observed: Observed, months: StudyMonths, reps: int) -> LevelFit | None:
    """The final level correction of the fitted rate (fit months, ``reps`` fresh replications).

    The fit chooses among candidates on 3 replications; the chosen rate is then corrected on
    ``reps`` more (:func:`sim.calibrate.level.correct_level`) and ``result.best`` updated. None
    where the rate is not fitted or ``reps`` is 0.
    """
    if reps <= 0 or "rate_multiplier" not in result.best:
        return None
    rates = observed.targets.loc[observed.targets["target"] == "attended_per_1000"]
    level = correct_level(apply_parameters(mapping, result.best, params),
                          dict(zip(pd.to_datetime(rates["month"]), rates["value"], strict=True)),
                          months.fit, reps=reps)
    result.best["rate_multiplier"] = round(level.rate, 6)
    return level


def _evaluate(fitted_mapping: dict[str, Any], observed: Observed, months: StudyMonths,
              components: Sequence[Component], eval_reps: int, progress: Progress | None
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The fit table over the fit and held-out months, and both periods' acceptance checks."""
    intervals, _ = simulate_intervals(fitted_mapping, months.span, eval_reps,
                                      first_rep=EVAL_FIRST_REP, progress=progress,
                                      label="evaluate")
    table = fit_table(observed.targets, intervals, {"fit": months.fit, "holdout": months.holdout},
                      components)
    checks = pd.concat([acceptance(table, "fit").assign(period="fit"),
                        acceptance(table, "holdout").assign(period="holdout")],
                       ignore_index=True)
    return table, checks


def calibrate(
    scenario_file: Path,
    appointment_files: Sequence[Path],
    settings: Settings,
    out: Path,
    *,
    map_file: Path,
    patients_file: Path,
    workforce_file: Path | None = None,
    progress: Progress | None = None,
    share_65plus_file: Path | None = None,
) -> Calibration:
    """Fit the scenario to one STP's months and write the outputs to ``out``.

    Args:
        scenario_file: the input scenario (its parameters; its area is replaced by the sample
            unless ``settings.sample_practices`` is 0).
        appointment_files: GPAD ``Regional_CSV_*.csv`` files: the STP's and, for the seasonal
            profile, other areas'.
        settings: see :class:`~sim.calibrate.settings.Settings`.
        out: output folder (created).
        map_file: ``gp-reg-pat-prac-map.csv`` (practice -> PCN -> CCG -> STP).
        patients_file: ``gp-reg-pat-prac-all.csv`` (list sizes: the per-1,000 denominator and
            the sample's lists).
        workforce_file: optional GPW practice-level CSV for the sample's staff.
        progress: ``progress(label, done, total)``.
        share_65plus_file: Fingertips 93468 share aged 65+ by practice: each sampled practice's
            age mix (the fitted STP's and the transfer STPs') is the England mix tilted to it;
            ``None``: the England mix for all.
    """
    with parallel_runs(settings.workers):
        return _calibrate(scenario_file, appointment_files, settings, out, map_file=map_file,
                          patients_file=patients_file, workforce_file=workforce_file,
                          progress=progress, share_65plus_file=share_65plus_file)


def _calibrate(scenario_file: Path, appointment_files: Sequence[Path], settings: Settings,
               out: Path, *, map_file: Path, patients_file: Path, workforce_file: Path | None,
               progress: Progress | None, share_65plus_file: Path | None = None) -> Calibration:
    """:func:`calibrate` inside its pool of worker processes."""
    t_start = time.perf_counter()
    cpu_start, worker_start = time.process_time(), worker_cpu_seconds()
    started = dt.datetime.now()
    timings: dict[str, float] = {}
    months = study_months(settings)
    params = parameters_by_name(settings.params)
    scenario = load_scenario(scenario_file)
    full = scenario.model_dump(mode="json")
    appointments = read_appointments(appointment_files)
    area, observed = _observe(settings, appointments, map_file, patients_file, months)
    timings["read_s"] = time.perf_counter() - t_start

    calendar = estimate_calendar_terms(full, appointments, area, months.span,
                                       season_months=settings.season_months,
                                       staff_mix=settings.staff_mix, holiday=settings.holiday)
    mapping, sample_info = simulation_mapping(area, settings.sample_practices, full, map_file,
                                              patients_file, workforce_file, share_65plus_file)
    notes = _intervention_notes(settings, len(scenario.interventions))
    fit_obs = observed.targets.loc[observed.targets["month"].isin(months.fit)]
    components = default_components(fit_obs, weights=settings.weights,
                                    share_distance=settings.share_distance)

    t0 = time.perf_counter()
    result = _fit(mapping, components, months, params, settings, calendar, progress)
    seasonality = adopt_fitted_calendar(calendar, result.seasonality, result.holiday_share,
                                        result.holiday_steps, settings.season_steps,
                                        (mapping, full))
    level_fix = _correct_fitted_level(mapping, result, params, observed, months,
                                      settings.level_reps)
    timings["fit_s"] = time.perf_counter() - t0
    sets, implausible = select(result.trials, components, params, result.best,
                               cutoff=settings.cutoff, max_members=settings.members,
                               noise=result.noise)
    ensemble, ensemble_warm_up = members(full, sets, params, seasonality)

    t0 = time.perf_counter()
    fitted_mapping = apply_parameters(mapping, result.best, params)
    table, checks = _evaluate(fitted_mapping, observed, months, components, settings.eval_reps,
                              progress)
    ens_runs = predictive_runs(fitted_mapping, ensemble, months.span, settings.eval_reps,
                               EVAL_FIRST_REP, progress=progress)
    timings["evaluate_s"] = time.perf_counter() - t0

    full_fitted = apply_parameters(full, result.best, params)
    t0 = time.perf_counter()
    transfers = check_transfers(
        full_fitted, settings.transfer, appointments, months.span, table.columns,
        map_file=map_file, patients_file=patients_file,
        sample_practices=settings.sample_practices, eval_reps=settings.eval_reps,
        workforce_file=workforce_file, progress=progress, ensemble=ensemble,
        fit_months=months.fit if settings.level_refit else (),
        level_reps=settings.level_reps, season=_transfer_season(
            settings, appointments, calendar, full, seasonality),
        own_lag_steps=settings.season_steps if settings.transfer_lag else 0,
        own_lag_reps=settings.season_reps, share_65plus_file=share_65plus_file)
    timings["transfer_s"] = time.perf_counter() - t0
    predictive, md, oos = _predictive(table, ens_runs, transfers, area, months, appointments,
                                      _window(appointments, months, calendar))
    baseline = _baseline(appointments, area, months, calendar, table, transfers, predictive)
    uncertainty = {"ensemble": ensemble, "implausibility": implausible,
                   "fitted_level_correction": level_fix.as_dict() if level_fix else None,
                   "warm_up_days": ensemble_warm_up, "discrepancy": md,
                   "out_of_sample": {k: v.as_dict() for k, v in oos.items()},
                   "runs": pd.concat([ens_runs.assign(stp=area.icb_code)]
                                     + [r.assign(stp=c) for c, r in transfers.runs.items()],
                                     ignore_index=True)}

    timings["cpu_main_s"] = time.process_time() - cpu_start
    timings["cpu_worker_runs_s"] = worker_cpu_seconds() - worker_start
    record = Record(
        settings=settings, scenario_file=scenario_file, appointment_files=appointment_files,
        map_file=map_file, patients_file=patients_file, workforce_file=workforce_file, area=area,
        sample=sample_info, months=months, observed=observed, seasonality=seasonality,
        season_info=calendar.info, components=components, params=params, result=result,
        model_seed=scenario.seed, fitted_mapping=fitted_mapping, full_fitted=full_fitted,
        table=table, checks=checks, transfers=transfers, notes=notes, timings=timings,
        started=started, t_start=t_start, baseline=baseline, uncertainty=uncertainty)
    paths, manifest, calibrated, all_checks = write_outputs(record, out)
    return Calibration(area=area, fit=result, table=table, acceptance=all_checks,
                       transfer=transfers.table, manifest=manifest, calibrated=calibrated,
                       paths=paths, baseline=baseline)
