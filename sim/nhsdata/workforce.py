"""General Practice Workforce (NHS England, monthly): the practice-level "Detailed" CSV.

Publication: https://digital.nhs.uk/data-and-information/publications/statistical/general-and-personal-medical-services

The file is published inside ``GPWPracticeCSV.MMYYYY.zip`` as
``1 General Practice – <Month YYYY> Practice Level - Detailed.csv`` (en dash; the zip also holds the
"High level" CSV and two dictionaries). :func:`read_workforce` reads the zip as published, the CSV
alone, or a gzipped CSV, picking the "Detailed" member by name. It has 805 columns (see
``0 General Practice Detailed Practice-Level CSV. Overall Definitions.xlsx``); only those used
below are read and checked.

Data quality, from the official dictionary: ``GP_SOURCE``, ``NURSE_SOURCE``, ``DPC_SOURCE`` and
``ADMIN_SOURCE`` say, per staff group, whether the practice's records were ``"Fully provided"``,
needed record-level estimates (``"Includes FTE Estimates"``) or were estimated at sub-ICB level
(``"Fully Estimated"``, ``"No valid or current data"``, ``"No data provided"``). By default only
rows whose every checked flag is exactly ``Fully provided`` are used; the others are counted in the
:class:`~sim.nhsdata.errors.ExclusionReport` by flag and value. ``include_partial=True`` keeps them
(column ``fully_provided`` then says which are which).

Not-disclosed markers (``ND``, ``NA`` = not available since Feb 2023, ``EST``, ``NS``, ``.``) and
blank cells become missing values, counted per column in the report.

Role mapping (model role <- published columns, ``TOTAL_<x>_HC`` / ``TOTAL_<x>_FTE``):

=====================  =========================================================================
model role             published staff groups / job roles summed
=====================  =========================================================================
GP                     ``GP`` (all GPs: partners, salaried, retainers, locums and GPs in training)
Nurse                  ``NURSES`` (practice, advanced, enhanced, specialist, extended-role,
                       trainee, dispensing, partner and other nurses)
Pharmacist             ``DPC_PHARMA``, ``DPC_ADV_PHARMA_PRAC``, ``DPC_APP_PHARMA``
HCA                    ``DPC_HCA``, ``DPC_APP_HCA``, ``DPC_PHLEB``, ``DPC_APP_PHLEB``,
                       ``DPC_NURSE_ASSOC``, ``DPC_TRAINEE_NURSE_ASSOC``, ``DPC_HLTH_SPRT_WRK``
Paramedic              ``DPC_PARAMED``, ``DPC_ADV_PARAMED_PRAC``
PhysicianAssociate     ``DPC_PHYSICIAN_ASSOC``, ``DPC_APP_PHYSICIAN_ASSOC``
Physiotherapist        ``DPC_PHYSIO``, ``DPC_ADV_PHYSIO_PRAC``, ``DPC_APP_PHYSIO``
Admin                  ``ADMIN`` (managers, management partners, medical secretaries,
                       receptionists, telephonists, estates, digital leads, other, apprentices)
OtherDPC (not modelled)  ``DPC`` total minus the DPC roles above: dispensers, pharmacy
                       technicians, social prescribing link workers, NHS talking therapists,
                       dieticians, podiatrists, occupational therapists, counsellors, osteopaths,
                       GP assistants, other apprentices and other DPC staff
=====================  =========================================================================

Nursing associates, phlebotomists and health support workers go to HCA because in general practice
they do the HCA's work (bloods, observations, immunisations, health checks); the model's Nurse
holds long-term-condition reviews. Headcounts of a role are sums of the job-role headcounts, so a
person holding two job roles counts twice (as in NHS Digital's job-role tables).

GP ages: ``TOTAL_GP_HC_<band>`` and (from January 2023) ``TOTAL_GP_FTE_<band>`` for the bands in
:data:`GP_AGE_BANDS`, covering all GPs (the same population as ``TOTAL_GP_HC``).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sim.nhsdata.columns import (
    NOT_DISCLOSED_MARKERS,
    check_not_empty,
    check_unique,
    count_markers,
    drop_blank_rows,
    to_float_block,
)
from sim.nhsdata.csv_read import (
    PathLike,
    detect_encoding,
    open_source,
    read_header,
    read_strings,
    require_columns,
)
from sim.nhsdata.errors import ExclusionReport, attach_report

#: The value of a ``*_SOURCE`` flag meaning the practice's records were complete (dictionary).
FULLY_PROVIDED = "Fully provided"

#: The data-quality flags, one per staff group.
QUALITY_FLAGS: tuple[str, ...] = ("GP_SOURCE", "NURSE_SOURCE", "DPC_SOURCE", "ADMIN_SOURCE")

#: Model role -> the published staff-group / job-role stems summed into it (see module docstring).
ROLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "GP": ("GP",),
    "Nurse": ("NURSES",),
    "Pharmacist": ("DPC_PHARMA", "DPC_ADV_PHARMA_PRAC", "DPC_APP_PHARMA"),
    "HCA": ("DPC_HCA", "DPC_APP_HCA", "DPC_PHLEB", "DPC_APP_PHLEB", "DPC_NURSE_ASSOC",
            "DPC_TRAINEE_NURSE_ASSOC", "DPC_HLTH_SPRT_WRK"),
    "Paramedic": ("DPC_PARAMED", "DPC_ADV_PARAMED_PRAC"),
    "PhysicianAssociate": ("DPC_PHYSICIAN_ASSOC", "DPC_APP_PHYSICIAN_ASSOC"),
    "Physiotherapist": ("DPC_PHYSIO", "DPC_ADV_PHYSIO_PRAC", "DPC_APP_PHYSIO"),
    "Admin": ("ADMIN",),
}

#: The model roles in :data:`ROLE_COLUMNS` order, plus the not-modelled remainder of DPC.
ROLES: tuple[str, ...] = (*ROLE_COLUMNS, "OtherDPC")

#: The DPC roles mapped to model roles (the rest of ``TOTAL_DPC`` is ``OtherDPC``).
_MAPPED_DPC = tuple(stem for stems in ROLE_COLUMNS.values() for stem in stems
                    if stem.startswith("DPC_"))

#: Staff-group totals every edition has; the reader requires them.
_GROUP_TOTALS = ("GP", "NURSES", "DPC", "ADMIN")

#: GP age bands of the Detailed CSV, youngest first.
GP_AGE_BANDS: tuple[str, ...] = ("UNDER30", "30TO34", "35TO39", "40TO44", "45TO49", "50TO54",
                                 "55TO59", "60TO64", "65TO69", "70PLUS", "UNKNOWN_AGE")

#: A representative age (years) for each GP age band (mid-band; 45 for unknown).
GP_AGE_BAND_MIDPOINTS: dict[str, int] = {
    "UNDER30": 28, "30TO34": 32, "35TO39": 37, "40TO44": 42, "45TO49": 47, "50TO54": 52,
    "55TO59": 57, "60TO64": 62, "65TO69": 67, "70PLUS": 72, "UNKNOWN_AGE": 45,
}

#: The two measures of each staff group: headcount and full-time equivalent.
_MEASURES = ("HC", "FTE")

#: Absent columns named in the report's note (the rest are counted).
_ABSENT_LISTED = 8

#: Identifier and geography columns, sub-ICB era -> normalised name.
_IDS: dict[str, str] = {
    "PRAC_CODE": "practice_code",
    "PRAC_NAME": "practice_name",
    "PCN_CODE": "pcn_code",
    "PCN_NAME": "pcn_name",
    "SUB_ICB_CODE": "sub_icb_code",
    "SUB_ICB_NAME": "sub_icb_name",
    "ICB_CODE": "icb_code",
    "ICB_NAME": "icb_name",
    "REGION_CODE": "region_code",
    "REGION_NAME": "region_name",
}

#: Names used before July 2022 -> sub-ICB era.
_CCG_ERA: dict[str, str] = {
    "CCG_CODE": "SUB_ICB_CODE",
    "CCG_NAME": "SUB_ICB_NAME",
    "STP_CODE": "ICB_CODE",
    "STP_NAME": "ICB_NAME",
    "COMM_REGION_CODE": "REGION_CODE",
    "COMM_REGION_NAME": "REGION_NAME",
}


def _prefer_detailed(name: str) -> int:
    """Score zip members: the Detailed practice CSV first, never the High-level one."""
    low = name.lower()
    if "high level" in low or "high-level" in low or "individual" in low:
        return 0
    score = 1
    if "practice level" in low:
        score += 1
    if "detailed" in low:
        score += 2
    return score


def _measure_columns(stem: str, measure: str) -> str:
    """The published column of a staff-group stem's measure (``HC`` or ``FTE``)."""
    return f"TOTAL_{stem}_{measure}"


def read_workforce(
    path: PathLike,
    *,
    include_partial: bool = False,
    quality_flags: Sequence[str] = QUALITY_FLAGS,
    member: str | None = None,
    markers: Sequence[str] = NOT_DISCLOSED_MARKERS,
) -> pd.DataFrame:
    """Read the practice-level Detailed workforce CSV into FTE and headcount per model role.

    Args:
        path: the published zip (``GPWPracticeCSV.MMYYYY.zip``), the CSV (any name, en dash and
            all) or a ``.csv.gz``.
        include_partial: also use practices whose records were estimated or incomplete.
        quality_flags: the ``*_SOURCE`` columns that must say ``Fully provided`` (all four by
            default; pass ``("GP_SOURCE",)`` for editions without the others).
        member: the CSV inside the zip, if the Detailed one cannot be told by its name.
        markers: cell values read as missing (counted in the report).

    Returns:
        One row per practice: ``practice_code``, ``practice_name``, PCN and geography columns,
        ``total_patients``, the flags (lower case, e.g. ``gp_source``), ``fully_provided``, then
        ``<Role>_hc`` and ``<Role>_fte`` for each of :data:`ROLES`, and ``GP_hc_<band>`` /
        ``GP_fte_<band>`` for each of :data:`GP_AGE_BANDS` present in the file (missing values
        where not disclosed). The :class:`~sim.nhsdata.errors.ExclusionReport` is
        ``report_of(frame)``.

    Raises:
        DataFormatError: a required column is missing or a cell is not a number.
    """
    source = open_source(path, member=member, prefer=_prefer_detailed)
    encoding = detect_encoding(source)
    header = read_header(source, encoding)
    era_renames = {old: new for old, new in _CCG_ERA.items() if old in header}
    present = {era_renames.get(c, c) for c in header}

    required = ["PRAC_CODE", *quality_flags]
    required += [_measure_columns(s, m) for s in _GROUP_TOTALS for m in _MEASURES]
    require_columns(source, [era_renames.get(c, c) for c in header], required)
    report = ExclusionReport(source.display)

    wanted, numeric = _columns_to_read(present, report)
    inverse = {new: old for old, new in era_renames.items()}
    frame = read_strings(source, header, encoding, columns=[inverse.get(c, c) for c in wanted])
    assert isinstance(frame, pd.DataFrame)
    frame = frame.rename(columns=era_renames)
    report.rows_read = len(frame)
    frame = drop_blank_rows(frame, report)
    check_not_empty(source, frame, "PRAC_CODE", "a practice code")
    check_unique(source, frame, ["PRAC_CODE"], "each practice code once")

    # every row is checked; not-disclosed cells are counted only in the rows returned
    block = to_float_block(
        source, frame, [*numeric, *(["TOTAL_PATIENTS"] if "TOTAL_PATIENTS" in frame.columns else [])],
        markers=markers)
    values: dict[str, pd.Series] = {col: block[col] for col in block.columns}
    ok = _fully_provided(frame, quality_flags, include_partial, report)
    used = frame.loc[ok] if not include_partial else frame
    count_markers(used, list(values), markers, report)

    out = _practice_table(frame, values, ok)
    if not include_partial:
        out = out.loc[ok]
    report.rows_used = len(out)
    out = out.reset_index(drop=True)
    out.attrs["era"] = "ccg" if era_renames else "sub_icb"
    return attach_report(out, report)


def _columns_to_read(present: set[str], report: ExclusionReport) -> tuple[list[str], list[str]]:
    """The columns to read (identifiers, flags, numbers) and the numeric ones; absent ones noted."""
    wanted: list[str] = [c for c in _IDS if c in present]
    wanted += [c for c in (*QUALITY_FLAGS, "TOTAL_PATIENTS") if c in present and c not in wanted]
    numeric: list[str] = []
    absent: list[str] = []
    for stems in ROLE_COLUMNS.values():
        for stem in stems:
            for measure in _MEASURES:
                col = _measure_columns(stem, measure)
                (numeric if col in present else absent).append(col)
    numeric += [_measure_columns("DPC", "HC"), _measure_columns("DPC", "FTE")]
    for band in GP_AGE_BANDS:
        for measure in _MEASURES:
            col = f"TOTAL_GP_{measure}_{band}"
            (numeric if col in present else absent).append(col)
    if absent:
        report.notes.append(
            f"{len(absent)} columns not in this edition, read as missing: "
            + ", ".join(absent[:_ABSENT_LISTED]) + (" ..." if len(absent) > _ABSENT_LISTED else "")
        )
    wanted += [c for c in numeric if c not in wanted]
    return wanted, numeric


def _fully_provided(frame: pd.DataFrame, quality_flags: Sequence[str], include_partial: bool,
                    report: ExclusionReport) -> pd.Series:
    """Which practices have every flag ``Fully provided``; the others counted as excluded."""
    ok = pd.Series(True, index=frame.index)
    for flag in quality_flags:
        ok &= frame[flag].str.strip().str.casefold().eq(FULLY_PROVIDED.casefold())
    if not include_partial:
        remaining = ~ok
        for flag in quality_flags:
            this = remaining & ~frame[flag].str.strip().str.casefold().eq(FULLY_PROVIDED.casefold())
            for value, count in frame.loc[this, flag].value_counts().items():
                report.exclude(f"not fully provided: {flag}={value!r}", int(count))
            remaining &= ~this
    return ok


def _practice_table(frame: pd.DataFrame, values: dict[str, pd.Series], ok: pd.Series
                    ) -> pd.DataFrame:
    """One row per practice: identifiers, flags, then headcount and FTE per role and GP age band."""
    missing = pd.Series(float("nan"), index=frame.index)
    out = pd.DataFrame(index=frame.index)
    for col, name in _IDS.items():
        if col in frame.columns:
            out[name] = frame[col]
    out["total_patients"] = values.get("TOTAL_PATIENTS", missing)
    for flag in QUALITY_FLAGS:
        if flag in frame.columns:
            out[flag.lower()] = frame[flag]
    out["fully_provided"] = ok

    def total(stems: Sequence[str], measure: str) -> pd.Series:
        """The sum of the stems' columns present (missing where none is)."""
        cols = [values[c] for s in stems if (c := _measure_columns(s, measure)) in values]
        if not cols:
            return pd.Series(float("nan"), index=frame.index)
        return pd.concat(cols, axis=1).sum(axis=1, min_count=1)

    for role, stems in ROLE_COLUMNS.items():
        for measure in _MEASURES:
            out[f"{role}_{measure.lower()}"] = total(stems, measure)
    for measure in _MEASURES:
        dpc = values[_measure_columns("DPC", measure)]
        mapped = total(_MAPPED_DPC, measure).fillna(0.0)
        out[f"OtherDPC_{measure.lower()}"] = (dpc - mapped).clip(lower=0.0)
    for band in GP_AGE_BANDS:
        for measure in _MEASURES:
            col = f"TOTAL_GP_{measure}_{band}"
            out[f"GP_{measure.lower()}_{band}"] = values.get(col, missing)
    return out


def staff_by_role(workforce: pd.DataFrame) -> pd.DataFrame:
    """Long form of :func:`read_workforce`: ``practice_code``, ``role``, ``hc``, ``fte``."""
    rows = []
    for role in ROLES:
        part = workforce[["practice_code", f"{role}_hc", f"{role}_fte"]].copy()
        part.columns = ["practice_code", "hc", "fte"]
        part.insert(1, "role", role)
        rows.append(part)
    return pd.concat(rows, ignore_index=True)


def gp_age_profile(workforce: pd.DataFrame, *, measure: str = "hc") -> pd.DataFrame:
    """GP headcount (or FTE, ``measure="fte"``) by age band.

    Returns:
        Index ``practice_code``, one column per band of :data:`GP_AGE_BANDS`.
    """
    cols = [f"GP_{measure}_{band}" for band in GP_AGE_BANDS]
    table = workforce.set_index("practice_code")[cols]
    table.columns = list(GP_AGE_BANDS)
    return table
