"""The whole calibration: observed targets, practice sample, fit, evaluation, transfer, outputs.

:func:`calibrate` is what ``gpsim calibrate`` runs; :func:`transfer_check` applies calibrated
parameters to another STP. Nothing here draws to the terminal: progress goes to a callback.
"""

from __future__ import annotations

import copy
import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.calibrate.fit import (
    SHARE_TOLERANCE,
    TOTAL_TOLERANCE,
    TRANSFER_TOLERANCE,
    FitResult,
    Parameter,
    Progress,
    acceptance,
    apply_parameters,
    fit,
    fit_table,
    fitted_overrides,
    gp_first,
    parameters_by_name,
    simulate_intervals,
    warm_up_for,
)
from sim.calibrate.observed import (
    Area,
    Observed,
    area_rows,
    december_same_day_lift,
    load_area,
    month_range,
    observed_targets,
    read_appointments,
    seasonal_profile,
    staff_mix_profile,
    working_days,
)
from sim.calibrate.sample import sample_area_mapping, with_area
from sim.calibrate.targets import Component, default_components
from sim.config.loading import deep_merge, load_raw, load_scenario, scenario_from_mapping

#: Replication numbers of the evaluation runs start here, away from the fit's 0, 1, ...: the
#: intervals come from runs the fit never saw.
EVAL_FIRST_REP = 1000


@dataclass
class Settings:
    """Everything :func:`calibrate` needs besides the files.

    Attributes:
        stp: the STP to fit (STP/ICB code, its ONS code or one of its CCG codes).
        fit_months, holdout_months: ``YYYY-MM:YYYY-MM``.
        trials: fit trials in all (pilot and polish included).
        reps: replications per trial.
        eval_reps: replications of the best parameters for the intervals.
        sample_practices: practices in the sample (0: simulate the scenario's own area).
        seed: the TPE sampler's seed (the model's seed is the scenario's).
        season_months: the window the seasonal profile is estimated over (``None``: the 12
            months ending with the last fit or held-out month); ``"scenario"`` keeps the input
            scenario's profile.
        transfer: STP codes to apply the calibrated parameters to.
        params: parameter names to fit (``None``: all of :data:`sim.calibrate.fit.PARAMETERS`).
        weights: component weights overriding :data:`sim.calibrate.targets.DEFAULT_WEIGHTS`.
        share_distance: ``"squared"`` or ``"multinomial"``.
        pilot, polish: trials in the pilot and polish stages.
        refine: trials of the refine stage (lead and next-day parameters; 0: none), taken from
            ``trials``.
        season_steps: steps of :func:`sim.calibrate.fit.correct_seasonality` (0: none).
        final_reps: replications the final candidates are compared on.
        staff_mix: with a seasonal profile from other areas, also give the non-GP-first needs
            the other areas' monthly staff mix (``monthly_share_factor``).
        holiday: with a seasonal profile from other areas, turn on ``demand.holiday_booking``
            and set its ``avoid_share`` to the other areas' December same-day lift.
    """

    stp: str
    fit_months: str
    holdout_months: str
    trials: int = 120
    reps: int = 1
    eval_reps: int = 8
    sample_practices: int = 10
    seed: int = 20190401
    season_months: str | None = None
    transfer: Sequence[str] = ()
    params: Sequence[str] | None = None
    weights: dict[str, float] = field(default_factory=dict)
    share_distance: str = "squared"
    pilot: int = 3
    polish: int = 3
    refine: int = 0
    season_steps: int = 1
    final_reps: int = 3
    staff_mix: bool = True
    holiday: bool = True


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


def _months_text(months: Sequence[pd.Timestamp]) -> list[str]:
    return [m.strftime("%Y-%m") for m in months]


def _season_window(settings: Settings, months: Sequence[pd.Timestamp],
                   available: Sequence[pd.Timestamp]) -> list[pd.Timestamp]:
    """The seasonal window: as given, or else the 12 months ending with the last month studied.

    Where the data do not cover those, the run of 12 months in the data ending nearest to it.
    """
    if settings.season_months:
        return month_range(settings.season_months)
    last = max(months)
    have = set(available)
    candidates = []
    for end in sorted(have):
        window = list(pd.date_range(end - pd.DateOffset(months=11), end, freq="MS"))
        if all(m in have for m in window):
            candidates.append(window)
    if not candidates:
        raise ValueError("the other areas' appointment files do not cover 12 consecutive months: "
                         "give --season-months or --season-months scenario")
    return min(candidates, key=lambda w: (abs((w[-1] - last).days), w[-1]))


def _sample_mapping(area: Area, settings: Settings, full: dict[str, Any], map_file: Path,
                    patients_file: Path, workforce_file: Path | None
                    ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The mapping to simulate for ``area`` and a description of the sample."""
    if settings.sample_practices <= 0:
        mapping = copy.deepcopy(full)
        info = {"kind": "the scenario's own area", "practices": [],
                "patients": scenario_from_mapping(copy.deepcopy(full), "<input>").list_size}
        return mapping, info
    area_map, sample, notes = sample_area_mapping(area, settings.sample_practices, map_file,
                                                  patients_file, workforce_file=workforce_file)
    mapping = with_area(full, area_map, name=f"{full.get('name', 'scenario')}-{area.icb_code}")
    info = {
        "kind": (f"stratified sample of {len(sample)} of the STP's {len(area.practices)} "
                 "practices (one per list-size stratum, the stratum's median practice)"),
        "practices": [{"code": r.practice_code, "name": r.practice_name,
                       "list_size": int(r.list_size), "stratum": int(r.stratum)}
                      for r in sample.itertuples()],
        "patients": int(sample["list_size"].sum()),
        "builder_notes": notes,
    }
    return mapping, info


def transfer_check(
    calibrated_full: dict[str, Any],
    code: str,
    appointments: pd.DataFrame,
    months: Sequence[pd.Timestamp],
    *,
    map_file: Path,
    patients_file: Path,
    sample_practices: int = 10,
    eval_reps: int = 8,
    workforce_file: Path | None = None,
    progress: Progress | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Apply calibrated parameters to another STP and compare its months.

    The other STP is built from its own registered list (a stratified sample of its practices,
    like the fitted one); every fitted and estimated parameter (seasonality included) is kept.

    Returns:
        Fit-table rows with period ``transfer:<code>`` and a manifest entry.
    """
    area = load_area(code, map_file, patients_file)
    rows = area_rows(appointments, area)
    obs = observed_targets(rows, area.list_size, months)
    settings = Settings(stp=code, fit_months="", holdout_months="",
                        sample_practices=sample_practices)
    mapping, info = _sample_mapping(area, settings, calibrated_full, map_file, patients_file,
                                    workforce_file)
    intervals, _ = simulate_intervals(mapping, months, eval_reps, first_rep=EVAL_FIRST_REP,
                                      progress=progress, label=f"transfer {code}")
    period = f"transfer:{area.icb_code}"
    table = fit_table(obs.targets, intervals, {period: months})
    checks = acceptance(table, period, total_tolerance=TRANSFER_TOLERANCE, shares=False)
    entry = {
        "code": code, "stp": area.icb_code, "name": area.name, "ccgs": area.sub_icb_codes,
        "list_size": area.list_size, "list_note": area.list_note, "sample": info,
        "months": _months_text(months),
        "total_error_pct": {r.month: round(r.total_error_pct, 2) for r in checks.itertuples()},
        "pass_within_10pct": bool(checks["pass"].all()),
        "months_passing": int(checks["pass"].sum()),
    }
    return table, entry


def _parameters_table(params: Sequence[Parameter], result: FitResult) -> pd.DataFrame:
    return pd.DataFrame([{
        "parameter": p.name, "description": p.description, "scenario_fields": p.fields,
        "low": p.low, "high": p.high, "input_value": result.base[p.name],
        "fitted_value": result.best[p.name],
    } for p in params])


def _calibrated_yaml(scenario_file: Path, full_fitted: dict[str, Any],
                     seasonality: list[float] | None, note: str) -> dict[str, Any]:
    """The input scenario (extends resolved) with the fitted fields merged in."""
    raw, _ = load_raw(scenario_file)
    raw = {k: v for k, v in raw.items() if k != "extends"}
    merged = deep_merge(raw, fitted_overrides(full_fitted, seasonality))
    merged["warm_up_days"] = max(int(raw.get("warm_up_days", 28)), warm_up_for(full_fitted))
    merged["name"] = f"{raw.get('name', 'scenario')}-calibrated"
    merged["description"] = (str(raw.get("description", "")).rstrip() + "\n" + note).strip()
    return merged


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
) -> Calibration:
    """Fit the scenario to one STP's months and write the outputs to ``out``.

    Args:
        scenario_file: the input scenario (its parameters; its area is replaced by the sample
            unless ``settings.sample_practices`` is 0).
        appointment_files: GPAD ``Regional_CSV_*.csv`` files: the STP's and, for the seasonal
            profile, other areas'.
        settings: see :class:`Settings`.
        out: output folder (created).
        map_file: ``gp-reg-pat-prac-map.csv`` (practice -> PCN -> CCG -> STP).
        patients_file: ``gp-reg-pat-prac-all.csv`` (list sizes: the per-1,000 denominator and
            the sample's lists).
        workforce_file: optional GPW practice-level CSV for the sample's staff.
        progress: ``progress(label, done, total)``.
    """
    t_start = time.perf_counter()
    started = dt.datetime.now()
    timings: dict[str, float] = {}
    fit_months = month_range(settings.fit_months)
    hold_months = month_range(settings.holdout_months)
    if set(fit_months) & set(hold_months):
        raise ValueError("the fit and held-out months overlap")
    all_months = sorted(set(fit_months) | set(hold_months))
    span_months = list(pd.date_range(all_months[0], all_months[-1], freq="MS"))
    params = parameters_by_name(settings.params)

    scenario = load_scenario(scenario_file)
    full = scenario.model_dump(mode="json")
    appointments = read_appointments(appointment_files)
    area = load_area(settings.stp, map_file, patients_file)
    rows = area_rows(appointments, area)
    if rows.empty:
        raise ValueError(f"no appointments for {area.icb_code} ({area.name}; CCGs "
                         f"{', '.join(area.sub_icb_codes)}) in the appointment files")
    observed: Observed = observed_targets(rows, area.list_size, span_months)
    timings["read_s"] = time.perf_counter() - t_start

    notes: list[str] = []
    season_info: dict[str, Any]
    season_window: list[pd.Timestamp] | None = None
    holiday_lift: float | None = None
    if settings.season_months == "scenario":
        seasonality = None
        season_info = {"source": "the input scenario's demand.monthly_seasonality",
                       "values": list(full["demand"]["monthly_seasonality"])}
    else:
        others = appointments.loc[~appointments["sub_icb_code"].isin(area.sub_icb_codes)]
        window = _season_window(settings, span_months,
                                [pd.Timestamp(m) for m in others["month"].unique()])
        season_window = window
        seasonality, per_area = seasonal_profile(appointments, area.sub_icb_codes, window,
                                                 full["demand"]["day_of_week"])
        full["demand"]["monthly_seasonality"] = seasonality
        season_info = {
            "source": ("attended appointments per weighted working day (weekday weights x "
                       "English working days, bank holidays from the holidays package) by "
                       "calendar month, other areas' data, each area normalised, then averaged"),
            "window": _months_text(window), "areas": sorted(per_area.index.astype(str)),
            "values": seasonality,
        }
        if settings.staff_mix:
            factors, mix_table = staff_mix_profile(appointments, area.sub_icb_codes, window,
                                                   full["demand"]["day_of_week"])
            other_first = [k for k, gp in gp_first(full).items() if not gp]
            for k in other_first:
                full["demand"]["need_types"][k]["monthly_share_factor"] = factors
            season_info["staff_mix"] = {
                "source": ("GP and Other Practice staff appointments (every status) per weighted "
                           "working day by calendar month, other areas' data, each area "
                           "normalised, then averaged; factor = other / GP, mean 1"),
                "needs": other_first, "factors": factors,
                "gp_profile": [round(float(v), 4) for v in mix_table["gp"]],
                "other_profile": [round(float(v), 4) for v in mix_table["other"]]}
        if settings.holiday:
            from sim.config.scenario import HolidayBooking

            holiday_lift, lift_table = december_same_day_lift(appointments, area.sub_icb_codes,
                                                              window)
            full["demand"]["holiday_booking"] = (full["demand"].get("holiday_booking")
                                                 or HolidayBooking().model_dump(mode="json"))
            season_info["holiday"] = {
                "source": ("other areas' December same-day share minus the mean of November's "
                           "and January's, in points; the model's avoid_share is interpolated "
                           "to give the same lift (sim.calibrate.fit.estimate_holiday_share)"),
                "target_lift_pp": holiday_lift,
                "areas": {str(k): round(float(v), 3) for k, v in lift_table["lift"].items()}}

    mapping, sample_info = _sample_mapping(area, settings, full, map_file, patients_file,
                                           workforce_file)
    if settings.sample_practices > 0 and scenario.interventions:
        notes.append(f"the input scenario's {len(scenario.interventions)} intervention(s) were "
                     "not simulated: they name practices of its own area (kept in calibrated.yaml)")
    fit_obs = observed.targets.loc[observed.targets["month"].isin(fit_months)]
    components: list[Component] = default_components(
        fit_obs, weights=settings.weights, share_distance=settings.share_distance)

    t0 = time.perf_counter()
    result = fit(mapping, components, fit_months, params=params, trials=settings.trials,
                 pilot=settings.pilot, polish=settings.polish, reps=settings.reps,
                 seed=settings.seed, progress=progress,
                 season_target=seasonality, season_window=season_window,
                 season_steps=settings.season_steps if seasonality else 0,
                 final_reps=settings.final_reps, holiday_lift=holiday_lift,
                 refine=settings.refine)
    timings["fit_s"] = time.perf_counter() - t0
    if seasonality:
        season_info["observed_profile"] = season_info["values"]
        season_info["values"] = result.seasonality
        season_info["correction"] = (
            f"{settings.season_steps} step(s) of sim.calibrate.fit.correct_seasonality with the "
            "best parameters: the request profile was moved so that simulated appointments per "
            "weighted working day follow the other areas' profile (booked-ahead requests make "
            "appointments lag requests); see seasonality.csv")
        seasonality = result.seasonality
        mapping["demand"]["monthly_seasonality"] = seasonality
        full["demand"]["monthly_seasonality"] = seasonality
    if result.holiday_share is not None:
        for m in (mapping, full):
            m["demand"]["holiday_booking"]["avoid_share"] = result.holiday_share
        season_info["holiday"]["avoid_share"] = result.holiday_share
        season_info["holiday"]["runs"] = result.holiday_steps.to_dict("records")

    t0 = time.perf_counter()
    fitted_mapping = apply_parameters(mapping, result.best, params)
    intervals, _ = simulate_intervals(fitted_mapping, span_months, settings.eval_reps,
                                      first_rep=EVAL_FIRST_REP, progress=progress,
                                      label="evaluate")
    table = fit_table(observed.targets, intervals, {"fit": fit_months, "holdout": hold_months},
                      components)
    timings["evaluate_s"] = time.perf_counter() - t0
    checks = pd.concat([acceptance(table, "fit").assign(period="fit"),
                        acceptance(table, "holdout").assign(period="holdout")],
                       ignore_index=True)

    full_fitted = apply_parameters(full, result.best, params)
    transfer_tables, transfer_entries = [], []
    t0 = time.perf_counter()
    for code in settings.transfer:
        t_table, entry = transfer_check(
            full_fitted, code, appointments, span_months, map_file=map_file,
            patients_file=patients_file, sample_practices=settings.sample_practices or 10,
            eval_reps=settings.eval_reps, workforce_file=workforce_file, progress=progress)
        transfer_tables.append(t_table)
        transfer_entries.append(entry)
    timings["transfer_s"] = time.perf_counter() - t0
    transfer = pd.concat(transfer_tables, ignore_index=True) if transfer_tables else (
        pd.DataFrame(columns=table.columns))
    transfer_checks = pd.concat(
        [acceptance(transfer, p, total_tolerance=TRANSFER_TOLERANCE, shares=False).assign(period=p)
         for p in transfer["period"].unique()], ignore_index=True) if len(transfer) else (
        pd.DataFrame())

    # ---------------------------------------------------------------- outputs
    from sim.calibrate.plots import plot_period, plot_transfer
    from sim.nhsdata.area_yaml import write_area_yaml
    from sim.results.files import package_versions, write_csv, write_json

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    hold_checks = checks.loc[checks["period"] == "holdout"]
    note = (f"Calibrated by `gpsim calibrate` on {dt.date.today().isoformat()} to "
            f"{area.name} ({area.icb_code}), GPAD months {settings.fit_months} "
            f"(held out {settings.holdout_months}), on a {sample_info['kind']} "
            f"({sample_info['patients']:,} patients); fitted: "
            + ", ".join(f"{p.name}={result.best[p.name]:.4g}" for p in params)
            + ("; demand.monthly_seasonality from other areas' GPAD data" if seasonality else "")
            + f". Held-out months passing every check: {int(hold_checks['pass'].sum())} of "
            f"{len(hold_checks)}; see calibration.json.")
    calibrated = _calibrated_yaml(scenario_file, full_fitted, seasonality, note)
    paths["calibrated"] = write_area_yaml(calibrated, out / "calibrated.yaml",
                                          header=calibrated["description"])
    sample_yaml = copy.deepcopy(fitted_mapping)
    sample_yaml["start_date"] = span_months[0].date().isoformat()
    sample_yaml["warm_up_days"] = warm_up_for(sample_yaml)
    sample_yaml["horizon_days"] = int(
        (span_months[-1] + pd.offsets.MonthEnd(0) - span_months[0]).days) + 1
    sample_yaml["description"] = ("The practice sample simulated by the calibration, with the "
                                  "fitted parameters, over the fit and held-out months.\n" + note)
    paths["sample"] = write_area_yaml(sample_yaml, out / "sample.yaml",
                                      header=sample_yaml["description"])
    full_table = pd.concat([table, transfer], ignore_index=True)
    paths["fit_csv"] = write_csv(full_table, out / "fit.csv")
    paths["parameters"] = write_csv(_parameters_table(params, result), out / "parameters.csv")
    paths["trials"] = write_csv(result.trials, out / "trials.csv")
    if len(result.season_steps):
        paths["seasonality"] = write_csv(result.season_steps, out / "seasonality.csv")
    all_checks = pd.concat([checks, transfer_checks], ignore_index=True)
    paths["acceptance"] = write_csv(all_checks, out / "acceptance.csv")
    where = f"{area.name} ({area.icb_code})"
    paths["fit_png"] = plot_period(
        table, "fit", out / "fit.png",
        title=f"{where}: fit months {settings.fit_months}, sample of "
              f"{sample_info['patients']:,} patients, {settings.eval_reps} replications")
    paths["holdout_png"] = plot_period(
        table, "holdout", out / "holdout.png",
        title=f"{where}: held-out months {settings.holdout_months} (not fitted)")
    if len(transfer):
        paths["transfer_png"] = plot_transfer(
            transfer, out / "transfer.png",
            title=f"Parameters calibrated on {area.icb_code} applied to other STPs")

    def _check_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
        return [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()}
                for r in frame.to_dict("records")]

    manifest = {
        "command": "gpsim calibrate",
        "started": started.isoformat(timespec="seconds"),
        "ended": dt.datetime.now().isoformat(timespec="seconds"),
        "scenario_file": str(scenario_file),
        "appointment_files": [str(p) for p in appointment_files],
        "map_file": str(map_file), "patients_file": str(patients_file),
        "workforce_file": str(workforce_file) if workforce_file else None,
        "area": {"code": settings.stp, "stp": area.icb_code, "ons": area.icb_ons_code,
                 "name": area.name, "ccgs": area.sub_icb_codes, "list_size": area.list_size,
                 "denominator": area.list_note + " (the nearest registered list to these "
                 "months shipped with the data; rates compare per 1,000 patients)",
                 "missing_lists": area.missing_lists},
        "sample": {**sample_info, "note": (
            "targets are per 1,000 registered patients and shares, so a sample of practices "
            "stands for the STP; the STP is not simulated whole")},
        "months": {"fit": _months_text(fit_months), "holdout": _months_text(hold_months),
                   "working_days": {m.strftime("%Y-%m"): working_days(m) for m in span_months}},
        "observed_unknown_shares": {
            m.strftime("%Y-%m"): {k: round(float(v), 5) for k, v in r.items()}
            for m, r in observed.unknown_shares().iterrows()},
        "seasonality": season_info,
        "components": [{"name": c.name, "targets": c.targets, "weight": c.weight,
                        "tolerance": c.tolerance, "distance": getattr(c, "distance_kind", "rate"),
                        "best_distance": result.components.get(c.name)} for c in components],
        "fit": {"method": ("pilot moment matching, then Optuna TPE (multivariate, seeded), then "
                           "the seasonal correction, then polishing moment matching "
                           "(sim.calibrate.fit.fit)"),
                "trials": settings.trials, "pilot": settings.pilot, "polish": settings.polish,
                "refine": settings.refine,
                "final_reps": settings.final_reps,
                "reps_per_trial": settings.reps, "sampler_seed": settings.seed,
                "model_seed": scenario.seed, "trial_replications": list(range(settings.reps)),
                "best_distance": result.best_distance, "best": result.best,
                "input_values": result.base},
        "evaluation": {"reps": settings.eval_reps,
                       "replications": [EVAL_FIRST_REP + k for k in range(settings.eval_reps)],
                       "interval": "2.5-97.5% over replications"},
        "acceptance": {
            "tolerances": {"total_relative": TOTAL_TOLERANCE, "share_points": SHARE_TOLERANCE,
                           "transfer_total_relative": TRANSFER_TOLERANCE},
            "holdout_all_pass": bool(hold_checks["pass"].all()),
            "holdout_months_passing": int(hold_checks["pass"].sum()),
            "holdout": _check_rows(hold_checks.drop(columns="period")),
            "fit": _check_rows(checks.loc[checks["period"] == "fit"].drop(columns="period")),
            "transfer": transfer_entries,
        },
        "notes": notes,
        "timings_s": {k: round(v, 1) for k, v in {**timings,
                                                   "total_s": time.perf_counter() - t_start}.items()},
        "packages": package_versions() | {"optuna": _version("optuna")},
        "files": [*sorted(p.name for p in paths.values()), "calibration.json"],
    }
    paths["manifest"] = write_json(manifest, out / "calibration.json")
    return Calibration(area=area, fit=result, table=table, acceptance=all_checks,
                       transfer=transfer, manifest=manifest, calibrated=calibrated, paths=paths)


def _version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def load_calibrated(path: Path) -> dict[str, Any]:
    """Read a calibrated.yaml back as a mapping (validated)."""
    text = Path(path).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    scenario_from_mapping(copy.deepcopy(data), path, text)
    return data
