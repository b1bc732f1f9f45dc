"""Build a scenario area from NHS Digital data: practices, PCNs, list sizes, age mix and staff.

:func:`build_area` selects practices from the practice -> PCN map (by PCN, sub-ICB location or
practice codes), takes each practice's registered list from a Patients Registered at a GP Practice
file (and its age mix from the quinary or single-year age files where given, else, with a 65+
share file, the England mix tilted to its share aged 65+: :mod:`sim.nhsdata.age65`), and staffs it from
the General Practice Workforce practice-level Detailed CSV when one is given. Where there is no
workforce file, or a practice's workforce record is missing or not fully provided, staff come from
national ratios per 10,000 registered patients (:mod:`sim.nhsdata.staffing`) and the scenario says
so: its ``description`` and the YAML's comment header list every assumed part.

The result is a plain mapping in the :class:`sim.config.scenario.Scenario` schema;
:func:`sim.nhsdata.area_yaml.write_area_yaml` validates it with
:func:`sim.config.loading.scenario_from_mapping` and writes it atomically.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.config.scenario import AGE_BANDS
from sim.nhsdata.age65 import tilt_area
from sim.nhsdata.csv_read import PathLike
from sim.nhsdata.errors import ExclusionReport, report_of
from sim.nhsdata.imd import read_imd
from sim.nhsdata.patients import (
    UNALLOCATED_PCN_CODES,
    age_mix,
    detect_patients_file,
    read_ages,
    read_practice_map,
    read_practice_totals,
    read_quinary_ages,
)
from sim.nhsdata.payments import read_payments
from sim.nhsdata.pcn_staff import add_pcn_staff, additional_role_settings
from sim.nhsdata.staffing import (
    MODEL_ROLES,
    assumed_staff,
    ratio_assumption_text,
    staff_from_workforce,
)
from sim.nhsdata.workforce import read_workforce


@dataclass
class AreaBuild:
    """What :func:`build_area_details` built: the scenario mapping plus what it assumed and noted.

    Attributes:
        mapping: the scenario, a plain mapping in the :class:`sim.config.scenario.Scenario` schema.
        assumed: the parts taken from assumptions rather than data, one line each.
        notes: data issues met on the way (practices left out, records not used, ...).
        sources: the files read, with their extract dates.
        share_65plus: practice code -> ``{"share_65plus", "source"}`` of the practices whose age mix was tilted.
    """

    mapping: dict[str, Any]
    assumed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    share_65plus: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class _Registered:
    """The registered lists read: list size by practice, age mix by practice (or None)."""

    list_sizes: dict[str, int]
    mix: pd.DataFrame | None


@dataclass
class _Gaps:
    """What the data left out and the build filled in, practice codes by kind."""

    ratio_practices: list[str] = field(default_factory=list)
    ratio_roles: dict[str, list[str]] = field(default_factory=dict)
    no_age: list[str] = field(default_factory=list)
    unallocated: list[str] = field(default_factory=list)


def parse_codes(values: str | Iterable[str] | None) -> list[str] | None:
    """Codes as given (one, several, or comma-separated) to a list in upper case; None for None."""
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        out += [v.strip().upper() for v in str(value).split(",") if v.strip()]
    return out


def _plural(n: int, word: str) -> str:
    """``n`` and ``word``, with an s unless ``n`` is 1."""
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _slug(text: str) -> str:
    """``text`` as a lower-case file-name part (``area`` when nothing is left)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "area"


def select_practices(practice_map: pd.DataFrame, map_file: PathLike, pcns: list[str] | None,
                     sub_icb: list[str] | None, practices: list[str] | None
                     ) -> tuple[pd.DataFrame, str, str]:
    """The map rows selected by exactly one of the code lists, and a code and name for the area."""
    chosen = [x for x in (pcns, sub_icb, practices) if x]
    if len(chosen) != 1:
        raise ValueError("choose the area with exactly one of pcns, sub_icb or practices")
    if pcns:
        return _select_pcns(practice_map, map_file, pcns)
    if sub_icb:
        return _select_sub_icb(practice_map, map_file, sub_icb)
    assert practices is not None
    return _select_listed(practice_map, map_file, practices)


def _unknown(codes: list[str], known: set[str], what: str, map_file: PathLike) -> None:
    """Raise naming the codes that are not in the map."""
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValueError(f"{what} not in {map_file}: {', '.join(unknown)}")


def _select_pcns(practice_map: pd.DataFrame, map_file: PathLike, pcns: list[str]
                 ) -> tuple[pd.DataFrame, str, str]:
    """The practices of the PCNs named; the area named after the PCN (or the number of PCNs)."""
    upper_pcn = practice_map["pcn_code"].str.upper()
    _unknown(pcns, set(upper_pcn), "PCN code(s)", map_file)
    rows = practice_map.loc[upper_pcn.isin(pcns)]
    if len(pcns) == 1:
        return rows, pcns[0], str(rows["pcn_name"].iloc[0])
    return rows, "PCNS-" + "-".join(pcns), f"{len(pcns)} PCNs"


def _select_sub_icb(practice_map: pd.DataFrame, map_file: PathLike, sub_icb: list[str]
                    ) -> tuple[pd.DataFrame, str, str]:
    """The practices of the sub-ICB locations named by ODS or ONS code."""
    codes = practice_map["sub_icb_code"].str.upper()
    ons = practice_map["sub_icb_ons_code"].str.upper()
    _unknown(sub_icb, set(codes) | set(ons), "sub-ICB (CCG) code(s)", map_file)
    rows = practice_map.loc[codes.isin(sub_icb) | ons.isin(sub_icb)]
    names = rows["sub_icb_name"].unique()
    code = "-".join(sorted(rows["sub_icb_code"].unique()))
    return rows, code, str(names[0]) if len(names) == 1 else f"{len(names)} sub-ICB locations"


def _select_listed(practice_map: pd.DataFrame, map_file: PathLike, practices: list[str]
                   ) -> tuple[pd.DataFrame, str, str]:
    """The practices named by code."""
    codes = practice_map["practice_code"].str.upper()
    _unknown(practices, set(codes), "practice code(s)", map_file)
    rows = practice_map.loc[codes.isin(practices)]
    return rows, "PRACTICES", f"{len(rows)} selected practices"


def _date_of(frame: pd.DataFrame) -> str:
    """The latest extract date of a frame read from NHS Digital, as source text."""
    if "extract_date" in frame.columns and frame["extract_date"].notna().any():
        return f"extract {pd.Timestamp(frame['extract_date'].max()).date().isoformat()}"
    return "extract date not given"


def _read_lists(patients_file: PathLike) -> tuple[dict[str, int], pd.DataFrame | None, str]:
    """List size by practice, ages by practice (quinary files only) and the file's extract date."""
    kind = detect_patients_file(patients_file)
    if kind == "totals":
        totals = read_practice_totals(patients_file)
        return (dict(zip(totals["practice_code"], totals["patients"], strict=True)), None,
                _date_of(totals))
    if kind == "quinary":
        quin = read_quinary_ages(patients_file, keep_totals=True)
        all_rows = quin.loc[(quin["sex"] == "ALL") & quin["band"].isna()]
        list_sizes = dict(zip(all_rows["practice_code"], all_rows["patients"], strict=True))
        banded = quin.loc[quin["band"].notna()]
        if not list_sizes:
            sums = banded.loc[banded["sex"].isin(["MALE", "FEMALE"])].groupby(
                "practice_code")["patients"].sum()
            list_sizes = sums.to_dict()
        return list_sizes, banded[["practice_code", "sex", "band", "patients"]], _date_of(quin)
    raise ValueError(
        f"{patients_file}: a {kind} file; --patients takes gp-reg-pat-prac-all.csv or "
        "gp-reg-pat-prac-quin-age.csv (single-year files go to --ages)")


def _read_registered(patients_file: PathLike, age_files: Sequence[PathLike],
                     sources: list[str]) -> _Registered:
    """List sizes and age mix from the patients file and any age files (sources appended)."""
    list_sizes, ages, date = _read_lists(patients_file)
    sources.append(f"registered patients {Path(patients_file).name} ({date})")
    if age_files:
        extra = read_ages(age_files)
        ages = extra if ages is None else pd.concat([ages, extra], ignore_index=True)
        sources.append("ages " + ", ".join(Path(p).name for p in age_files))
    mix = age_mix(ages) if ages is not None and not ages.empty else None
    return _Registered(list_sizes, mix)


def _read_staffing(workforce_file: PathLike | None, include_partial: bool, sources: list[str]
                   ) -> tuple[pd.DataFrame | None, ExclusionReport | None]:
    """The workforce records indexed by practice code, and what the reader left out (or Nones)."""
    if workforce_file is None:
        return None, None
    workforce = read_workforce(workforce_file, include_partial=include_partial)
    report = report_of(workforce)
    sources.append(f"workforce {Path(workforce_file).name}")
    return workforce.set_index("practice_code", drop=False), report


def _keep_listed(rows: pd.DataFrame, list_sizes: dict[str, int], patients_file: PathLike,
                 notes: list[str]) -> pd.DataFrame:
    """The selected practices with a registered list (the others noted); error when none has."""
    missing_lists = sorted(c for c in rows["practice_code"] if c not in list_sizes)
    if missing_lists:
        notes.append(
            f"{len(missing_lists)} practice(s) in the map but not in the patients file (closed or "
            f"merged since the map's extract) left out: {', '.join(missing_lists)}")
    rows = rows.loc[rows["practice_code"].isin(list_sizes)]
    if rows.empty:
        raise ValueError("no selected practice has a registered list in "
                         f"{patients_file}; check the files are from compatible months")
    return rows


#: Share of the patients file's practices the map should list: published pairs of files agree on
#: 98-99.8% (January 2022 map against the January 2021 and March 2026 patient files); far fewer
#: means a map cut short (a download stopped at a row boundary reads as a smaller, valid file).
MAP_COVERAGE_WARNING = 0.9


def _check_map_coverage(practice_map: pd.DataFrame, list_sizes: dict[str, int], map_file: PathLike,
                        patients_file: PathLike, notes: list[str]) -> None:
    """Warn when the map lists far fewer of the patients file's practices than published files do."""
    if not list_sizes:
        return
    mapped = set(practice_map["practice_code"])
    share = sum(code in mapped for code in list_sizes) / len(list_sizes)
    if share < MAP_COVERAGE_WARNING:
        notes.append(
            f"WARNING: the practice map {Path(map_file).name} lists only {share:.0%} of the "
            f"{len(list_sizes):,} practices in {Path(patients_file).name} (published files agree on "
            f"98% or more): is the map file truncated? Practices it lacks are missing from this area")


def _practice_staff(code: str, list_size: int, workforce: pd.DataFrame | None, gaps: _Gaps,
                    notes: list[str]) -> list[dict[str, Any]]:
    """A practice's staff groups: its workforce record, with roles or practices it lacks assumed."""
    if workforce is None or code not in workforce.index:
        gaps.ratio_practices.append(code)
        return assumed_staff(list_size)
    staff, missing = staff_from_workforce(workforce.loc[code], notes)
    if missing:
        gaps.ratio_roles[code] = missing
        staff += assumed_staff(list_size, missing)
        order = {r: i for i, r in enumerate(MODEL_ROLES)}
        staff.sort(key=lambda g: order[g["role"]])
    return staff


def _practice(rec: pd.Series, registered: _Registered, workforce: pd.DataFrame | None,
              gaps: _Gaps, notes: list[str]) -> dict[str, Any]:
    """One practice of the scenario: code, name, list size, age mix (where known) and staff."""
    code = rec["practice_code"]
    list_size = int(registered.list_sizes[code])
    practice: dict[str, Any] = {"code": code, "name": rec["practice_name"],
                                "list_size": list_size}
    mix = registered.mix
    if mix is not None and code in mix.index:
        practice["age_mix"] = {band: float(mix.at[code, band]) for band in AGE_BANDS}
    else:
        gaps.no_age.append(code)
    practice["staff"] = _practice_staff(code, list_size, workforce, gaps, notes)
    return practice


def _pcns(rows: pd.DataFrame, registered: _Registered, workforce: pd.DataFrame | None,
          gaps: _Gaps, notes: list[str]) -> list[dict[str, Any]]:
    """The PCNs of the scenario with their practices; a practice in no PCN gets its own."""
    pcns_out: dict[str, dict[str, Any]] = {}
    for _, rec in rows.sort_values(["pcn_code", "practice_code"]).iterrows():
        practice = _practice(rec, registered, workforce, gaps, notes)
        code, pcn_code, pcn_name = rec["practice_code"], rec["pcn_code"], rec["pcn_name"]
        if pcn_code in UNALLOCATED_PCN_CODES:
            gaps.unallocated.append(code)
            pcn_code, pcn_name = f"U-{code}", f"{rec['practice_name']} (in no PCN)"
        pcn = pcns_out.setdefault(pcn_code, {"code": pcn_code, "name": pcn_name, "practices": []})
        pcn["practices"].append(practice)
    return list(pcns_out.values())


def _record_gaps(build: AreaBuild, gaps: _Gaps, workforce: pd.DataFrame | None,
                 wf_report: ExclusionReport | None) -> None:
    """Write what was assumed and the data left out into ``build.assumed`` and ``build.notes``."""
    if gaps.unallocated:
        build.notes.append(f"{len(gaps.unallocated)} practice(s) in no PCN, each made its own "
                           f"single-practice PCN U-<code>: {', '.join(gaps.unallocated)}")
    ratio_text = ratio_assumption_text()
    if workforce is None:
        build.assumed.append(f"staff of every practice: {ratio_text}")
    else:
        if gaps.ratio_practices:
            build.assumed.append(
                f"staff of {len(gaps.ratio_practices)} practice(s) with no fully provided "
                f"workforce record ({', '.join(gaps.ratio_practices)}): {ratio_text}")
        if gaps.ratio_roles:
            listed = "; ".join(f"{c}: {', '.join(r)}" for c, r in sorted(gaps.ratio_roles.items()))
            build.assumed.append(f"roles not disclosed in the workforce file, from national "
                                 f"ratios: {listed}")
        excluded = wf_report.rows_excluded if wf_report is not None else 0
        if excluded:
            build.notes.append(f"workforce file: {excluded:,} practice records not used "
                               "(not fully provided or blank)")
    if gaps.no_age:
        build.assumed.append(
            f"age mix of {len(gaps.no_age)} practice(s) with no age data: the scenario default "
            "(demand.default_age_mix, England 2024)")


def _description(build: AreaBuild, pcns: list[dict[str, Any]], with_ages: bool,
                 with_workforce: bool) -> str:
    """The scenario's description: sources, size, what is from data, what was assumed, notes."""
    n_practices = sum(len(p["practices"]) for p in pcns)
    patients = sum(pr["list_size"] for p in pcns for pr in p["practices"])
    lines = [
        f"Area built by `gpsim area build` on {dt.date.today().isoformat()} from NHS Digital data "
        "(Open Government Licence v3.0): " + "; ".join(build.sources) + ".",
        f"{_plural(n_practices, 'practice')} in {_plural(len(pcns), 'PCN')}, "
        f"{patients:,} registered patients.",
        "From data: list sizes, PCN membership"
        + (", age mix" if with_ages else "")
        + (", staff by role (FTE and headcount) and GP ages" if with_workforce else "")
        + ".",
    ]
    if build.assumed:
        lines.append("ASSUMED (not from data): " + " | ".join(build.assumed) + ".")
    else:
        lines.append("Nothing assumed: every figure is from the files above.")
    if build.notes:
        lines.append("Notes: " + " | ".join(build.notes) + ".")
    return "\n".join(lines)


def _add_imd(pcns: list[dict[str, Any]], imd_file: PathLike, build: AreaBuild, year: int = 2019) -> None:
    """Each practice's IMD ``year`` score from Fingertips 93553 (``imd_score``); practices without one are noted."""
    imd = read_imd(imd_file, year=year)
    scores = dict(zip(imd["practice_code"], imd["imd_score"], strict=True))
    build.sources.append(f"IMD {year} by practice {Path(imd_file).name} (OHID Fingertips 93553)")
    missing = []
    for pcn in pcns:
        for practice in pcn["practices"]:
            score = scores.get(practice["code"])
            if score is None or pd.isna(score):
                missing.append(practice["code"])
            else:
                practice["imd_score"] = round(float(score), 3)
    if missing:
        build.notes.append(f"no IMD {year} score for {_plural(len(missing), 'practice')}: {', '.join(missing)}")


def _add_weighted(pcns: list[dict[str, Any]], payments_file: PathLike, build: AreaBuild) -> None:
    """Each practice's Carr-Hill weighted patients: its list size x weighted / registered patients in the payments file."""
    pay = read_payments(payments_file)
    ok = (pay["registered_patients"] > 0) & pay["weighted_patients"].notna()
    index = dict(zip(pay.loc[ok, "practice_code"], pay.loc[ok, "weighted_patients"] / pay.loc[ok, "registered_patients"],
                     strict=True))
    build.sources.append(f"Carr-Hill weighted patients from {Path(payments_file).name} (NHS Payments to General "
                         "Practice), as list size x weighted / registered patients")
    missing = []
    for pcn in pcns:
        for practice in pcn["practices"]:
            need = index.get(practice["code"])
            if need is None:
                missing.append(practice["code"])
            else:
                practice["weighted_patients"] = round(practice["list_size"] * float(need), 1)
    if missing:
        build.notes.append(f"no weighted patients in {Path(payments_file).name} for "
                           f"{_plural(len(missing), 'practice')}: {', '.join(missing)}")


def build_area_details(
    map_file: PathLike,
    patients_file: PathLike,
    *,
    workforce_file: PathLike | None = None,
    age_files: Sequence[PathLike] = (),
    pcns: str | Iterable[str] | None = None,
    sub_icb: str | Iterable[str] | None = None,
    practices: str | Iterable[str] | None = None,
    name: str | None = None,
    area_name: str | None = None,
    include_partial: bool = False,
    imd_file: PathLike | None = None,
    payments_file: PathLike | None = None,
    pcn_workforce_file: PathLike | None = None,
    share_65plus_file: PathLike | None = None,
) -> AreaBuild:
    """Like :func:`build_area`, also returning what was assumed and noted (see :class:`AreaBuild`)."""
    practice_map = read_practice_map(map_file)
    rows, area_code, default_area_name = select_practices(
        practice_map, map_file, parse_codes(pcns), parse_codes(sub_icb), parse_codes(practices))
    build = AreaBuild(mapping={})
    build.sources.append(f"practice map {Path(map_file).name} ({_date_of(practice_map)})")
    registered = _read_registered(patients_file, age_files, build.sources)
    workforce, wf_report = _read_staffing(workforce_file, include_partial, build.sources)
    rows = _keep_listed(rows, registered.list_sizes, patients_file, build.notes)
    _check_map_coverage(practice_map, registered.list_sizes, map_file, patients_file, build.notes)
    gaps = _Gaps()
    pcns_out = _pcns(rows, registered, workforce, gaps, build.notes)
    if share_65plus_file is not None:  # practices without an age mix from --ages: the default tilted (age65.py)
        tilt = tilt_area(pcns_out, share_65plus_file, practice_map, registered.list_sizes, build.sources, build.notes)
        gaps.no_age = tilt.codes("default")
        build.share_65plus = {c: {"share_65plus": v, "source": tilt.sources[c]} for c, v in tilt.shares.items()}
    _record_gaps(build, gaps, workforce, wf_report)
    if imd_file is not None:
        _add_imd(pcns_out, imd_file, build)
    if payments_file is not None:
        _add_weighted(pcns_out, payments_file, build)
    staffed = set() if pcn_workforce_file is None else add_pcn_staff(pcns_out, pcn_workforce_file,
                                                                      build.sources, build.notes)
    build.mapping = {
        "name": name or f"area-{_slug(area_code)}",
        "description": _description(build, pcns_out, registered.mix is not None,
                                    workforce is not None),
        "area": {"code": area_code, "name": area_name or default_area_name, "pcns": pcns_out},
        **additional_role_settings(staffed),
    }
    return build


def build_area(
    map_file: PathLike,
    patients_file: PathLike,
    *,
    workforce_file: PathLike | None = None,
    age_files: Sequence[PathLike] = (),
    pcns: str | Iterable[str] | None = None,
    sub_icb: str | Iterable[str] | None = None,
    practices: str | Iterable[str] | None = None,
    name: str | None = None,
    area_name: str | None = None,
    include_partial: bool = False,
    imd_file: PathLike | None = None,
    payments_file: PathLike | None = None,
    pcn_workforce_file: PathLike | None = None,
    share_65plus_file: PathLike | None = None,
) -> dict[str, Any]:
    """Build a scenario mapping (``sim.config.scenario.Scenario`` schema) for an area of real practices.

    Args:
        map_file: ``gp-reg-pat-prac-map.csv`` (practice -> PCN -> sub-ICB -> ICB -> region).
        patients_file: ``gp-reg-pat-prac-all.csv`` (list sizes) or ``gp-reg-pat-prac-quin-age.csv``
            (list sizes and age mix).
        workforce_file: the GPW practice-level Detailed CSV (or its zip); without it staff come
            from national ratios, flagged as assumed.
        age_files: quinary or single-year age files giving each practice's age mix.
        pcns: PCN code(s) to include.
        sub_icb: sub-ICB location (CCG) code(s), ODS (``93C``) or ONS (``E38000240``).
        practices: practice code(s); their PCNs come from the map.
        name: scenario name (default ``area-<code>``).
        area_name: the area's display name (default the PCN's or sub-ICB's name).
        include_partial: use workforce records that were not fully provided.
        imd_file: OHID Fingertips 93553 (IMD by practice): each practice's IMD 2019 score.
        payments_file: NHS Payments to General Practice: each practice's Carr-Hill weighted patients.
        pcn_workforce_file: PCN workforce individual-level CSV: each PCN's own additional-role staff.
        share_65plus_file: Fingertips 93468 share aged 65+ by practice: each practice without an age
            mix from ``age_files`` gets the default mix tilted to it (:mod:`sim.nhsdata.age65`).

    Exactly one of ``pcns``, ``sub_icb`` and ``practices`` is given (codes may be comma-separated).

    Returns:
        A mapping with ``name``, ``description`` (data sources, and every assumed part) and
        ``area`` (PCNs -> practices with ``list_size``, ``age_mix`` and ``staff``).

    Raises:
        DataFormatError: a file does not match its published schema.
        ValueError: the selection is empty, ambiguous or names unknown codes.
    """
    return build_area_details(
        map_file, patients_file, workforce_file=workforce_file, age_files=age_files, pcns=pcns,
        sub_icb=sub_icb, practices=practices, name=name, area_name=area_name,
        include_partial=include_partial, imd_file=imd_file, payments_file=payments_file,
        pcn_workforce_file=pcn_workforce_file, share_65plus_file=share_65plus_file,
    ).mapping

