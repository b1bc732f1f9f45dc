"""Patients Registered at a GP Practice (NHS England, monthly, extract on the 1st).

Publication: https://digital.nhs.uk/data-and-information/publications/statistical/patients-registered-at-a-gp-practice

Files read here, as published (plain, gzipped or zipped):

* ``gp-reg-pat-prac-all.csv``: one row per practice, ``SEX`` and ``AGE`` both ``ALL``
  (:func:`read_practice_totals`).
* ``gp-reg-pat-prac-quin-age.csv``: five-year bands ``0_4`` ... ``90_94``, ``95+`` and ``ALL``, by
  ``SEX``, for practices (``ORG_TYPE`` ``GP``) and aggregates (:func:`read_quinary_ages`).
* ``gp-reg-pat-prac-sing-age-male.csv`` / ``-female.csv``: single years ``0`` ... ``94``, ``95+``
  and ``ALL`` (:func:`read_single_year_ages`).
* ``gp-reg-pat-prac-map.csv``: practice -> PCN -> CCG/sub-ICB -> STP/ICB -> region
  (:func:`read_practice_map`).

Headers changed in July 2022 from CCG/STP to sub-ICB/ICB names (and ``EXTRACT_DATE`` from
``01JAN2021`` to ``2026-03-01``); both are accepted and normalised to the same lower-case names:
``practice_code``, ``sub_icb_code``, ``sub_icb_ons_code``, ``icb_code``, ``region_code``, ...
:func:`to_model_age_bands` and :func:`age_mix` turn quinary or single-year counts into the model's
eight age bands (:data:`sim.config.scenario.AGE_BANDS`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pandas as pd

from sim.config.scenario import AGE_BANDS
from sim.nhsdata.columns import (
    check_categories,
    check_not_empty,
    check_unique,
    drop_blank_rows,
    to_dates,
    to_int,
)
from sim.nhsdata.csv_read import (
    PathLike,
    Source,
    detect_encoding,
    open_source,
    read_header,
    read_table,
)
from sim.nhsdata.errors import DataFormatError, ExclusionReport, attach_report, report_of

#: Lower bound (years) of each model age band, in :data:`sim.config.scenario.AGE_BANDS` order.
MODEL_BAND_LOWER: tuple[int, ...] = (0, 5, 15, 25, 45, 65, 75, 85)

#: An age (years) above any patient's: the top of an open age band ("95+").
_OLDEST_AGE = 200

#: CCG-era (before July 2022) -> sub-ICB-era column names, for every patients file.
CCG_TO_SUB_ICB: dict[str, str] = {
    "CCG_CODE": "SUB_ICB_LOCATION_CODE",
    "ONS_CCG_CODE": "ONS_SUB_ICB_LOCATION_CODE",
    "CCG_NAME": "SUB_ICB_LOCATION_NAME",
    "STP_CODE": "ICB_CODE",
    "ONS_STP_CODE": "ONS_ICB_CODE",
    "STP_NAME": "ICB_NAME",
}

#: Published (sub-ICB era) column -> normalised name.
NORMALISED: dict[str, str] = {
    "PUBLICATION": "publication",
    "EXTRACT_DATE": "extract_date",
    "TYPE": "org_type",
    "ORG_TYPE": "org_type",
    "SUB_ICB_LOCATION_CODE": "sub_icb_code",
    "ONS_SUB_ICB_LOCATION_CODE": "sub_icb_ons_code",
    "SUB_ICB_LOCATION_NAME": "sub_icb_name",
    "ICB_CODE": "icb_code",
    "ONS_ICB_CODE": "icb_ons_code",
    "ICB_NAME": "icb_name",
    "COMM_REGION_CODE": "region_code",
    "ONS_COMM_REGION_CODE": "region_ons_code",
    "COMM_REGION_NAME": "region_name",
    "CODE": "practice_code",
    "ORG_CODE": "practice_code",
    "PRACTICE_CODE": "practice_code",
    "PRACTICE_NAME": "practice_name",
    "PRACTICE_POSTCODE": "postcode",
    "POSTCODE": "postcode",
    "PCN_CODE": "pcn_code",
    "PCN_NAME": "pcn_name",
    "SUPPLIER_NAME": "supplier_name",
    "ONS_CODE": "ons_code",
    "SEX": "sex",
    "AGE": "age",
    "AGE_GROUP_5": "age_group",
    "NUMBER_OF_PATIENTS": "patients",
}

SEXES: tuple[str, ...] = ("ALL", "MALE", "FEMALE")

#: PCN codes the map uses for practices in no PCN ("U", name "Unallocated"); the workforce
#: file says "Unaligned".
UNALLOCATED_PCN_CODES: frozenset[str] = frozenset({"U", "Unaligned", "UNALIGNED", ""})


def _era(header: Sequence[str]) -> tuple[str, dict[str, str]]:
    """("ccg" or "sub_icb", renames turning CCG-era names into sub-ICB-era names)."""
    if any(c in header for c in ("CCG_CODE", "ONS_CCG_CODE")):
        return "ccg", {k: v for k, v in CCG_TO_SUB_ICB.items() if k in header}
    return "sub_icb", {}


def _normalise(frame: pd.DataFrame, era_renames: dict[str, str]) -> pd.DataFrame:
    """Columns renamed to the sub-ICB era, then to the normalised names."""
    frame = frame.rename(columns=era_renames)
    return frame.rename(columns={k: v for k, v in NORMALISED.items() if k in frame.columns})


def _geography_required(header: Sequence[str]) -> list[str]:
    """The sub-ICB (or CCG) code columns the file's era must have."""
    era, _ = _era(header)
    return ["CCG_CODE", "ONS_CCG_CODE"] if era == "ccg" else [
        "SUB_ICB_LOCATION_CODE", "ONS_SUB_ICB_LOCATION_CODE"]


def _peek_header(path: PathLike, member: str | None) -> list[str]:
    """The cleaned header of a patients file (to tell which kind it is)."""
    source = open_source(path, member=member, prefer=_prefer_patients)
    return read_header(source, detect_encoding(source))


def _prefer_patients(name: str) -> int:
    """Score zip members: the registered-patients CSV first."""
    return 1 if "gp-reg-pat" in name.lower() else 0


def read_practice_totals(path: PathLike, *, member: str | None = None) -> pd.DataFrame:
    """Read ``gp-reg-pat-prac-all.csv``: registered patients per practice.

    Args:
        path: the CSV (or .csv.gz, or the published zip).
        member: the CSV inside a zip, when it holds more than one.

    Returns:
        One row per practice: ``practice_code``, ``postcode``, ``sub_icb_code``,
        ``sub_icb_ons_code``, ``extract_date`` (datetime), ``patients`` (int), plus
        ``publication``/``org_type`` where published. ``attrs["era"]`` is ``"ccg"`` or ``"sub_icb"``;
        the :class:`~sim.nhsdata.errors.ExclusionReport` is ``report_of(frame)``.

    Raises:
        DataFormatError: a required column is missing or a cell is wrong (file, row, column named).
    """
    header = _peek_header(path, member)
    era, renames = _era(header)
    geo = _geography_required(header)
    required = ["EXTRACT_DATE", *geo, "CODE", "SEX", "AGE", "NUMBER_OF_PATIENTS"]
    frame, source, _ = read_table(
        path, required=required, optional=["PUBLICATION", "TYPE", "POSTCODE"], member=member,
        prefer=_prefer_patients,
    )
    report = ExclusionReport(source.display, rows_read=len(frame))
    frame = drop_blank_rows(frame, report)
    check_categories(source, frame, "SEX", ["ALL"])
    check_categories(source, frame, "AGE", ["ALL"])
    if "TYPE" in frame.columns:
        other = frame["TYPE"] != "GP"
        for value, count in frame.loc[other, "TYPE"].value_counts().items():
            report.exclude(f"not a practice row (TYPE={value!r})", int(count))
        frame = frame.loc[~other]
    check_not_empty(source, frame, "CODE", "a practice code")
    check_unique(source, frame, ["CODE"], "each practice code once")
    frame["NUMBER_OF_PATIENTS"] = to_int(source, frame, "NUMBER_OF_PATIENTS")
    frame["EXTRACT_DATE"] = to_dates(source, frame, "EXTRACT_DATE")
    frame = _normalise(frame.drop(columns=["SEX", "AGE"]), renames)
    report.rows_used = len(frame)
    frame = frame.reset_index(drop=True)
    frame.attrs["era"] = era
    return attach_report(frame, report)


_QUIN = re.compile(r"(\d+)_(\d+)")
_OPEN = re.compile(r"(\d+)(?:\+|_?PLUS|_?OVER|_?AND_?OVER)", re.IGNORECASE)


def parse_age_label(label: str) -> tuple[int, int | None] | None:
    """``"0_4"`` -> (0, 4); ``"95+"`` -> (95, None); ``"37"`` -> (37, 37); ``"ALL"`` -> None.

    Raises:
        ValueError: anything else.
    """
    text = label.strip()
    if text.upper() == "ALL":
        return None
    if text.isdigit():
        return int(text), int(text)
    m = _QUIN.fullmatch(text)
    if m and int(m.group(1)) <= int(m.group(2)):
        return int(m.group(1)), int(m.group(2))
    m = _OPEN.fullmatch(text)
    if m:
        return int(m.group(1)), None
    raise ValueError(label)


def model_band(lower: int, upper: int | None = None) -> str:
    """The model age band (``"25-44"``) holding ages ``lower`` .. ``upper`` (``None`` = open).

    Raises:
        ValueError: the range straddles two model bands.
    """
    index = max(i for i, lo in enumerate(MODEL_BAND_LOWER) if lo <= lower)
    top = upper if upper is not None else _OLDEST_AGE
    next_lower = (MODEL_BAND_LOWER[index + 1] if index + 1 < len(MODEL_BAND_LOWER)
                  else float("inf"))  # the last band has no band above it
    if top >= next_lower:
        raise ValueError(f"ages {lower}-{upper} straddle model bands {AGE_BANDS[index]} and "
                         f"{AGE_BANDS[index + 1]}")
    return AGE_BANDS[index]


def _age_columns(source: Source, frame: pd.DataFrame, column: str, label: str,
                 expected: str) -> pd.DataFrame:
    """Add ``age_lower``, ``age_upper`` and ``band`` from an age label column (``ALL`` -> NA)."""
    parsed: dict[str, tuple[int, int | None] | None] = {}
    for value in frame[column].unique():
        try:
            parsed[value] = parse_age_label(str(value))
            if parsed[value] is not None:
                model_band(*parsed[value])  # type: ignore[misc]
        except ValueError:
            bad = frame[column] == value
            row = int(bad.idxmax())
            raise DataFormatError(source.display, row, label, expected, value) from None
    lower = {k: (None if v is None else v[0]) for k, v in parsed.items()}
    upper = {k: (None if v is None else v[1]) for k, v in parsed.items()}
    frame["age_lower"] = frame[column].map(lower).astype("Int64")
    frame["age_upper"] = frame[column].map(upper).astype("Int64")
    frame["band"] = [
        None if p is None else model_band(*p)  # type: ignore[misc]
        for p in frame[column].map(parsed)
    ]
    return frame


def read_quinary_ages(
    path: PathLike,
    *,
    member: str | None = None,
    practices_only: bool = True,
    keep_totals: bool = False,
) -> pd.DataFrame:
    """Read ``gp-reg-pat-prac-quin-age.csv`` (five-year age bands by sex).

    Args:
        path: the CSV (or .csv.gz, or the published zip).
        member: the CSV inside a zip, when it holds more than one.
        practices_only: keep only ``ORG_TYPE`` ``GP`` rows; aggregate rows (sub-ICB, ICB, region,
            national) are counted in the report, not returned.
        keep_totals: keep the ``AGE_GROUP_5`` = ``ALL`` total rows (``band`` missing); by default
            they are left out and counted in the report.

    Returns:
        Long form: ``practice_code`` (the ``ORG_CODE``), ``org_type``, ``sex``, ``age_group`` (as
        published), ``age_lower``, ``age_upper`` (NA for the open band), ``band`` (model band) and
        ``patients``.
    """
    header = _peek_header(path, member)
    era, renames = _era(header)
    required = ["EXTRACT_DATE", "ORG_TYPE", "ORG_CODE", "SEX", "AGE_GROUP_5", "NUMBER_OF_PATIENTS"]
    frame, source, _ = read_table(
        path, required=required, optional=["PUBLICATION", "ONS_CODE", "POSTCODE"], member=member,
        prefer=_prefer_patients,
    )
    report = ExclusionReport(source.display, rows_read=len(frame))
    frame = drop_blank_rows(frame, report)
    check_categories(source, frame, "SEX", SEXES)
    check_not_empty(source, frame, "ORG_CODE", "an organisation code")
    frame["NUMBER_OF_PATIENTS"] = to_int(source, frame, "NUMBER_OF_PATIENTS")
    frame["EXTRACT_DATE"] = to_dates(source, frame, "EXTRACT_DATE")
    frame = _age_columns(source, frame, "AGE_GROUP_5", "AGE_GROUP_5",
                         "a five-year band such as 0_4, 90_94, 95+ or ALL")
    if practices_only:
        other = frame["ORG_TYPE"] != "GP"
        for value, count in frame.loc[other, "ORG_TYPE"].value_counts().items():
            report.exclude(f"aggregate row (ORG_TYPE={value!r})", int(count))
        frame = frame.loc[~other]
    check_unique(source, frame, ["ORG_TYPE", "ORG_CODE", "SEX", "AGE_GROUP_5"],
                 "each organisation, sex and age group once")
    if not keep_totals:
        totals = frame["band"].isna()
        report.exclude("age total row (AGE_GROUP_5='ALL')", int(totals.sum()))
        frame = frame.loc[~totals]
    frame = _normalise(frame, renames)
    report.rows_used = len(frame)
    frame = frame.reset_index(drop=True)
    frame.attrs["era"] = era
    return attach_report(frame, report)


def read_single_year_ages(
    paths: PathLike | Iterable[PathLike], *, member: str | None = None
) -> pd.DataFrame:
    """Read ``gp-reg-pat-prac-sing-age-male.csv`` / ``-female.csv`` (single year of age 0..95+).

    Args:
        paths: one file or several (typically the male and the female file).
        member: the CSV inside a zip, when it holds more than one.

    Returns:
        Long form: ``practice_code`` (the ``ORG_CODE``), ``sex``, ``age`` (as published),
        ``age_lower``, ``age_upper``, ``band`` and ``patients``, plus geography where published.
        ``AGE`` = ``ALL`` rows are totals: left out, counted in the report.
    """
    if isinstance(paths, str | bytes) or hasattr(paths, "__fspath__"):
        paths = [paths]  # type: ignore[list-item]
    frames = []
    reports = []
    for path in paths:  # type: ignore[union-attr]
        header = _peek_header(path, member)
        era, renames = _era(header)
        required = ["EXTRACT_DATE", "ORG_CODE", "SEX", "AGE", "NUMBER_OF_PATIENTS"]
        optional = ["PUBLICATION", "TYPE", "POSTCODE", *_geography_required(header)]
        frame, source, _ = read_table(path, required=required, optional=optional, member=member,
                                      prefer=_prefer_patients)
        report = ExclusionReport(source.display, rows_read=len(frame))
        frame = drop_blank_rows(frame, report)
        check_categories(source, frame, "SEX", SEXES)
        check_not_empty(source, frame, "ORG_CODE", "a practice code")
        check_unique(source, frame, ["ORG_CODE", "SEX", "AGE"], "each practice, sex and age once")
        frame["NUMBER_OF_PATIENTS"] = to_int(source, frame, "NUMBER_OF_PATIENTS")
        frame["EXTRACT_DATE"] = to_dates(source, frame, "EXTRACT_DATE")
        frame = _age_columns(source, frame, "AGE", "AGE", "a single year 0..94, 95+ or ALL")
        if "TYPE" in frame.columns:
            other = frame["TYPE"] != "GP"
            for value, count in frame.loc[other, "TYPE"].value_counts().items():
                report.exclude(f"not a practice row (TYPE={value!r})", int(count))
            frame = frame.loc[~other]
        totals = frame["band"].isna()
        report.exclude("age total row (AGE='ALL')", int(totals.sum()))
        frame = _normalise(frame.loc[~totals], renames)
        report.rows_used = len(frame)
        frame.attrs["era"] = era
        frames.append(frame.reset_index(drop=True))
        reports.append(report)
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    merged = ExclusionReport(" + ".join(r.source for r in reports))
    for r in reports:
        merged.rows_read += r.rows_read
        merged.rows_used += r.rows_used
        for reason, count in r.excluded.items():
            merged.exclude(reason, count)
    return attach_report(out, merged)


def to_model_age_bands(ages: pd.DataFrame) -> pd.DataFrame:
    """Patients per practice in the model's eight age bands.

    Args:
        ages: from :func:`read_quinary_ages` or :func:`read_single_year_ages`. When a practice has
            ``sex == "ALL"`` rows by age those are used; otherwise ``MALE`` and ``FEMALE`` rows are
            summed (patients of unknown sex then count in no band).

    Returns:
        Index ``practice_code``, one integer column per band in :data:`sim.config.scenario.AGE_BANDS` order.
    """
    if ages.empty:
        return pd.DataFrame(columns=list(AGE_BANDS), dtype="int64").rename_axis("practice_code")
    ages = ages.loc[ages["band"].notna()]
    has_all = ages.loc[ages["sex"] == "ALL", "practice_code"].unique()
    use = ((ages["sex"] == "ALL") & ages["practice_code"].isin(has_all)) | (
        ages["sex"].isin(["MALE", "FEMALE"]) & ~ages["practice_code"].isin(has_all)
    )
    table = (
        ages.loc[use]
        .groupby(["practice_code", "band"])["patients"]
        .sum()
        .unstack("band")
        .reindex(columns=list(AGE_BANDS), fill_value=0)
        .fillna(0)
        .astype("int64")
    )
    table.columns.name = None
    return table


def age_mix(ages: pd.DataFrame, *, decimals: int = 4) -> pd.DataFrame:
    """Share of each practice's patients in each model age band (rows sum to 1).

    Args:
        ages: long form from :func:`read_quinary_ages` / :func:`read_single_year_ages`, or the
            wide output of :func:`to_model_age_bands`.
        decimals: rounding; the largest band absorbs the rounding so each row sums exactly to 1.

    Returns:
        Index ``practice_code``, one float column per model band; practices with no patients in any
        band are left out.
    """
    counts = ages if set(AGE_BANDS) <= set(ages.columns) else to_model_age_bands(ages)
    totals = counts.sum(axis=1)
    counts = counts.loc[totals > 0]
    shares = counts.div(counts.sum(axis=1), axis=0).round(decimals)
    residual = (1.0 - shares.sum(axis=1)).round(decimals)
    biggest = shares.idxmax(axis=1)
    for code, band in biggest.items():
        shares.at[code, band] = round(shares.at[code, band] + residual[code], decimals)
    return shares


def read_practice_map(path: PathLike, *, member: str | None = None) -> pd.DataFrame:
    """Read ``gp-reg-pat-prac-map.csv``: practice -> PCN -> sub-ICB/CCG -> ICB/STP -> region.

    Returns:
        One row per practice with ``practice_code``, ``practice_name``, ``postcode``,
        ``pcn_code``, ``pcn_name``, ``sub_icb_code``, ``sub_icb_ons_code``, ``sub_icb_name``,
        ``icb_code``, ``icb_ons_code``, ``icb_name``, ``region_code``, ``region_ons_code``,
        ``region_name`` and ``extract_date`` (plus ``supplier_name`` where published). Practices in
        no PCN keep the published code (``U``, name ``Unallocated``); see
        :data:`UNALLOCATED_PCN_CODES`.
    """
    header = _peek_header(path, member)
    era, renames = _era(header)
    if era == "ccg":
        geo = ["ONS_CCG_CODE", "CCG_CODE", "CCG_NAME", "ONS_STP_CODE", "STP_CODE", "STP_NAME"]
    else:
        geo = ["ONS_SUB_ICB_LOCATION_CODE", "SUB_ICB_LOCATION_CODE", "SUB_ICB_LOCATION_NAME",
               "ONS_ICB_CODE", "ICB_CODE", "ICB_NAME"]
    required = ["EXTRACT_DATE", "PRACTICE_CODE", "PRACTICE_NAME", "PRACTICE_POSTCODE", "PCN_CODE",
                "PCN_NAME", *geo, "ONS_COMM_REGION_CODE", "COMM_REGION_CODE", "COMM_REGION_NAME"]
    frame, source, _ = read_table(path, required=required,
                                  optional=["PUBLICATION", "SUPPLIER_NAME"], member=member,
                                  prefer=_prefer_patients)
    report = ExclusionReport(source.display, rows_read=len(frame))
    frame = drop_blank_rows(frame, report)
    check_not_empty(source, frame, "PRACTICE_CODE", "a practice code")
    check_unique(source, frame, ["PRACTICE_CODE"], "each practice code once")
    geo_code = "CCG_CODE" if era == "ccg" else "SUB_ICB_LOCATION_CODE"
    check_not_empty(source, frame, geo_code, "a sub-ICB (CCG) code")
    frame["EXTRACT_DATE"] = to_dates(source, frame, "EXTRACT_DATE")
    frame = _normalise(frame, renames)
    report.rows_used = len(frame)
    frame = frame.reset_index(drop=True)
    frame.attrs["era"] = era
    return attach_report(frame, report)


def detect_patients_file(path: PathLike, *, member: str | None = None) -> str:
    """Which patients file ``path`` is, from its header.

    Returns ``"totals"``, ``"quinary"``, ``"single_year"`` or ``"map"``.

    Raises:
        DataFormatError: none of them.
    """
    header = _peek_header(path, member)
    if "AGE_GROUP_5" in header:
        return "quinary"
    if "PRACTICE_CODE" in header and "PCN_CODE" in header:
        return "map"
    if "CODE" in header and "AGE" in header:
        return "totals"
    if "ORG_CODE" in header and "AGE" in header:
        return "single_year"
    raise DataFormatError(
        path, 1, None,
        "the header of a Patients Registered at a GP Practice file (gp-reg-pat-prac-all, "
        "-quin-age, -sing-age-male/female or -map)",
        ",".join(header[:6]) + ("..." if len(header) > 6 else ""),
    )


def read_ages(paths: PathLike | Iterable[PathLike]) -> pd.DataFrame:
    """Read any mix of quinary and single-year age files into one long frame (report merged).

    Give each practice's ages once: a practice in both a quinary and a single-year file would be
    counted twice by :func:`to_model_age_bands`.
    """
    if isinstance(paths, str | bytes) or hasattr(paths, "__fspath__"):
        paths = [paths]  # type: ignore[list-item]
    frames = []
    merged = ExclusionReport("")
    sources = []
    for path in paths:  # type: ignore[union-attr]
        kind = detect_patients_file(path)
        if kind == "quinary":
            frame = read_quinary_ages(path)
        elif kind == "single_year":
            frame = read_single_year_ages(path)
        else:
            raise DataFormatError(path, 1, None,
                                  "an age file (gp-reg-pat-prac-quin-age or -sing-age-*)",
                                  f"a {kind} file")
        rep = report_of(frame)
        sources.append(rep.source)
        merged.rows_read += rep.rows_read
        merged.rows_used += rep.rows_used
        for reason, count in rep.excluded.items():
            merged.exclude(reason, count)
        frames.append(frame)
    merged.source = " + ".join(sources)
    cols = ["practice_code", "sex", "band", "patients"]
    out = pd.concat([f[cols] for f in frames], ignore_index=True) if frames else pd.DataFrame(
        columns=cols)
    return attach_report(out, merged)
