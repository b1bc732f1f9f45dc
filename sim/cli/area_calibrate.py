"""The ``--calibrate`` options of ``gpsim area build``: fit the built area to its own GPAD months.

See :mod:`sim.calibrate.area_calibrate`. Without ``--calibrate`` none of these options may be
given; ``--appointments`` alone means the shipped London files. The parameters other than the
demand level are East London's shipped calibration with its ensemble, unless ``--parameters FILE``
(that file) or ``--scenario-defaults`` (the scenario defaults, no ensemble) is given.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from sim.calibrate.area_calibrate import (
    DEFAULT_FIT_MONTHS,
    appointment_files,
    area_stp,
    calibrate_area,
    shipped_defaults,
    shipped_parameters_file,
    write_report,
)
from sim.calibrate.area_fit import (
    DEFAULT_CHECK_REPS,
    DEFAULT_FIT_PRACTICES,
    DEFAULT_FIT_REPS,
    DEFAULT_MONTH_STEPS,
)
from sim.calibrate.observed import month_range
from sim.nhsdata.patients import read_practice_map
from sim.resources import calibration_data_dir

#: The shipped GPAD folder (calibration/data/README.md): four London STPs, March 2019 - August 2021.
APPOINTMENTS_FOLDER = "appointments-london-2019-2021"

#: Option names (click parameter names) that only --calibrate may use, with their defaults.
CALIBRATION_DEFAULTS: dict[str, Any] = {
    "appointments": (), "fit_months": None, "parameters_file": None, "scenario_defaults": False,
    "fit_practices": DEFAULT_FIT_PRACTICES, "fit_reps": DEFAULT_FIT_REPS,
    "month_steps": DEFAULT_MONTH_STEPS, "check_reps": DEFAULT_CHECK_REPS, "full_reps": 0,
}

_PATH = click.Path(exists=True, path_type=Path)


def calibrate_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--calibrate`` and its options to ``command`` (they arrive as keyword arguments)."""
    options = [
        click.option("--calibrate", "calibrate", is_flag=True,
                     help="Fit the area's demand level to its own GPAD months (with "
                          "--appointments), or give it the nearest shipped STP's fitted level."),
        click.option("--appointments", "appointments", multiple=True, type=_PATH, is_flag=False,
                     flag_value=str(calibration_data_dir() / APPOINTMENTS_FOLDER),
                     help="GPAD Regional_CSV_*.csv file (repeatable) or a folder of them; given "
                          "alone, the shipped London files (2019-2021)."),
        click.option("--fit", "fit_months", default=None,
                     help=f"Fit months, YYYY-MM:YYYY-MM (default {DEFAULT_FIT_MONTHS})."),
        click.option("--parameters", "parameters_file", type=click.Path(exists=True, dir_okay=False,
                                                                        path_type=Path),
                     default=None, help="A scenario whose parameters (and ensemble) the area takes, "
                                        "e.g. calibrated.yaml of gpsim calibrate (default: East "
                                        "London's shipped calibration, "
                                        "calibration/calibrated/QMF-2019.yaml)."),
        click.option("--scenario-defaults", "scenario_defaults", is_flag=True,
                     help="Fit the level on the scenario defaults instead of the shipped "
                          "calibration (no ensemble)."),
        click.option("--fit-practices", type=click.IntRange(min=1),
                     default=DEFAULT_FIT_PRACTICES, show_default=True,
                     help="Practices simulated in the fit (one per list-size stratum)."),
        click.option("--fit-reps", type=click.IntRange(min=1), default=DEFAULT_FIT_REPS,
                     show_default=True, help="Replications per fit step."),
        click.option("--month-steps", type=click.IntRange(min=0), default=DEFAULT_MONTH_STEPS,
                     show_default=True, help="Ratio steps on each fit month's seasonal value."),
        click.option("--check-reps", type=click.IntRange(min=1), default=DEFAULT_CHECK_REPS,
                     show_default=True, help="Fresh replications of the fitted sample checked."),
        click.option("--full-reps", type=click.IntRange(min=0), default=0, show_default=True,
                     help="Also check the whole area with this many replications (an area simulated whole in the fit is checked whole anyway)."),
    ]
    return functools.reduce(lambda cmd, opt: opt(cmd), reversed(options), command)


def _check_usage(calibration: Mapping[str, Any]) -> None:
    """Refuse calibration options without --calibrate."""
    if calibration.get("calibrate"):
        return
    given = [name for name, default in CALIBRATION_DEFAULTS.items()
             if calibration.get(name, default) not in (default, None, ())]
    if given:
        flags = ", ".join("--" + g.replace("_", "-").replace("-file", "").replace("fit-months", "fit")
                          for g in given)
        raise click.UsageError(f"{flags} only apply with --calibrate")


def finish_calibration(mapping: dict[str, Any], calibration: Mapping[str, Any], *,
                       map_file: Path, patients_file: Path, out: Path) -> dict[str, Any]:
    """The built ``mapping``, calibrated as the options ask (unchanged without --calibrate).

    Raises:
        click.UsageError: calibration options without --calibrate, or bad fit months.
        ValueError: from the calibration (an area not in the files, a missing month).
    """
    _check_usage(calibration)
    if not calibration.get("calibrate"):
        return mapping
    parameters_file = calibration.get("parameters_file")
    if calibration.get("scenario_defaults"):
        if parameters_file is not None:
            raise click.UsageError("--parameters and --scenario-defaults: give one or the other")
    elif parameters_file is None:
        parameters_file = shipped_parameters_file()
    if not calibration.get("appointments"):
        if calibration.get("fit_months"):
            raise click.UsageError("--fit needs --appointments (the months to fit)")
        stp = area_stp(mapping["area"], read_practice_map(map_file))
        result = shipped_defaults(mapping, stp, parameters_file)
    else:
        try:
            months = month_range(calibration.get("fit_months") or DEFAULT_FIT_MONTHS)
        except ValueError as exc:
            raise click.UsageError(f"--fit: {exc}") from None
        result = calibrate_area(
            mapping, appointment_files(calibration["appointments"]), months, map_file=map_file,
            patients_file=patients_file, parameters_file=parameters_file,
            fit_practices=calibration["fit_practices"], reps=calibration["fit_reps"],
            month_steps=calibration["month_steps"], check_reps=calibration["check_reps"],
            full_reps=calibration["full_reps"])
    for line in result.lines:
        click.echo(f"calibrate: {line}")
    if len(result.report):
        click.echo(result.report.to_string(index=False))
        timing = result.manifest["timing"]
        click.echo(f"calibrate: {timing['wall_s']} s wall, {timing['cpu_s']} s CPU, load average "
                   f"{timing['load_average_1min']}")
    csv_path, json_path = write_report(result, out)
    click.echo(f"calibrate: fit report {csv_path} and {json_path}")
    return result.mapping
