"""``gpsim area build --calibrate``: a built area, fitted to its own months, with its fit report.

With appointment files the area's level is fitted (:mod:`sim.calibrate.area_fit`) and checked on
fresh replications; without them it gets the stored level of the nearest shipped STP
(:data:`STP_LEVELS`, one table per parameter source), and says so. Parameters other than the
demand level come from ``parameters_file`` (e.g. the ``calibrated.yaml`` of ``gpsim calibrate``;
the command's default is East London's shipped calibration, :func:`shipped_parameters_file`),
whose ensemble is kept with every member's rate scaled by the level's factor, or, with
``parameters_file=None``, from the scenario defaults (no ensemble).
"""

from __future__ import annotations

import copy
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.calibrate.area_fit import (
    DEFAULT_CHECK_REPS,
    DEFAULT_FIT_PRACTICES,
    DEFAULT_FIT_REPS,
    DEFAULT_MONTH_STEPS,
    area_practices,
    check_fit,
    fit_level,
    fit_sample,
    observed_level,
    with_demand,
)
from sim.calibrate.level import scale_members
from sim.calibrate.observed import month_labels, read_appointments
from sim.calibrate.runs import Progress
from sim.calibrate.sample import with_area
from sim.config.atomic import atomic_write
from sim.config.demand import NeedType
from sim.config.loading import deep_merge, load_scenario
from sim.config.pcn_roles import need_types_for, roles_for
from sim.resources import calibrated_dir

#: The shipped parameters and ensemble ``--calibrate`` uses unless told otherwise: the acceptance
#: calibration of East London (``gpsim calibrate``, calibration/README.md "The command", fit
#: 2019-04:2019-09, 30 members), in calibration/calibrated.
SHIPPED_PARAMETERS = "QMF-2019.yaml"
#: The STP the shipped parameters were fitted to.
SHIPPED_PARAMETERS_STP = "QMF"

#: Each shipped London STP's level, fitted by this command on the scenario defaults (staff from
#: national ratios, IMD 2019 tilt, each practice's age mix tilted to its 65+ share, Fingertips
#: 93468) to its April-September 2019 attended appointments per 1,000
#: (calibration/data: GPAD regional CSVs, January 2021 lists, January 2022 map), 10-practice
#: sample, 2 replications a step; ``imd`` is the list-weighted IMD 2019 score of its practices
#: (Fingertips 93553), by which the nearest STP is chosen. Measured 2026-12-02, with the age tilt
#: (calibration/README.md, "A calibrated real area in one command" and "Each practice's age").
DEFAULTS_STP_LEVELS: dict[str, dict[str, Any]] = {
    "QMF": {"name": "East London Health and Care Partnership", "sub_icb": "A3A8R",
            "imd": 26.16, "fit_months": "2019-04:2019-09",
            "rate_multiplier": 0.720531,
            "monthly_seasonality": [1.0797, 1.0497, 1.0397, 0.9315, 0.9891, 0.9664, 0.9466, 0.8786, 1.0293, 1.0497, 1.0597, 0.9798]},
    "QMJ": {"name": "North London Partners in Health and Care", "sub_icb": "93C",
            "imd": 22.99, "fit_months": "2019-04:2019-09",
            "rate_multiplier": 0.643801,
            "monthly_seasonality": [1.0796, 1.0496, 1.0396, 0.9403, 1.0035, 0.9643, 0.9376, 0.8782, 1.0182, 1.0496, 1.0596, 0.9796]},
    "QRV": {"name": "North West London Health and Care Partnership", "sub_icb": "W2U3Z",
            "imd": 21.37, "fit_months": "2019-04:2019-09",
            "rate_multiplier": 0.741936,
            "monthly_seasonality": [1.0796, 1.0496, 1.0396, 0.9348, 0.9879, 0.9724, 0.9323, 0.8898, 1.0252, 1.0496, 1.0596, 0.9796]},
    "QKK": {"name": "Our Healthier South East London", "sub_icb": "72Q",
            "imd": 22.73, "fit_months": "2019-04:2019-09",
            "rate_multiplier": 0.702316,
            "monthly_seasonality": [1.0795, 1.0495, 1.0395, 0.9442, 1.0139, 0.9556, 0.9272, 0.8781, 1.0241, 1.0495, 1.0595, 0.9796]},
}

#: Each shipped London STP's level fitted by this command under the shipped parameters
#: (:data:`SHIPPED_PARAMETERS`; otherwise as :data:`DEFAULTS_STP_LEVELS`). Its factor over the
#: shipped file's rate scales every ensemble member. Measured 2026-12-02 (calibration/README.md,
#: "A calibrated real area in one command").
CALIBRATED_STP_LEVELS: dict[str, dict[str, Any]] = {
    "QMF": {"name": "East London Health and Care Partnership", "sub_icb": "A3A8R",
            "imd": 26.16, "fit_months": "2019-04:2019-09",
            "rate_multiplier": 0.749378,
            "monthly_seasonality": [1.0968, 1.0101, 1.0140, 0.9217, 1.0116, 0.9442, 0.9417, 0.8619, 1.0532, 1.0725, 1.0519, 1.0203]},
    "QMJ": {"name": "North London Partners in Health and Care", "sub_icb": "93C",
            "imd": 22.99, "fit_months": "2019-04:2019-09",
            "rate_multiplier": 0.664751,
            "monthly_seasonality": [1.0967, 1.0100, 1.0139, 0.9316, 1.0178, 0.9499, 0.9250, 0.8761, 1.0345, 1.0724, 1.0518, 1.0202]},
    "QRV": {"name": "North West London Health and Care Partnership", "sub_icb": "W2U3Z",
            "imd": 21.37, "fit_months": "2019-04:2019-09",
            "rate_multiplier": 0.770025,
            "monthly_seasonality": [1.0966, 1.0099, 1.0138, 0.9154, 1.0138, 0.9652, 0.9257, 0.8745, 1.0412, 1.0723, 1.0517, 1.0201]},
    "QKK": {"name": "Our Healthier South East London", "sub_icb": "72Q",
            "imd": 22.73, "fit_months": "2019-04:2019-09",
            "rate_multiplier": 0.724934,
            "monthly_seasonality": [1.0967, 1.0100, 1.0139, 0.9316, 1.0178, 0.9499, 0.9250, 0.8761, 1.0345, 1.0724, 1.0518, 1.0202]},
}

#: The level tables by parameter source: ``shipped`` parameters or the scenario ``defaults``.
STP_LEVELS: dict[str, dict[str, dict[str, Any]]] = {"shipped": CALIBRATED_STP_LEVELS,
                                                    "defaults": DEFAULTS_STP_LEVELS}

#: Fit months used when none are given (the acceptance calibration's fit months).
DEFAULT_FIT_MONTHS = "2019-04:2019-09"


@dataclass
class AreaCalibration:
    """The calibrated scenario mapping, its fit report and what to tell the user."""

    mapping: dict[str, Any]
    report: pd.DataFrame
    lines: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)


def shipped_parameters_file() -> Path:
    """East London's shipped calibration: the default parameters and ensemble of ``--calibrate``."""
    return calibrated_dir() / SHIPPED_PARAMETERS


def parameter_kind(parameters_file: Path | None) -> str:
    """``defaults`` (no file), ``shipped`` (:func:`shipped_parameters_file`) or ``given``."""
    if parameters_file is None:
        return "defaults"
    return "shipped" if Path(parameters_file).resolve() == shipped_parameters_file().resolve() else "given"


def parameter_lines(parameters_file: Path | None, stp: str | None, level_from: str) -> list[str]:
    """What the user is told about where the area's parameters came from, and why."""
    kind = parameter_kind(parameters_file)
    if kind == "defaults":
        return ["parameters: the scenario defaults (--scenario-defaults): the defaults' booking mix "
                "and GP share, no ensemble"]
    if kind == "given":
        return [f"parameters: {parameters_file} (--parameters), with its ensemble if it has one"]
    lines = [f"parameters: East London's calibration, shipped: calibration/calibrated/"
             f"{SHIPPED_PARAMETERS} (gpsim calibrate on {SHIPPED_PARAMETERS_STP}, April-September "
             "2019), with its ensemble; --parameters FILE or --scenario-defaults to change"]
    if stp != SHIPPED_PARAMETERS_STP:
        lines.append(f"this area is in {f'STP {stp}' if stp else 'no single STP'}, not East London "
                     f"({SHIPPED_PARAMETERS_STP}): its booking parameters (need mix and "
                     "GP-first share, booking lead times, DNA, modes) come from East London; "
                     f"{level_from}")
    return lines


def _source(parameters_file: Path | None, lines: list[str]) -> dict[str, Any]:
    """The fit report's record of the parameter source."""
    return {"parameters": str(parameters_file) if parameters_file else "scenario defaults",
            "parameter_source": parameter_kind(parameters_file), "parameter_note": lines}


def _base(area_mapping: Mapping[str, Any], parameters_file: Path | None
          ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The built area with the parameters of ``parameters_file`` (or none), and its ensemble."""
    if parameters_file is None:
        return copy.deepcopy(dict(area_mapping)), []
    parameters = load_scenario(parameters_file)
    full = parameters.model_dump(mode="json")
    mapping = with_area(full, area_mapping["area"], name=area_mapping.get("name"))
    mapping["description"] = area_mapping.get("description", "")
    added = roles_for(area_mapping.get("roles") or {})  # the PCN additional roles area build staffed
    members = list(full.get("ensemble") or [])
    if added:
        mapping["roles"] = {**mapping["roles"], **{r: s.model_dump(mode="json") for r, s in added.items()}}
        needs = need_types_for(parameters.demand.need_types, added)
        mapping["demand"]["need_types"] = {k: v.model_dump(mode="json") for k, v in needs.items()}
        members = [_member_with_roles(m, full["demand"]["need_types"], added) for m in members]
    return mapping, members


def _member_with_roles(member: Mapping[str, Any], base_needs: Mapping[str, Any],
                       added: Mapping[str, Any]) -> dict[str, Any]:
    """An ensemble member whose need types get the area's additional roles as the base's do.

    A member that sets ``demand.need_types`` would otherwise drop the social need's share from
    its GP-only needs (shares summing to more than 1) and its roles' eligibility.
    """
    out = copy.deepcopy(dict(member))
    override = out.get("overrides", {}).get("demand", {}).get("need_types")
    if not override:
        return out
    merged = deep_merge(copy.deepcopy(dict(base_needs)), override)
    needs = need_types_for({k: NeedType.model_validate(v) for k, v in merged.items()}, added)
    out["overrides"]["demand"]["need_types"] = {k: v.model_dump(mode="json") for k, v in needs.items()}
    return out


def imd_mean(area: Mapping[str, Any]) -> float | None:
    """List-weighted mean IMD 2019 score of the area's practices that have one."""
    pairs = [(pr["list_size"], pr["imd_score"]) for pcn in area["pcns"] for pr in pcn["practices"]
             if pr.get("imd_score") is not None]
    total = sum(n for n, _ in pairs)
    return sum(n * s for n, s in pairs) / total if total else None


def nearest_shipped(stp: str | None, imd: float | None,
                    table: Mapping[str, Mapping[str, Any]] = DEFAULTS_STP_LEVELS) -> tuple[str, str]:
    """(STP code, why) of the shipped level to use: the area's own STP, else the nearest by IMD.

    Raises:
        ValueError: no shipped level at all.
    """
    if not table:
        raise ValueError("no shipped STP level to fall back on; give --appointments")
    if stp in table:
        return str(stp), f"the area's own STP {stp}"
    if imd is None:
        code = sorted(table)[0]
        return code, f"no IMD score in the area to find the nearest STP: the first shipped, {code}"
    code = min(table, key=lambda c: (abs(float(table[c]["imd"]) - imd), c))
    return code, (f"the shipped STP nearest in list-weighted IMD 2019 score "
                  f"({table[code]['imd']:.1f} against the area's {imd:.1f})")


def area_stp(area: Mapping[str, Any], practice_map: pd.DataFrame) -> str | None:
    """The STP of the area's practices in the practice map (None if none or several)."""
    codes = set(area_practices(area)["practice_code"])
    stps = practice_map.loc[practice_map["practice_code"].isin(codes), "icb_code"].unique()
    return str(stps[0]) if len(stps) == 1 else None


def shipped_defaults(area_mapping: Mapping[str, Any], stp: str | None,
                     parameters_file: Path | None) -> AreaCalibration:
    """The area with the nearest shipped STP's fitted level (no appointment files given).

    Under the scenario defaults (``parameters_file`` None) or the shipped parameters the level
    comes from that source's table in :data:`STP_LEVELS` (the shipped ensemble's rates scaled by
    its factor); a file the user gave is used as it is.
    """
    mapping, ensemble = _base(area_mapping, parameters_file)
    kind = parameter_kind(parameters_file)
    if kind == "given":
        if ensemble:
            mapping["ensemble"] = ensemble
        lines = parameter_lines(parameters_file, stp, "")
        return AreaCalibration(mapping, pd.DataFrame(), [
            f"not fitted to this area (no --appointments): the parameters of {parameters_file} "
            "as they are", *lines], {"fitted": False, **_source(parameters_file, lines)})
    table = STP_LEVELS[kind]
    code, why = nearest_shipped(stp, imd_mean(area_mapping["area"]), table)
    entry = table[code]
    factor = entry["rate_multiplier"] / float(mapping.get("demand", {}).get("rate_multiplier", 1.0))
    mapping = with_demand(mapping, entry["rate_multiplier"], entry["monthly_seasonality"])
    if ensemble:
        mapping["ensemble"] = scale_members(ensemble, factor)
    line = (f"not fitted to this area (no --appointments): demand level of {entry['name']} "
            f"({code}) fitted to its {entry['fit_months']}, {why}: rate_multiplier "
            f"{entry['rate_multiplier']}")
    lines = parameter_lines(parameters_file, stp, f"its demand level is {code}'s")
    if ensemble:
        lines.append(f"ensemble: {len(ensemble)} members of {SHIPPED_PARAMETERS}, each rate x "
                     f"{factor:.4f}")
    return AreaCalibration(mapping, pd.DataFrame(), [line, *lines],
                           {"fitted": False, "shipped_stp": code, "why": why, **entry,
                            **_source(parameters_file, lines), "ensemble_members": len(ensemble)})


def appointment_files(paths: Sequence[Path]) -> list[Path]:
    """GPAD files: each file as given, each folder's ``Regional_CSV_*.csv*`` (else ``*.csv``).

    Raises:
        ValueError: a folder holds no CSV.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.glob("Regional_CSV_*.csv*")) or sorted(path.glob("*.csv"))
            if not found:
                raise ValueError(f"{path}: no Regional_CSV_*.csv file in this folder")
            files += found
        else:
            files.append(path)
    return files


def calibrate_area(area_mapping: Mapping[str, Any], files: Sequence[Path], fit_months: Sequence[pd.Timestamp],
                   *, map_file: Path, patients_file: Path, parameters_file: Path | None = None,
                   fit_practices: int = DEFAULT_FIT_PRACTICES, reps: int = DEFAULT_FIT_REPS,
                   month_steps: int = DEFAULT_MONTH_STEPS, check_reps: int = DEFAULT_CHECK_REPS,
                   full_reps: int = 0, progress: Progress | None = None,
                   clock: Callable[[], float] = time.perf_counter) -> AreaCalibration:
    """Fit the built area's level to its months in ``files`` and check it (see module docstring)."""
    wall0, cpu0 = clock(), time.process_time()
    months = [pd.Timestamp(m) for m in fit_months]
    appointments = read_appointments(files)
    obs = observed_level(appointments, area_mapping["area"], months, map_file, patients_file, files)
    mapping, ensemble = _base(area_mapping, parameters_file)
    sample_area, kept = fit_sample(mapping["area"], fit_practices)
    sample = {**mapping, "area": sample_area}
    fit = fit_level(sample, obs.per_1000, months, reps=reps, month_steps=month_steps,
                    progress=progress)
    fitted = with_demand(mapping, fit.rate_multiplier, fit.monthly_seasonality)
    if ensemble:
        fitted["ensemble"] = scale_members(ensemble, fit.factor)
    fitted_sample = {**fitted, "area": sample_area}
    fitted_sample.pop("ensemble", None)
    whole_in_fit = len(kept) == len(area_practices(mapping["area"]))
    report = check_fit(fitted_sample, obs, months, check_reps,
                       label="whole area" if whole_in_fit else "fit sample", progress=progress)
    if full_reps > 0 and not whole_in_fit:
        whole = {k: v for k, v in fitted.items() if k != "ensemble"}
        report = pd.concat([report, check_fit(whole, obs, months, full_reps, label="whole area",
                                              progress=progress)], ignore_index=True)
    patients = int(area_practices(mapping["area"])["list_size"].sum())
    sample_patients = int(area_practices(sample_area)["list_size"].sum())
    lines = [obs.describe(),
             f"fit sample: {len(kept)} of {len(area_practices(mapping['area']))} practices, "
             f"{sample_patients:,} of {patients:,} patients",
             f"fitted demand.rate_multiplier {fit.input_rate:g} -> {fit.rate_multiplier:.4f} "
             f"({sum(s['stage'] == 'level' for s in fit.steps)} level step(s), "
             f"{sum(s['stage'] == 'month' for s in fit.steps)} month check(s) of "
             "demand.monthly_seasonality in the fit months)"]
    source_lines = parameter_lines(parameters_file, obs.stp,
                                   "its demand level is fitted to its own months")
    lines += source_lines
    if ensemble:
        lines.append(f"ensemble: {len(ensemble)} members of {Path(parameters_file).name}, each "
                     f"rate x {fit.factor:.4f}")
    manifest = {
        "fitted": True, "observed": {"level": obs.level, "codes": obs.codes, "stp": obs.stp,
                                     "stp_name": obs.stp_name, "list_size": obs.list_size,
                                     "note": obs.note,
                                     "per_1000": {k.strftime("%Y-%m"): v for k, v in obs.per_1000.items()}},
        "fit_months": month_labels(months), "files": [str(f) for f in files],
        **_source(parameters_file, source_lines),
        "sample": {"practices": kept, "patients": sample_patients, "area_patients": patients},
        "fit": {"input_rate_multiplier": fit.input_rate, "rate_multiplier": fit.rate_multiplier,
                "monthly_seasonality": fit.monthly_seasonality, "reps": reps,
                "month_steps": month_steps, "steps": fit.steps},
        "check": report.to_dict(orient="records"),
        "ensemble_members": len(ensemble),
        "timing": {"wall_s": round(clock() - wall0, 1),
                   "cpu_s": round(time.process_time() - cpu0, 1),
                   "load_average_1min": round(os.getloadavg()[0], 2)},
    }
    return AreaCalibration(fitted, report, lines, manifest)


def write_report(result: AreaCalibration, out: Path) -> tuple[Path, Path]:
    """Write the fit report beside the scenario: ``<stem>.fit.csv`` and ``<stem>.fit.json``."""
    csv_path = out.with_name(out.stem + ".fit.csv")
    json_path = out.with_name(out.stem + ".fit.json")
    atomic_write(csv_path, lambda tmp: result.report.to_csv(tmp, index=False))
    text = json.dumps(result.manifest, indent=2, default=str)
    atomic_write(json_path, lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))
    return csv_path, json_path
