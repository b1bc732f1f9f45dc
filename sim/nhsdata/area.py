"""Build a scenario area from NHS Digital data: practices, PCNs, list sizes, age mix and staff.

:func:`build_area` selects practices from the practice -> PCN map (by PCN, sub-ICB location or
practice codes), takes each practice's registered list from a Patients Registered at a GP Practice
file (and its age mix from the quinary or single-year age files where given), and staffs it from
the General Practice Workforce practice-level Detailed CSV when one is given. Where there is no
workforce file, or a practice's workforce record is missing or not fully provided, staff come from
national ratios per 10,000 registered patients (:data:`NATIONAL_FTE_PER_10K`) and the scenario says
so: its ``description`` and the YAML's comment header list every assumed part.

The result is a plain mapping in the :class:`sim.config.scenario.Scenario` schema; :func:`write_area_yaml`
validates it with :func:`sim.config.loading.scenario_from_mapping` and writes it atomically.

Staffing from ratios (assumed):

* GP: 2,291 registered patients per FTE GP, June 2024 (docs/sources.md, NHS Digital, secondary), i.e.
  4.4 FTE per 10,000; headcount at 0.73 FTE per GP (27,966 FTE / 38,124 headcount fully qualified
  GPs, September 2024, docs/sources.md).
* Other roles, FTE per 10,000 patients: nurse 2.5, HCA 1.2, pharmacist 0.8, paramedic 0.3,
  physician associate 0.3, physiotherapist 0.2, admin 11.8. These follow docs/sources.md's FTE shares of
  general practice (GPs 19%, other direct patient care 19%, admin 51%, nurses the rest; BMJ Open
  2024;14:e081535, secondary) scaled to the GP figure above (4.4 / 0.19 ~ 23 FTE per 10,000 in
  all), with the direct-patient-care share split over the modelled roles; the rest of DPC (about
  1.6 per 10,000: dispensers, pharmacy technicians, link workers, ...) is not modelled.
* Non-GP headcount: the smallest whole number of people with at most 1.0 FTE each.
* GP ages: a national profile (about 37% of fully qualified GPs aged 50+, 23% 55+, 10% 60+;
  GPonline/Medscape analyses of NHS Digital GPW, quoted in data/formats.md), spread over the GPs.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.config.scenario import AGE_BANDS
from sim.nhsdata._csv import PathLike
from sim.nhsdata.errors import report_of
from sim.nhsdata.patients import (
    UNALLOCATED_PCN_CODES,
    age_mix,
    detect_patients_file,
    read_ages,
    read_practice_map,
    read_practice_totals,
    read_quinary_ages,
)
from sim.nhsdata.workforce import GP_AGE_BAND_MIDPOINTS, GP_AGE_BANDS, read_workforce

#: Model roles, in the order staff groups are written.
MODEL_ROLES: tuple[str, ...] = ("GP", "Nurse", "Pharmacist", "HCA", "Paramedic",
                                "PhysicianAssociate", "Physiotherapist", "Admin")

#: Registered patients per FTE GP, June 2024 (docs/sources.md, "Workforce").
PATIENTS_PER_FTE_GP = 2_291

#: National staffing ratios, FTE per 10,000 registered patients (see the module docstring).
NATIONAL_FTE_PER_10K: dict[str, float] = {
    "GP": round(10_000 / PATIENTS_PER_FTE_GP, 3),
    "Nurse": 2.5,
    "Pharmacist": 0.8,
    "HCA": 1.2,
    "Paramedic": 0.3,
    "PhysicianAssociate": 0.3,
    "Physiotherapist": 0.2,
    "Admin": 11.8,
}

#: FTE per GP headcount: 27,966 FTE / 38,124 headcount, fully qualified GPs, Sep 2024 (docs/sources.md).
GP_FTE_PER_HEAD = round(27_966 / 38_124, 3)

#: Assumed GP age profile (age in years, share of GPs); 37% 50+, 23% 55+, 10% 60+ (module doc).
ASSUMED_GP_AGE_PROFILE: tuple[tuple[int, float], ...] = (
    (32, 0.15), (42, 0.48), (52, 0.14), (57, 0.13), (62, 0.10),
)

#: Roles whose ratio-based FTE falls below this are left out of a practice (noted).
MIN_ASSUMED_FTE = 0.05

_MAX_FTE_PER_HEAD = 1.5  # sim.config.scenario.StaffGroup.fte upper bound


@dataclass
class AreaBuild:
    """What :func:`build_area_details` built: the scenario mapping plus what it assumed and noted.

    Attributes:
        mapping: the scenario, a plain mapping in the :class:`sim.config.scenario.Scenario` schema.
        assumed: the parts taken from assumptions rather than data, one line each.
        notes: data issues met on the way (practices left out, records not used, ...).
        sources: the files read, with their extract dates.
    """

    mapping: dict[str, Any]
    assumed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def _codes(values: str | Iterable[str] | None) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        out += [v.strip().upper() for v in str(value).split(",") if v.strip()]
    return out


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "area"


def _select(practice_map: pd.DataFrame, map_file: PathLike, pcns: list[str] | None,
            sub_icb: list[str] | None, practices: list[str] | None) -> tuple[pd.DataFrame, str, str]:
    """The map rows selected, and a code and name for the area."""
    chosen = [x for x in (pcns, sub_icb, practices) if x]
    if len(chosen) != 1:
        raise ValueError("choose the area with exactly one of pcns, sub_icb or practices")
    upper_pcn = practice_map["pcn_code"].str.upper()
    if pcns:
        unknown = [c for c in pcns if c not in set(upper_pcn)]
        if unknown:
            raise ValueError(f"PCN code(s) not in {map_file}: {', '.join(unknown)}")
        rows = practice_map.loc[upper_pcn.isin(pcns)]
        if len(pcns) == 1:
            return rows, pcns[0], str(rows["pcn_name"].iloc[0])
        return rows, "PCNS-" + "-".join(pcns), f"{len(pcns)} PCNs"
    if sub_icb:
        codes = practice_map["sub_icb_code"].str.upper()
        ons = practice_map["sub_icb_ons_code"].str.upper()
        unknown = [c for c in sub_icb if c not in set(codes) and c not in set(ons)]
        if unknown:
            raise ValueError(f"sub-ICB (CCG) code(s) not in {map_file}: {', '.join(unknown)}")
        rows = practice_map.loc[codes.isin(sub_icb) | ons.isin(sub_icb)]
        names = rows["sub_icb_name"].unique()
        code = "-".join(sorted(rows["sub_icb_code"].unique()))
        return rows, code, str(names[0]) if len(names) == 1 else f"{len(names)} sub-ICB locations"
    assert practices is not None
    codes = practice_map["practice_code"].str.upper()
    unknown = [c for c in practices if c not in set(codes)]
    if unknown:
        raise ValueError(f"practice code(s) not in {map_file}: {', '.join(unknown)}")
    rows = practice_map.loc[codes.isin(practices)]
    return rows, "PRACTICES", f"{len(rows)} selected practices"


def _group(role: str, count: int, fte_total: float, age: int | list[int] | None = None,
           notes: list[str] | None = None, where: str = "") -> dict[str, Any] | None:
    """One staff group of ``count`` people sharing ``fte_total``; None when it would be empty."""
    if fte_total <= 0:
        if count > 0 and notes is not None:
            notes.append(f"{where}: {count} {role} with 0 FTE left out")
        return None
    if count <= 0:
        count = max(1, math.ceil(fte_total))
        if notes is not None:
            notes.append(f"{where}: {role} FTE {fte_total:.2f} with no headcount; "
                         f"{count} people assumed")
    if fte_total / count > _MAX_FTE_PER_HEAD:
        new = math.ceil(fte_total / _MAX_FTE_PER_HEAD)
        if notes is not None:
            notes.append(f"{where}: {role} FTE {fte_total:.2f} over {count} people exceeds "
                         f"{_MAX_FTE_PER_HEAD} each; headcount raised to {new}")
        count = new
        if isinstance(age, list):
            age = (age * new)[:new]
    group: dict[str, Any] = {"role": role, "count": int(count),
                             "fte": round(float(fte_total) / count, 4)}
    if group["fte"] <= 0:
        return None
    if age is not None:
        group["age"] = age
    return group


def assumed_gp_ages(count: int) -> list[int]:
    """Ages for ``count`` GPs spread over :data:`ASSUMED_GP_AGE_PROFILE` (deterministic)."""
    ages = []
    for i in range(count):
        q = (i + 0.5) / count
        cumulative = 0.0
        for age, share in ASSUMED_GP_AGE_PROFILE:
            cumulative += share
            if q <= cumulative + 1e-12:
                ages.append(age)
                break
        else:
            ages.append(ASSUMED_GP_AGE_PROFILE[-1][0])
    return sorted(ages)


def assumed_staff(list_size: int, roles: Sequence[str] = MODEL_ROLES) -> list[dict[str, Any]]:
    """Staff groups for a practice of ``list_size`` patients from :data:`NATIONAL_FTE_PER_10K`."""
    groups = []
    for role in roles:
        fte = list_size / 10_000 * NATIONAL_FTE_PER_10K[role]
        if fte < MIN_ASSUMED_FTE:
            continue
        if role == "GP":
            count = max(1, round(fte / GP_FTE_PER_HEAD))
            group = _group(role, count, fte, assumed_gp_ages(count))
        else:
            group = _group(role, math.ceil(fte - 1e-9), fte)
        if group:
            groups.append(group)
    return groups


def _is_known(value: Any) -> bool:
    return value is not None and not pd.isna(value)


def staff_from_workforce(row: pd.Series, notes: list[str]) -> tuple[list[dict[str, Any]],
                                                                      list[str]]:
    """Staff groups for one practice from a :func:`~sim.nhsdata.workforce.read_workforce` row.

    Returns:
        The groups, and the roles with no usable figures (to be filled from ratios).
    """
    code = str(row["practice_code"])
    groups: list[dict[str, Any]] = []
    missing: list[str] = []
    for role in MODEL_ROLES:
        hc, fte = row.get(f"{role}_hc"), row.get(f"{role}_fte")
        if not (_is_known(hc) and _is_known(fte)):
            missing.append(role)
            continue
        if role == "GP":
            groups += _gp_groups(row, round(float(hc)), float(fte), notes)
        else:
            group = _group(role, round(float(hc)), float(fte), notes=notes, where=code)
            if group:
                groups.append(group)
    return groups, missing


def _gp_groups(row: pd.Series, hc: int, fte: float, notes: list[str]) -> list[dict[str, Any]]:
    """GP groups by age band (one per band with GPs), FTE by band where published."""
    code = str(row["practice_code"])
    # bands not disclosed (or not in this edition) count as empty if the rest add up to the total
    band_hc = {b: float(v) for b in GP_AGE_BANDS if _is_known(v := row.get(f"GP_hc_{b}"))}
    band_fte = {b: row.get(f"GP_fte_{b}") for b in GP_AGE_BANDS}
    if not band_hc or abs(sum(band_hc.values()) - hc) > 0.5:
        if hc > 0:
            notes.append(f"{code}: GP age bands missing or not summing to the GP headcount; "
                         "ages set to 45")
        group = _group("GP", hc, fte, 45, notes, code)
        return [group] if group else []
    with_fte = all(_is_known(band_fte[b]) for b, n in band_hc.items() if n > 0)
    if with_fte and abs(sum(float(band_fte[b]) for b, n in band_hc.items() if n > 0) - fte) > 0.05:
        with_fte = False  # FTE by age does not add up to the GP FTE: share the total instead
    per_head = fte / hc if hc else 0.0
    groups = []
    for band, count in band_hc.items():
        n = round(count)
        if n <= 0:
            continue
        band_total = float(band_fte[band]) if with_fte else per_head * n
        group = _group("GP", n, band_total, GP_AGE_BAND_MIDPOINTS[band], notes, code)
        if group:
            groups.append(group)
    return groups


def _date_of(frame: pd.DataFrame) -> str:
    if "extract_date" in frame.columns and frame["extract_date"].notna().any():
        return f"extract {pd.Timestamp(frame['extract_date'].max()).date().isoformat()}"
    return "extract date not given"


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
) -> AreaBuild:
    """Like :func:`build_area`, also returning what was assumed and noted (see :class:`AreaBuild`)."""
    pcn_codes, sub_icb_codes, practice_codes = _codes(pcns), _codes(sub_icb), _codes(practices)
    practice_map = read_practice_map(map_file)
    rows, area_code, default_area_name = _select(practice_map, map_file, pcn_codes, sub_icb_codes,
                                                 practice_codes)
    build = AreaBuild(mapping={})
    build.sources.append(f"practice map {Path(map_file).name} ({_date_of(practice_map)})")

    kind = detect_patients_file(patients_file)
    ages = None
    if kind == "totals":
        totals = read_practice_totals(patients_file)
        list_sizes = dict(zip(totals["practice_code"], totals["patients"], strict=True))
        date = _date_of(totals)
    elif kind == "quinary":
        quin = read_quinary_ages(patients_file, keep_totals=True)
        all_rows = quin.loc[(quin["sex"] == "ALL") & quin["band"].isna()]
        list_sizes = dict(zip(all_rows["practice_code"], all_rows["patients"], strict=True))
        banded = quin.loc[quin["band"].notna()]
        if not list_sizes:
            sums = banded.loc[banded["sex"].isin(["MALE", "FEMALE"])].groupby(
                "practice_code")["patients"].sum()
            list_sizes = sums.to_dict()
        ages = banded[["practice_code", "sex", "band", "patients"]]
        date = _date_of(quin)
    else:
        raise ValueError(
            f"{patients_file}: a {kind} file; --patients takes gp-reg-pat-prac-all.csv or "
            "gp-reg-pat-prac-quin-age.csv (single-year files go to --ages)")
    build.sources.append(f"registered patients {Path(patients_file).name} ({date})")
    if age_files:
        extra = read_ages(age_files)
        ages = extra if ages is None else pd.concat([ages, extra], ignore_index=True)
        build.sources.append("ages " + ", ".join(Path(p).name for p in age_files))
    mix = age_mix(ages) if ages is not None and not ages.empty else None

    workforce = None
    if workforce_file is not None:
        workforce = read_workforce(workforce_file, include_partial=include_partial)
        wf_report = report_of(workforce)
        build.sources.append(f"workforce {Path(workforce_file).name}")
        workforce = workforce.set_index("practice_code", drop=False)

    missing_lists = sorted(c for c in rows["practice_code"] if c not in list_sizes)
    if missing_lists:
        build.notes.append(
            f"{len(missing_lists)} practice(s) in the map but not in the patients file (closed or "
            f"merged since the map's extract) left out: {', '.join(missing_lists)}")
    rows = rows.loc[rows["practice_code"].isin(list_sizes)]
    if rows.empty:
        raise ValueError("no selected practice has a registered list in "
                         f"{patients_file}; check the files are from compatible months")

    ratio_practices: list[str] = []
    ratio_roles: dict[str, list[str]] = {}
    no_age: list[str] = []
    unallocated: list[str] = []
    pcns_out: dict[str, dict[str, Any]] = {}
    for _, rec in rows.sort_values(["pcn_code", "practice_code"]).iterrows():
        code = rec["practice_code"]
        list_size = int(list_sizes[code])
        practice: dict[str, Any] = {"code": code, "name": rec["practice_name"],
                                    "list_size": list_size}
        if mix is not None and code in mix.index:
            practice["age_mix"] = {band: float(mix.at[code, band]) for band in AGE_BANDS}
        else:
            no_age.append(code)
        if workforce is not None and code in workforce.index:
            staff, missing = staff_from_workforce(workforce.loc[code], build.notes)
            if missing:
                ratio_roles[code] = missing
                staff += assumed_staff(list_size, missing)
                order = {r: i for i, r in enumerate(MODEL_ROLES)}
                staff.sort(key=lambda g: order[g["role"]])
        else:
            ratio_practices.append(code)
            staff = assumed_staff(list_size)
        practice["staff"] = staff
        pcn_code = rec["pcn_code"]
        pcn_name = rec["pcn_name"]
        if pcn_code in UNALLOCATED_PCN_CODES:
            unallocated.append(code)
            pcn_code, pcn_name = f"U-{code}", f"{rec['practice_name']} (in no PCN)"
        pcn = pcns_out.setdefault(pcn_code, {"code": pcn_code, "name": pcn_name, "practices": []})
        pcn["practices"].append(practice)

    n_practices = sum(len(p["practices"]) for p in pcns_out.values())
    patients = sum(pr["list_size"] for p in pcns_out.values() for pr in p["practices"])
    if unallocated:
        build.notes.append(f"{len(unallocated)} practice(s) in no PCN, each made its own "
                           f"single-practice PCN U-<code>: {', '.join(unallocated)}")
    ratios = ", ".join(f"{r} {v:g}" for r, v in NATIONAL_FTE_PER_10K.items())
    ratio_text = (f"national FTE per 10,000 patients ({ratios}; GP = 2,291 patients per FTE GP, "
                  "June 2024; other roles scaled from the 2022 FTE shares of general practice, "
                  "BMJ Open 2024;14:e081535; both as quoted in the project's domain.md) with GP "
                  f"headcount at {GP_FTE_PER_HEAD} FTE per GP (27,966 FTE / 38,124 GPs, Sep 2024) "
                  "and GP ages from a national profile (37% 50+, 23% 55+, 10% 60+)")
    if workforce is None:
        build.assumed.append(f"staff of every practice: {ratio_text}")
    else:
        if ratio_practices:
            build.assumed.append(
                f"staff of {len(ratio_practices)} practice(s) with no fully provided workforce "
                f"record ({', '.join(ratio_practices)}): {ratio_text}")
        if ratio_roles:
            listed = "; ".join(f"{c}: {', '.join(r)}" for c, r in sorted(ratio_roles.items()))
            build.assumed.append(f"roles not disclosed in the workforce file, from national "
                                 f"ratios: {listed}")
        excluded = wf_report.rows_excluded
        if excluded:
            build.notes.append(f"workforce file: {excluded:,} practice records not used "
                               "(not fully provided or blank)")
    if no_age:
        build.assumed.append(
            f"age mix of {len(no_age)} practice(s) with no age data: the scenario default "
            "(demand.default_age_mix, England 2024)")

    scenario_name = name or f"area-{_slug(area_code)}"
    lines = [
        f"Area built by `gpsim area build` on {dt.date.today().isoformat()} from NHS Digital data "
        "(Open Government Licence v3.0): " + "; ".join(build.sources) + ".",
        f"{_plural(n_practices, 'practice')} in {_plural(len(pcns_out), 'PCN')}, "
        f"{patients:,} registered patients.",
        "From data: list sizes, PCN membership"
        + (", age mix" if mix is not None else "")
        + (", staff by role (FTE and headcount) and GP ages" if workforce is not None else "")
        + ".",
    ]
    if build.assumed:
        lines.append("ASSUMED (not from data): " + " | ".join(build.assumed) + ".")
    else:
        lines.append("Nothing assumed: every figure is from the files above.")
    if build.notes:
        lines.append("Notes: " + " | ".join(build.notes) + ".")
    build.mapping = {
        "name": scenario_name,
        "description": "\n".join(lines),
        "area": {
            "code": area_code,
            "name": area_name or default_area_name,
            "pcns": list(pcns_out.values()),
        },
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
        include_partial=include_partial,
    ).mapping


class _Dumper(yaml.SafeDumper):
    """Safe YAML with multi-line strings as literal blocks."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def _plain(value: Any) -> Any:
    """Numpy scalars and tuples to plain Python for YAML."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value


def area_yaml_text(mapping: dict[str, Any], header: str | None = None) -> str:
    """The YAML text :func:`write_area_yaml` writes: a comment header, then the mapping."""
    if header is None:
        header = str(mapping.get("description", ""))
    comment = []
    for paragraph in header.splitlines():
        wrapped = textwrap.wrap(paragraph, width=97, break_on_hyphens=False) or [""]
        comment += [f"# {line}".rstrip() for line in wrapped]
    body = yaml.dump(_plain(mapping), Dumper=_Dumper, sort_keys=False, default_flow_style=None,
                     allow_unicode=True, width=100)
    return "\n".join(comment) + "\n" + body


def write_area_yaml(mapping: dict[str, Any], path: PathLike, *, header: str | None = None) -> Path:
    """Validate ``mapping`` as a scenario and write it to ``path`` atomically.

    The text goes to a temporary file in the same folder, which then replaces ``path``
    (``os.replace``), so a reader never sees half a file.

    Args:
        mapping: from :func:`build_area`.
        path: where to write (folders are created).
        header: the comment header (default: the mapping's ``description``).

    Raises:
        sim.config.loading.ScenarioError: the mapping is not a valid scenario (nothing is written).
    """
    from sim.config.loading import scenario_from_mapping

    target = Path(path)
    text = area_yaml_text(mapping, header)
    scenario_from_mapping(yaml.safe_load(text), target, text)
    from sim.results.files import (
        atomic_write,  # temp file + rename, readable permissions like every output
    )

    return atomic_write(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))
