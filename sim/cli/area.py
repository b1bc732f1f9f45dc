r"""``gpsim area``: build scenario areas from NHS Digital data files.

Usage::

    gpsim area build --map gp-reg-pat-prac-map.csv --patients gp-reg-pat-prac-all.csv \\
        [--ages gp-reg-pat-prac-quin-age.csv] [--workforce GPWPracticeCSV.102025.zip] \\
        [--imd imd-by-practice_fingertips-93553.csv] [--payments payments.csv] [--pcn-workforce [FILE]] \\
        [--share-65plus practice-share-65plus.csv | --no-age-tilt] \\
        (--pcn CODE ... | --sub-icb CODE | --practices CODE ...) --out scenarios/area-NAME.yaml \\
        [--calibrate [--appointments [FILE|FOLDER]] [--fit 2019-04:2019-09] [--parameters calibrated.yaml]]

Codes may be repeated (``--pcn U1 --pcn U2``) or comma-separated (``--pcn U1,U2``). Problems in a
file are reported with the file, row and column at fault. Beside the YAML it writes ``<out>_income.csv``:
each practice's NHS income from the payments file, with PCN and area totals (docs/costs.md).
"""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.area_calibrate import calibrate_options, finish_calibration
from sim.config.yamlread import looks_binary
from sim.costs.income import area_income
from sim.nhsdata.age65 import SHARE_65PLUS_FILE
from sim.nhsdata.area import build_area_details
from sim.nhsdata.area_yaml import write_area_yaml
from sim.nhsdata.errors import DataFormatError
from sim.nhsdata.payments import read_payments
from sim.resources import calibration_data_dir

IMD_FILE = "imd-by-practice_fingertips-93553.csv.gz"  # shipped, as published (calibration/data/README.md)
PAYMENTS_FILE = "payments-to-general-practice_2022-23.csv.gz"  # shipped, as published
PCN_WORKFORCE_FILE = "pcn-workforce-individual-level_2022-09.csv.gz"  # shipped, as published

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _check_text_file(option: str, path: Path | None) -> None:
    """Refuse a file that is plainly not a CSV (binary bytes), naming it, before any reader decodes it."""
    if path is None or path.suffix.lower() == ".zip":
        return
    with open(path, "rb") as f:
        head = f.read(65536)
    if looks_binary(head):
        raise click.ClickException(f"{option} {path}: is a binary file, not a CSV text file as published by NHS "
                                   "Digital (download it again, or unzip it first)")


@click.group("area")
def area() -> None:
    """Build scenario areas (PCNs, practices, staff) from NHS Digital data files."""


@area.command("build")
@click.option("--map", "map_file", required=True, type=_FILE,
              help="gp-reg-pat-prac-map.csv: practice -> PCN -> sub-ICB -> ICB -> region.")
@click.option("--patients", "patients_file", required=True, type=_FILE,
              help="gp-reg-pat-prac-all.csv (list sizes) or gp-reg-pat-prac-quin-age.csv.")
@click.option("--ages", "age_files", multiple=True, type=_FILE,
              help="Quinary or single-year age file(s) for each practice's age mix (repeatable).")
@click.option("--workforce", "workforce_file", type=_FILE, default=None,
              help="GPW practice-level Detailed CSV or its zip; without it staff are assumed "
                   "from national ratios.")
@click.option("--imd", "imd_file", type=_FILE, default=None,
              help="OHID Fingertips 93553 IMD-by-practice file (default: the shipped copy in "
                   "calibration/data); each practice's IMD 2019 score.")
@click.option("--payments", "payments_file", type=_FILE, default=None,
              help="NHS Payments to General Practice file (default: the shipped 2022-23 copy in "
                   "calibration/data); each practice's Carr-Hill weighted patients.")
@click.option("--pcn-workforce", "pcn_workforce_file", type=_FILE, is_flag=False,
              flag_value=str(calibration_data_dir() / PCN_WORKFORCE_FILE), default=None,
              help="Staff each PCN with the additional roles it employs, from a PCN workforce "
                   "individual-level file (given alone: the shipped September 2022 copy).")
@click.option("--share-65plus", "share_65plus_file", type=_FILE, default=None,
              help="Each practice's share of patients aged 65+ (OHID Fingertips 93468; default: the "
                   "shipped 2023 copy in calibration/data): practices without --ages data get the "
                   "England age mix tilted to it.")
@click.option("--no-age-tilt", is_flag=True,
              help="Keep the England default age mix for practices without --ages data.")
@click.option("--include-partial", is_flag=True,
              help="Also use workforce records that were not 'Fully provided'.")
@click.option("--pcn", "pcns", multiple=True, help="PCN code(s) to include.")
@click.option("--sub-icb", "sub_icb", default=None,
              help="Sub-ICB location (CCG) code, ODS (93C) or ONS (E38000240).")
@click.option("--practices", "practices", multiple=True, help="Practice code(s) to include.")
@click.option("--name", default=None, help="Scenario name (default area-<code>).")
@click.option("--area-name", default=None, help="Display name of the area.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the scenario YAML, e.g. scenarios/area-NAME.yaml.")
@calibrate_options
def build(
    map_file: Path,
    patients_file: Path,
    age_files: tuple[Path, ...],
    workforce_file: Path | None,
    imd_file: Path | None,
    payments_file: Path | None,
    pcn_workforce_file: Path | None,
    share_65plus_file: Path | None,
    no_age_tilt: bool,
    include_partial: bool,
    pcns: tuple[str, ...],
    sub_icb: str | None,
    practices: tuple[str, ...],
    name: str | None,
    area_name: str | None,
    out: Path,
    **calibration: object,
) -> None:
    """Build a scenario for real practices and write it to --out.

    With --calibrate the area's demand level is fitted to its own GPAD months first (see
    calibration/README.md, "A calibrated real area in one command").
    """
    chosen = [opt for opt, value in (("--pcn", pcns), ("--sub-icb", sub_icb),
                                     ("--practices", practices)) if value]
    if len(chosen) != 1:
        raise click.UsageError("choose the area with exactly one of --pcn, --sub-icb or "
                               f"--practices (got {', '.join(chosen) or 'none'})")
    if no_age_tilt and share_65plus_file is not None:
        raise click.UsageError("--share-65plus and --no-age-tilt contradict each other: give one")
    for label, path in (("--map", map_file), ("--patients", patients_file),
                        *(("--ages", a) for a in age_files), ("--workforce", workforce_file)):
        _check_text_file(label, path)
    try:
        result = build_area_details(
            map_file, patients_file, workforce_file=workforce_file, age_files=age_files,
            pcns=pcns or None, sub_icb=sub_icb, practices=practices or None, name=name,
            area_name=area_name, include_partial=include_partial,
            imd_file=imd_file or calibration_data_dir() / IMD_FILE,
            payments_file=payments_file or calibration_data_dir() / PAYMENTS_FILE,
            pcn_workforce_file=pcn_workforce_file,
            share_65plus_file=None if no_age_tilt else share_65plus_file or calibration_data_dir() / SHARE_65PLUS_FILE,
        )
        mapping = finish_calibration(result.mapping, calibration, map_file=map_file,
                                     patients_file=patients_file, out=out)
        path = write_area_yaml(mapping, out)
        income_path, income = _write_income(mapping, payments_file or calibration_data_dir() / PAYMENTS_FILE,
                                            out)
    except UnicodeDecodeError as exc:  # a reader met bytes its encoding cannot decode: say which files
        files = ", ".join(str(p) for p in (map_file, patients_file, *age_files, workforce_file) if p)
        raise click.ClickException(f"one of {files} is not text in the encoding NHS Digital publishes "
                                   f"(UTF-8 or Windows-1252): {exc.reason} at byte {exc.start}") from None
    except (DataFormatError, FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    area_map = result.mapping["area"]
    n_practices = sum(len(p["practices"]) for p in area_map["pcns"])
    patients = sum(pr["list_size"] for p in area_map["pcns"] for pr in p["practices"])
    click.echo(f"wrote {path}: {area_map['name']} ({area_map['code']}), "
               f"{len(area_map['pcns'])} PCN(s), {n_practices} practice(s), "
               f"{patients:,} registered patients")
    click.echo(f"wrote {income_path}: NHS payments to the practices (Payments to General Practice): "
               f"GBP {income['total_payments_gbp']:,.0f} in all, GBP {income['total_per_registered_gbp']:,.2f} "
               f"per registered and GBP {income['total_per_weighted_gbp']:,.2f} per weighted patient "
               f"(need index {income['need_index']:.3f}; {int(income['missing_practices'])} practice(s) not in "
               "the file)")
    for line in result.assumed:
        click.echo(f"assumed: {line}")
    for line in result.notes:
        click.echo(f"note: {line}")


def _write_income(mapping: dict, payments_file: Path, out: Path) -> tuple[Path, dict]:
    """The area's practice income by practice, PCN and area (``sim.costs.income.area_income``) beside the YAML."""
    area = mapping["area"]
    codes = [pr["code"] for pcn in area["pcns"] for pr in pcn["practices"]]
    table = area_income(read_payments(payments_file), codes, area=str(area["code"]))
    path = out.with_name(out.stem + "_income.csv")
    table.to_csv(path, index=False)
    return path, table.iloc[0].to_dict()
