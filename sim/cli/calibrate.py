r"""``gpsim calibrate``: fit a scenario to Appointments in General Practice data for one STP.

Usage (the acceptance run, from the project root, with the files shipped in calibration/data)::

    gpsim calibrate scenarios/small.yaml \
        --appointments calibration/data/appointments-london-2019-2021 \
        --stp QMF --fit 2019-04:2019-09 --holdout 2019-10:2020-02 \
        --transfer QKK --transfer QRV --transfer QMJ --out outputs/calibration-QMF

SCENARIO gives every parameter (roles, demand, booking); its area is replaced by a stratified
sample of the STP's practices built from the practice map and the registered-patients file (as
``gpsim area build --practices ...`` would), unless ``--sample-practices 0``, which simulates the
scenario's own area (for a scenario already built for the STP with ``gpsim area build``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.cli.common import console as out_console
from sim.cli.common import err_console, progress_lines
from sim.config.loading import ScenarioError
from sim.nhsdata.age65 import SHARE_65PLUS_FILE
from sim.nhsdata.errors import DataFormatError
from sim.resources import calibration_data_dir

_DATA = calibration_data_dir()  # calibration/data in a checkout, the packaged copy in a wheel
_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _default(name: str) -> Path | None:
    path = _DATA / name
    return path if path.exists() else None


def _weights(values: tuple[str, ...]) -> dict[str, float]:
    out = {}
    for v in values:
        name, sep, number = v.partition("=")
        try:
            out[name.strip()] = float(number)
        except ValueError:
            raise click.BadParameter(f"{v!r}: use NAME=NUMBER, e.g. wait_bins=2") from None
        if not sep:
            raise click.BadParameter(f"{v!r}: use NAME=NUMBER, e.g. wait_bins=2")
    return out


_EPILOG = """\b
Example (the shipped London files; a folder means its Regional_CSV_*.csv):
  gpsim calibrate scenarios/small.yaml \\
    --appointments calibration/data/appointments-london-2019-2021 \\
    --stp QMF --fit 2019-04:2019-09 --holdout 2019-10:2020-02 \\
    --transfer QKK --transfer QRV --transfer QMJ --out outputs/calibration-QMF
"""


def default_refine(trials: int, pilot: int = 3, polish: int = 3) -> int:
    """Refine-stage trials when --refine is not given: a quarter of ``trials`` (30 of 120).

    As far as the pilot, the polish and one TPE trial leave room. Without the refine stage the booking-interval mix fitted worse (2 of 5 held-out months passed,
    against 5 of 5 with it; calibration/README.md).
    """
    return max(0, min(trials // 4, trials - pilot - polish - 1))


@click.command("calibrate", context_settings={"help_option_names": ["-h", "--help"]},
               epilog=_EPILOG)
@click.argument("scenario", type=_FILE)
@click.option("--appointments", "appointment_files", multiple=True, required=True,
              type=click.Path(exists=True, path_type=Path),
              help="GPAD Regional_CSV_*.csv file (repeatable) or a folder of them: the STP's, and "
                   "other areas' for the seasonal profile.")
@click.option("--stp", "--area-stp", "stp", required=True,
              help="STP/ICB to fit: its code (QMF), ONS code (E54000029) or a CCG code (A3A8R).")
@click.option("--fit", "fit_months", required=True, help="Fit months, YYYY-MM:YYYY-MM.")
@click.option("--holdout", "holdout_months", required=True,
              help="Held-out months (not fitted, reported), YYYY-MM:YYYY-MM.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder.")
@click.option("--map", "map_file", type=_FILE, default=_default("gp-reg-pat-prac-map_2022-01.csv"),
              show_default=True, help="gp-reg-pat-prac-map.csv: practice -> PCN -> CCG -> STP.")
@click.option("--patients", "patients_file", type=_FILE,
              default=_default("gp-reg-pat-prac-all_2021-01.csv"), show_default=True,
              help="gp-reg-pat-prac-all.csv: list sizes (the per-1,000 denominator).")
@click.option("--workforce", "workforce_file", type=_FILE, default=None,
              help="GPW practice-level CSV for the sample's staff (default: national ratios).")
@click.option("--share-65plus", "share_65plus_file", type=_FILE, default=_default(SHARE_65PLUS_FILE),
              show_default=True,
              help="Each practice's share of patients aged 65+ (OHID Fingertips 93468, 2023): each "
                   "sampled practice gets the England age mix tilted to it.")
@click.option("--no-age-tilt", is_flag=True,
              help="Give every sampled practice the England default age mix (no 65+ tilt).")
@click.option("--trials", type=click.IntRange(7), default=120, show_default=True,
              help="Fit trials in all (3 pilot + TPE + 3 polish).")
@click.option("--refine", type=click.IntRange(0), default=None,
              help="Trials (of --trials) of a second TPE over the lead and next-day parameters "
                   "near the best trial (0: none). Default: a quarter of --trials (30 of 120), "
                   "as far as the pilot, polish and one TPE trial leave room.")
@click.option("--reps", type=click.IntRange(1), default=1, show_default=True,
              help="Replications per trial (common random numbers across trials).")
@click.option("--final-reps", type=click.IntRange(1), default=3, show_default=True,
              help="Replications the last candidates are compared on before the best is chosen.")
@click.option("--eval-reps", type=click.IntRange(2), default=None,
              help="Replications of the best parameters for the intervals and the comparison "
                   "with the forecast; default 25 (their mean's noise about 0.2% a month).")
@click.option("--sample-practices", type=click.IntRange(0), default=10, show_default=True,
              help="Practices in the STP sample (0: simulate SCENARIO's own area).")
@click.option("--seed", type=int, default=20190401, show_default=True,
              help="Seed of the TPE sampler.")
@click.option("--season-months", default=None,
              help="Window for the seasonal profile (default the 12 months ending with the last "
                   "month); 'scenario' keeps SCENARIO's profile.")
@click.option("--season-steps", type=click.IntRange(0), default=1, show_default=True,
              help="Correction steps of the request profile so that simulated appointments "
                   "follow the other areas' profile (0: use the appointment profile as is).")
@click.option("--staff-mix/--no-staff-mix", default=True, show_default=True,
              help="Give the non-GP-first needs the other areas' monthly staff mix "
                   "(need_types.*.monthly_share_factor: the autumn vaccination months).")
@click.option("--holiday/--no-holiday", default=True, show_default=True,
              help="Move routine bookings out of the Christmas-New Year window "
                   "(demand.holiday_booking), its share set to the other areas' December lift.")
@click.option("--transfer", "transfer", multiple=True,
              help="Apply the calibrated parameters to this other STP too (repeatable).")
@click.option("--param", "params", multiple=True,
              help="Fit only these parameters (repeatable; default all).")
@click.option("--weight", "weights", multiple=True,
              help="Component weight NAME=NUMBER (total, gp_share, modes, wait_bins, dna_share).")
@click.option("--cutoff", type=click.FloatRange(0, min_open=True), default=3.0, show_default=True,
              help="Implausibility cut-off of the ensemble, in sigmas: a fit trial whose error on "
                   "some component, against its replication noise and the closest trials' "
                   "error, is beyond it (three sigma for a mean over the fit months) is ruled out.")
@click.option("--wave", type=click.IntRange(0), default=16, show_default=True,
              help="Latin-hypercube trials (on top of --trials) over the parameter box the fit "
                   "has not ruled out: a second history-matching wave that widens the ensemble.")
@click.option("--members", type=click.IntRange(1), default=30, show_default=True,
              help="Most parameter sets in the ensemble written to calibrated.yaml (1: none but "
                   "the best).")
@click.option("--level-refit/--no-level-refit", default=True, show_default=True,
              help="Refit each --transfer STP's demand level (demand.rate_multiplier only) on "
                   "its own fit months, as the simple forecast does; the pure transfer is "
                   "reported beside it. Off: the pure transfer only.")
@click.option("--level-reps", type=click.IntRange(0), default=None,
              help="Replications of the final level correction (demand.rate_multiplier only, "
                   "fit months only) of the fitted STP and of each transfer STP's refit; 0: none; "
                   "default 25 (the level's noise about 0.12%).")
@click.option("--transfer-season/--no-transfer-season", default=True, show_default=True,
              help="Give each --transfer STP the other STPs' mean seasonal profile, itself left "
                   "out (as the simple forecast's), through the model's seasonal correction.")
@click.option("--season-reps", type=click.IntRange(1), default=None,
              help="Replications of each seasonal correction step (the fitted STP's and each "
                   "transfer STP's own lag); default 9 (each month measured to about 0.35%).")
@click.option("--transfer-lag/--no-transfer-lag", default=True, show_default=True,
              help="With --transfer-season and --level-refit: correct each --transfer STP's "
                   "profile for its own sample's booking lag (--season-steps runs of the "
                   "seasonal correction at its refitted rate). Off: the fitted STP's lag.")
@click.option("--workers", type=click.IntRange(1), default=None,
              help="Processes the model runs are spread over (default: the cores, at most 2); "
                   "the results do not depend on it.")
@click.option("--share-distance", type=click.Choice(["squared", "multinomial"]),
              default="squared", show_default=True, help="Distance for the share components.")
def calibrate(scenario: Path, appointment_files: tuple[Path, ...], stp: str, fit_months: str,
              holdout_months: str, out: Path, map_file: Path | None, patients_file: Path | None,
              workforce_file: Path | None, share_65plus_file: Path | None, no_age_tilt: bool,
              trials: int, refine: int | None, reps: int, final_reps: int,
              eval_reps: int | None,
              sample_practices: int, seed: int, season_months: str | None, season_steps: int,
              staff_mix: bool, holiday: bool, transfer: tuple[str, ...], params: tuple[str, ...], weights: tuple[str, ...],
              share_distance: str, cutoff: float, members: int, wave: int,
              level_refit: bool, level_reps: int | None, transfer_season: bool, transfer_lag: bool,
              season_reps: int | None, workers: int | None) -> None:
    """Fit SCENARIO to one STP's GPAD months and check it on held-out months.

    Fits the demand rate multiplier, the share of need taken first by non-GP roles, wait
    tolerance, the booking-interval mix (lead times, same-day share and slots, continuity, book
    length), the mode mix and the DNA rate, so that simulated monthly attended appointments per
    1,000 patients, the GP share, mode shares, booking-interval shares and the DNA share match
    the --fit months. The seasonal demand profile is estimated from the other areas in the
    appointment files. Writes calibrated.yaml, sample.yaml, fit.csv, parameters.csv,
    trials.csv, acceptance.csv, fit.png, holdout.png (transfer.png) and calibration.json to
    --out.
    """
    # loaded here, not at the top: the calibration pipeline imports Optuna, too slow for every gpsim command
    from sim.calibrate.pipeline import calibrate as run_calibration
    from sim.calibrate.settings import Settings

    files: list[Path] = []
    for path in appointment_files:
        if path.is_dir():
            found = sorted(path.glob("Regional_CSV_*.csv*")) or sorted(path.glob("*.csv"))
            if not found:
                raise click.UsageError(f"no Regional_CSV_*.csv in {path}")
            files += found
        else:
            files.append(path)
    if map_file is None or patients_file is None:
        raise click.UsageError("give --map and --patients (no shipped copies were found in "
                               f"{_DATA})")
    if no_age_tilt:
        share_65plus_file = None
    if refine is None:
        refine = default_refine(trials)
    settings = Settings(stp=stp, fit_months=fit_months, holdout_months=holdout_months,
                        trials=trials, refine=refine, reps=reps, final_reps=final_reps,
                        sample_practices=sample_practices, seed=seed, season_months=season_months,
                        season_steps=season_steps, staff_mix=staff_mix, holiday=holiday,
                        transfer=transfer,
                        params=list(params) or None, weights=_weights(weights),
                        share_distance=share_distance, cutoff=cutoff, members=members,
                        wave=wave, level_refit=level_refit,
                        transfer_season=transfer_season, transfer_lag=transfer_lag)
    if workers is not None:
        settings.workers = workers
    if season_reps is not None:
        settings.season_reps = season_reps
    if eval_reps is not None:
        settings.eval_reps = eval_reps
    if level_reps is not None:
        settings.level_reps = level_reps
    console, err = out_console, err_console
    enabled = sys.stderr.isatty()
    try:
        if enabled:
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=err, transient=True) as prog:
                tasks: dict[str, int] = {}

                def update(label: str, done: int, total: int) -> None:
                    if label not in tasks:
                        tasks[label] = prog.add_task(label, total=total)
                    prog.update(tasks[label], completed=done, total=total)

                result = run_calibration(scenario, files, settings, out,
                                         map_file=map_file, patients_file=patients_file,
                                         workforce_file=workforce_file, progress=update,
                                         share_65plus_file=share_65plus_file)
        else:  # a log: one line per finished step of each stage (trial, replication ...)
            lines: dict[str, Callable[[int, int], None]] = {}

            def log(label: str, done: int, total: int) -> None:
                lines.setdefault(label, progress_lines(f"Calibration {label}", "steps", err))(done, total)

            result = run_calibration(scenario, files, settings, out,
                                     map_file=map_file, patients_file=patients_file,
                                     workforce_file=workforce_file, progress=log,
                                     share_65plus_file=share_65plus_file)
    except (ScenarioError, DataFormatError, ValueError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from None
    console.print(acceptance_table(result))
    console.print(baseline_view(result))
    for e in result.manifest.get("baseline", {}).get("holdout", []):
        console.print(forecast_line(e))
    m = result.manifest
    for entry in m["acceptance"]["transfer"]:
        errs = ", ".join(f"{k} {v:+.1f}%" for k, v in entry["total_error_pct"].items())
        ok = "[green]pass[/green]" if entry["pass_within_10pct"] else "[red]fail[/red]"
        console.print(f"transfer to {entry['stp']} ({entry['name']}): totals {errs} -> {ok} "
                      f"({entry['months_passing']}/{len(entry['months'])} within 10%)")
        if entry.get("level"):
            pure = ", ".join(f"{k} {v:+.1f}%" for k, v in entry["pure_total_error_pct"].items())
            console.print(f"  its own level refitted on the fit months: rate multiplier "
                          f"{entry['level']['input_rate_multiplier']:.3f} -> "
                          f"{entry['level']['rate_multiplier']:.3f}; pure transfer totals {pure}")
    console.print(f"fit {m['timings_s']['fit_s']:.0f} s, total {m['timings_s']['total_s']:.0f} s; "
                  f"results in [bold]{out}[/bold]: " + ", ".join(m["files"]))


def acceptance_table(result) -> Table:
    """Held-out months: total error, GP share error, worst bin error and pass/fail."""
    checks = result.acceptance.loc[result.acceptance["period"] == "holdout"]
    table = Table(title=f"{result.area.name} ({result.area.icb_code}): held-out months")
    for col in ("Month", "Total error %", "GP share error pp", "Worst bin error pp", "Pass"):
        table.add_column(col, justify="left" if col == "Month" else "right")
    for r in checks.to_dict("records"):
        bins = {k: v for k, v in r.items() if k.startswith("bin_error_pp:")}
        worst = max(bins.items(), key=lambda kv: abs(kv[1])) if bins else ("", float("nan"))
        table.add_row(r["month"], f"{r['total_error_pct']:+.1f}",
                      f"{r['gp_share_error_pp']:+.1f}",
                      f"{worst[1]:+.1f} ({' '.join(worst[0].split(':', 1)[1].split())})",
                      "[green]pass[/green]" if r["pass"] else "[red]fail[/red]")
    return table


def forecast_line(entry: dict) -> str:
    """One STP's held-out summary: model and simple-forecast MAPE, and the interval's coverage."""
    line = (f"{entry['stp']} held-out MAPE: model {entry['model_mape_pct']:.2f}%, simple forecast "
            f"{entry['forecast_mape_pct']:.2f}% -> "
            + ("[green]model at least as accurate[/green]" if entry["model_at_least_as_accurate"]
               else "[red]forecast more accurate[/red]"))
    if "predictive_coverage" in entry:
        line += (f"; 90% predictive interval covers {entry['predictive_coverage']:.0%} of months, "
                 f"mean width {entry['predictive_width_pct']:.1f}%")
    return line


def baseline_view(result) -> Table:
    """Month by month, every STP: the model's and the simple forecast's total error."""
    frame = result.baseline
    table = Table(title="Attended appointments per 1,000: model against the simple forecast "
                        "(error %)")
    for col in ("STP", "Month", "Period", "Model %", "Forecast %", "In 90% interval"):
        table.add_column(col, justify="left" if col in ("STP", "Month", "Period") else "right")
    for r in frame.to_dict("records"):
        covers = r.get("pred_covers")
        table.add_row(str(r["stp"]), str(r["month"]), str(r["period"]),
                      f"{r['model_error_pct']:+.2f}", f"{r['forecast_error_pct']:+.2f}",
                      "" if covers is None or covers != covers else ("yes" if covers else "no"))
    return table
