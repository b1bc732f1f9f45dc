"""What a calibration writes: calibrated.yaml, sample.yaml, the tables, the plots, calibration.json.

:func:`write_outputs` takes the :class:`Record` of a finished calibration and writes every file
to the output folder; calibration.json (:func:`manifest`) says what was fitted, on what, how, and
how well.
"""

from __future__ import annotations

import copy
import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from sim.calibrate.ensemble import parameter_intervals, variance_floor
from sim.calibrate.evaluate import (
    EVAL_FIRST_REP,
    SHARE_TOLERANCE,
    TOTAL_TOLERANCE,
    TRANSFER_TOLERANCE,
)
from sim.calibrate.fit import FitResult
from sim.calibrate.forecast import baseline_summary
from sim.calibrate.observed import Area, Observed, month_labels, working_days
from sim.calibrate.parameters import Parameter, fitted_overrides
from sim.calibrate.plots import plot_period, plot_transfer
from sim.calibrate.runs import DEFAULT_WARM_UP_DAYS, span, warm_up_for
from sim.calibrate.settings import Settings, StudyMonths
from sim.calibrate.targets import Component
from sim.calibrate.transfer import Transfers
from sim.config.loading import deep_merge, load_raw
from sim.nhsdata.area_yaml import write_area_yaml
from sim.results.files import package_versions, write_csv, write_json

#: Significant digits of each fitted value in the scenarios' description.
NOTE_DIGITS = 4

#: Decimal places in calibration.json: acceptance rows, unknown shares, timings (seconds).
CHECK_DECIMALS = 3
UNKNOWN_SHARE_DECIMALS = 5
TIMING_DECIMALS = 1


@dataclass
class Record:
    """Everything a finished calibration reports (the inputs of :func:`write_outputs`)."""

    settings: Settings
    scenario_file: Path
    appointment_files: Sequence[Path]
    map_file: Path
    patients_file: Path
    workforce_file: Path | None
    area: Area
    sample: dict[str, Any]
    months: StudyMonths
    observed: Observed
    seasonality: list[float] | None
    season_info: dict[str, Any]
    components: Sequence[Component]
    params: Sequence[Parameter]
    result: FitResult
    model_seed: int
    fitted_mapping: dict[str, Any]
    full_fitted: dict[str, Any]
    table: pd.DataFrame
    checks: pd.DataFrame
    transfers: Transfers
    notes: list[str]
    timings: dict[str, float]
    started: dt.datetime
    t_start: float
    baseline: pd.DataFrame = field(default_factory=pd.DataFrame)
    uncertainty: dict[str, Any] = field(default_factory=dict)


def _holdout_checks(rec: Record) -> pd.DataFrame:
    """The acceptance rows of the held-out months."""
    return rec.checks.loc[rec.checks["period"] == "holdout"]


def _note(rec: Record) -> str:
    """The description both scenarios carry: what was fitted to what, and how it did."""
    hold_checks = _holdout_checks(rec)
    return (f"Calibrated by `gpsim calibrate` on {dt.date.today().isoformat()} to "
            f"{rec.area.name} ({rec.area.icb_code}), GPAD months {rec.settings.fit_months} "
            f"(held out {rec.settings.holdout_months}), on a {rec.sample['kind']} "
            f"({rec.sample['patients']:,} patients); fitted: "
            + ", ".join(f"{p.name}={rec.result.best[p.name]:.{NOTE_DIGITS}g}" for p in rec.params)
            + ("; demand.monthly_seasonality from other areas' GPAD data"
               if rec.seasonality else "")
            + f". Held-out months passing every check: {int(hold_checks['pass'].sum())} of "
            f"{len(hold_checks)}; see calibration.json.")


def calibrated_yaml(scenario_file: Path, full_fitted: dict[str, Any],
                    seasonality: list[float] | None, note: str,
                    ensemble: Sequence[dict[str, Any]] = (), ensemble_warm_up: int = 0
                    ) -> dict[str, Any]:
    """The input scenario (extends resolved) with the fitted fields and the ensemble merged in."""
    raw, _ = load_raw(scenario_file)
    raw = {k: v for k, v in raw.items() if k != "extends"}
    merged = deep_merge(raw, fitted_overrides(full_fitted, seasonality))
    merged["warm_up_days"] = max(int(raw.get("warm_up_days", DEFAULT_WARM_UP_DAYS)),
                                 warm_up_for(full_fitted), ensemble_warm_up)
    merged["ensemble"] = list(ensemble)  # replaces any ensemble of the input
    merged["name"] = f"{raw.get('name', 'scenario')}-calibrated"
    merged["description"] = (str(raw.get("description", "")).rstrip() + "\n" + note).strip()
    return merged


def _sample_yaml(fitted_mapping: dict[str, Any], months: Sequence[pd.Timestamp],
                 note: str) -> dict[str, Any]:
    """The simulated practice sample with the fitted parameters, over ``months``."""
    sample = copy.deepcopy(fitted_mapping)
    first, days = span(months)
    sample["start_date"] = first.date().isoformat()
    sample["warm_up_days"] = warm_up_for(sample)
    sample["horizon_days"] = days
    sample["description"] = ("The practice sample simulated by the calibration, with the "
                             "fitted parameters, over the fit and held-out months.\n" + note)
    return sample


def _parameters_table(params: Sequence[Parameter], result: FitResult,
                      ensemble: Sequence[dict[str, Any]] = ()) -> pd.DataFrame:
    """parameters.csv: each parameter's range, input and fitted value, and the ensemble's 90%."""
    ranges = parameter_intervals(ensemble) if ensemble else {}
    nan = (float("nan"), float("nan"))
    return pd.DataFrame([{
        "parameter": p.name, "description": p.description, "scenario_fields": p.fields,
        "low": p.low, "high": p.high, "input_value": result.base[p.name],
        "fitted_value": result.best[p.name],
        "ensemble_5pct": ranges.get(p.name, nan)[0], "ensemble_95pct": ranges.get(p.name, nan)[1],
    } for p in params])


def _write_tables(rec: Record, out: Path, paths: dict[str, Path]) -> pd.DataFrame:
    """Write fit.csv, parameters.csv, trials.csv, seasonality.csv and acceptance.csv."""
    transfer = rec.transfers.table
    paths["fit_csv"] = write_csv(pd.concat([rec.table, transfer], ignore_index=True),
                                 out / "fit.csv")
    unc = rec.uncertainty
    paths["parameters"] = write_csv(
        _parameters_table(rec.params, rec.result, unc.get("ensemble", ())), out / "parameters.csv")
    trials = rec.result.trials
    if "implausibility" in unc:
        trials = trials.assign(implausibility=unc["implausibility"])
    paths["trials"] = write_csv(trials, out / "trials.csv")
    if len(unc.get("runs", ())):
        paths["ensemble_runs"] = write_csv(unc["runs"], out / "ensemble_runs.csv")
    if len(rec.result.season_steps):
        paths["seasonality"] = write_csv(rec.result.season_steps, out / "seasonality.csv")
    if len(rec.baseline):
        paths["baseline"] = write_csv(rec.baseline, out / "baseline.csv")
    all_checks = pd.concat([rec.checks, rec.transfers.checks], ignore_index=True)
    paths["acceptance"] = write_csv(all_checks, out / "acceptance.csv")
    return all_checks


def _write_plots(rec: Record, out: Path, paths: dict[str, Path]) -> None:
    """Write fit.png, holdout.png and (with transfers) transfer.png."""
    where = f"{rec.area.name} ({rec.area.icb_code})"
    settings = rec.settings
    paths["fit_png"] = plot_period(
        rec.table, "fit", out / "fit.png",
        title=f"{where}: fit months {settings.fit_months}, sample of "
              f"{rec.sample['patients']:,} patients, {settings.eval_reps} replications")
    paths["holdout_png"] = plot_period(
        rec.table, "holdout", out / "holdout.png",
        title=f"{where}: held-out months {settings.holdout_months} (not fitted)")
    if len(rec.transfers.table):
        paths["transfer_png"] = plot_transfer(
            rec.transfers.table, out / "transfer.png",
            title=f"Parameters calibrated on {rec.area.icb_code} applied to other STPs")


def write_outputs(rec: Record, out: Path) -> tuple[dict[str, Path], dict[str, Any],
                                                   dict[str, Any], pd.DataFrame]:
    """Write every output file to ``out``: the paths, the manifest, calibrated.yaml, all checks."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    note = _note(rec)
    calibrated = calibrated_yaml(rec.scenario_file, rec.full_fitted, rec.seasonality, note,
                                 rec.uncertainty.get("ensemble", ()),
                                 rec.uncertainty.get("warm_up_days", 0))
    paths["calibrated"] = write_area_yaml(calibrated, out / "calibrated.yaml",
                                          header=calibrated["description"])
    sample_yaml = _sample_yaml(rec.fitted_mapping, rec.months.span, note)
    paths["sample"] = write_area_yaml(sample_yaml, out / "sample.yaml",
                                      header=sample_yaml["description"])
    all_checks = _write_tables(rec, out, paths)
    _write_plots(rec, out, paths)
    data = manifest(rec, paths)
    paths["manifest"] = write_json(data, out / "calibration.json")
    return paths, data, calibrated, all_checks


def _check_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Acceptance rows as records, floats rounded."""
    return [{k: (round(v, CHECK_DECIMALS) if isinstance(v, float) else v) for k, v in r.items()}
            for r in frame.to_dict("records")]


def _version(name: str) -> str:
    """The installed version of package ``name`` (or ``not installed``)."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _manifest_inputs(rec: Record) -> dict[str, Any]:
    """calibration.json: the files read, the area, the sample, the months, what is unknown."""
    area = rec.area
    return {
        "scenario_file": str(rec.scenario_file),
        "appointment_files": [str(p) for p in rec.appointment_files],
        "map_file": str(rec.map_file), "patients_file": str(rec.patients_file),
        "workforce_file": str(rec.workforce_file) if rec.workforce_file else None,
        "area": {"code": rec.settings.stp, "stp": area.icb_code, "ons": area.icb_ons_code,
                 "name": area.name, "ccgs": area.sub_icb_codes, "list_size": area.list_size,
                 "denominator": area.list_note + " (the nearest registered list to these "
                 "months shipped with the data; rates compare per 1,000 patients)",
                 "missing_lists": area.missing_lists},
        "sample": {**rec.sample, "note": (
            "targets are per 1,000 registered patients and shares, so a sample of practices "
            "stands for the STP; the STP is not simulated whole")},
        "months": {"fit": month_labels(rec.months.fit),
                   "holdout": month_labels(rec.months.holdout),
                   "working_days": {m.strftime("%Y-%m"): working_days(m)
                                    for m in rec.months.span}},
        "observed_unknown_shares": {
            m.strftime("%Y-%m"): {k: round(float(v), UNKNOWN_SHARE_DECIMALS) for k, v in r.items()}
            for m, r in rec.observed.unknown_shares().iterrows()},
    }


def _manifest_fit(rec: Record) -> dict[str, Any]:
    """calibration.json: seasonality, the components, the fit and the evaluation."""
    settings, result = rec.settings, rec.result
    return {
        "seasonality": rec.season_info,
        "components": [{"name": c.name, "targets": c.targets, "weight": c.weight,
                        "tolerance": c.tolerance, "distance": getattr(c, "distance_kind", "rate"),
                        "best_distance": result.components.get(c.name)} for c in rec.components],
        "fit": {"method": ("pilot moment matching, then Optuna TPE (multivariate, seeded), then "
                           "the seasonal correction, then polishing moment matching "
                           "(sim.calibrate.fit.fit)"),
                "trials": settings.trials, "pilot": settings.pilot, "polish": settings.polish,
                "refine": settings.refine,
                "final_reps": settings.final_reps,
                "reps_per_trial": settings.reps, "sampler_seed": settings.seed,
                "model_seed": rec.model_seed, "trial_replications": list(range(settings.reps)),
                "best_distance": result.best_distance, "best": result.best,
                "input_values": result.base},
        "evaluation": {"reps": settings.eval_reps,
                       "replications": [EVAL_FIRST_REP + k for k in range(settings.eval_reps)],
                       "interval": "2.5-97.5% over replications"},
    }


def _manifest_acceptance(rec: Record) -> dict[str, Any]:
    """calibration.json: the tolerances and each month's checks."""
    hold_checks = _holdout_checks(rec)
    fit_checks = rec.checks.loc[rec.checks["period"] == "fit"]
    return {
        "tolerances": {"total_relative": TOTAL_TOLERANCE, "share_points": SHARE_TOLERANCE,
                       "transfer_total_relative": TRANSFER_TOLERANCE},
        "holdout_all_pass": bool(hold_checks["pass"].all()),
        "holdout_months_passing": int(hold_checks["pass"].sum()),
        "holdout": _check_rows(hold_checks.drop(columns="period")),
        "fit": _check_rows(fit_checks.drop(columns="period")),
        "transfer": rec.transfers.entries,
    }


def _manifest_uncertainty(rec: Record) -> dict[str, Any]:
    """calibration.json: how the ensemble was chosen and what it spans."""
    unc = rec.uncertainty
    if not unc.get("ensemble"):
        return {}
    imp = unc["implausibility"]
    return {
        "method": ("history matching over the fit's trials and a Latin-hypercube wave: "
                   "implausibility = largest over components of sqrt(distance / v), v the "
                   "larger of the closest quarter's median distance and the floor: the fit "
                   "months' replication-noise distance (variance_floor); trials at or below the cut-off kept with equal "
                   "weights, the fitted set first (sim.calibrate.ensemble); one member drawn "
                   "per replication"),
        "cutoff": rec.settings.cutoff,
        "variance_floor": {c.name: round(variance_floor(rec.result.noise, c.name), 6)
                           for c in rec.components},
        "trials": len(imp), "trials_not_ruled_out": int((imp <= rec.settings.cutoff).sum()),
        "members": len(unc["ensemble"]),
        "parameter_90pct": {k: [round(a, CHECK_DECIMALS + 2), round(b, CHECK_DECIMALS + 2)]
                            for k, (a, b) in parameter_intervals(unc["ensemble"]).items()},
        "discrepancy_relative_sd": round(float(unc["discrepancy"]), UNKNOWN_SHARE_DECIMALS),
        "out_of_sample_discrepancy": unc.get("out_of_sample", {}),
        "predictive_interval": ("90%: mean +- t(0.95, n-1) x sqrt(s^2 (1 + 1/n) + (d x mean)^2) "
                                "over the ensemble runs (replications "
                                f"{EVAL_FIRST_REP}-{EVAL_FIRST_REP + rec.settings.eval_reps - 1}), "
                                "d = sqrt(in-sample discrepancy^2 + the STP's out-of-sample "
                                "discrepancy^2): the RMS error of level x leave-one-out profile "
                                "forecasts of the other areas' held-out calendar months "
                                "(sim.calibrate.outofsample); no held-out observation of the STP "
                                "enters it; the runs' own interval leaves d out"),
        "level_refit": rec.settings.level_refit,
        "level_reps": rec.settings.level_reps,
        "fitted_level_correction": unc.get("fitted_level_correction"),
        "transfer_season": rec.settings.transfer_season,
        "transfer_lag": rec.settings.transfer_lag,
        "season_reps": rec.settings.season_reps,
        "workers": rec.settings.workers,
    }


def _manifest_baseline(rec: Record) -> dict[str, Any]:
    """calibration.json: the simple forecast beside the model, per STP and month."""
    if rec.baseline.empty:
        return {}
    rows = [{k: (round(v, CHECK_DECIMALS) if isinstance(v, float) else v) for k, v in r.items()}
            for r in rec.baseline.to_dict("records")]
    return {"method": ("simple forecast: the area's attended appointments per 1,000 per working "
                       "day in the fit months (the other STPs' seasonal profile removed) x that "
                       "profile x the month's working days (sim.calibrate.forecast)"),
            "holdout": [{k: (round(v, CHECK_DECIMALS) if isinstance(v, float) else v)
                         for k, v in e.items()} for e in baseline_summary(rec.baseline)],
            "months": rows}


def manifest(rec: Record, paths: dict[str, Path]) -> dict[str, Any]:
    """calibration.json: what was fitted, on what, how, how well, and the files written."""
    timings = {**rec.timings, "total_s": time.perf_counter() - rec.t_start}
    return {
        "command": "gpsim calibrate",
        "started": rec.started.isoformat(timespec="seconds"),
        "ended": dt.datetime.now().isoformat(timespec="seconds"),
        **_manifest_inputs(rec),
        **_manifest_fit(rec),
        "acceptance": _manifest_acceptance(rec),
        "baseline": _manifest_baseline(rec),
        "uncertainty": _manifest_uncertainty(rec),
        "notes": rec.notes,
        "timings_s": {k: round(v, TIMING_DECIMALS) for k, v in timings.items()},
        "packages": package_versions() | {"optuna": _version("optuna")},
        "files": [*sorted(p.name for p in paths.values()), "calibration.json"],
    }
