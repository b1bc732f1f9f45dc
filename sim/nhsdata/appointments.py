"""Appointments in General Practice (GPAD, NHS England, monthly).

Publication: https://digital.nhs.uk/data-and-information/publications/statistical/appointments-in-general-practice

Two files are read here, as published (plain, gzipped or zipped):

* ``Regional_CSV_<area>.csv`` (:func:`read_regional_csv`): monthly appointment counts per CCG or
  sub-ICB location by status, HCP type, mode and booking interval. The CCG-era header (CCG_CODE,
  CCG_ONS_CODE, CCG_NAME, STP_ONS, STPNM, REGION_ONS_CODE, REGION_NAME, ...) and the sub-ICB-era
  header (SUB_ICB_LOCATION_CODE, SUB_ICB_LOCATION_ONS_CODE, SUB_ICB_LOCATION_NAME, ICB_ONS_CODE,
  ICB_NAME, ...) are normalised to the same names.
* ``Practice_Level_Crosstab_<Mon>_<YY>.csv`` (:func:`read_practice_crosstab`), ~4 million rows a
  month nationally, read in chunks and optionally filtered to some practices, PCNs or sub-ICBs,
  with its ``Mapping.csv`` (:func:`read_crosstab_mapping`) for ICB and region.

Category labels are kept exactly as published (double spaces in ``"8  to 14 Days"`` included); the
constants below list them in published order, with later spellings (``"Video Conference/Online"``,
``"Unknown / Data Quality"``) accepted after the originals. A value outside these lists is an error
unless passed in ``extra_categories``. ``Appointment_Month`` (``MAR2019``) and
``APPOINTMENT_MONTH_START_DATE`` (``01OCT2025``) become a ``month`` column (first of the month).
:func:`monthly_totals` sums appointments per area and month by one of the four dimensions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from sim.nhsdata.columns import check_not_empty, drop_blank_rows, parse_month_text, to_dates, to_int
from sim.nhsdata.csv_read import (
    PathLike,
    Source,
    detect_encoding,
    open_source,
    read_header,
    read_strings,
    read_table,
    require_columns,
)
from sim.nhsdata.errors import DataFormatError, ExclusionReport, attach_report

#: APPT_STATUS values, in published order.
APPT_STATUSES: tuple[str, ...] = ("Attended", "DNA", "Unknown")

#: HCP_TYPE values, in published order.
HCP_TYPES: tuple[str, ...] = ("GP", "Other Practice staff", "Unknown")

#: APPT_MODE values, in published order; later editions say "Video Conference/Online".
APPT_MODES: tuple[str, ...] = (
    "Face-to-Face", "Home Visit", "Telephone", "Video/Online", "Unknown", "Video Conference/Online",
)

#: TIME_BETWEEN_BOOK_AND_APPT bins in published order, double spaces as published. Later editions
#: label the last bin "Unknown / Data Quality".
BOOKING_INTERVALS: tuple[str, ...] = (
    "Same Day",
    "1 Day",
    "2 to 7 Days",
    "8  to 14 Days",
    "15  to 21 Days",
    "22  to 28 Days",
    "More than 28 Days",
    "Unknown / Data Issue",
    "Unknown / Data Quality",
)

#: Days between booking and appointment covered by each bin (inclusive; None = open or unknown).
BOOKING_INTERVAL_DAYS: dict[str, tuple[int, int] | tuple[int, None] | None] = {
    "Same Day": (0, 0),
    "1 Day": (1, 1),
    "2 to 7 Days": (2, 7),
    "8  to 14 Days": (8, 14),
    "15  to 21 Days": (15, 21),
    "22  to 28 Days": (22, 28),
    "More than 28 Days": (29, None),
    "Unknown / Data Issue": None,
    "Unknown / Data Quality": None,
}

#: NATIONAL_CATEGORY values (practice crosstab), published order; the last three are the data
#: quality labels seen in different editions.
NATIONAL_CATEGORIES: tuple[str, ...] = (
    "General Consultation Acute",
    "General Consultation Routine",
    "Clinical Triage",
    "Planned Clinics",
    "Planned Clinical Procedure",
    "Unplanned Clinical Activity",
    "Walk-in",
    "Home Visit",
    "Care Home Visit",
    "Structured Medication Review",
    "Patient contact during Care Home Round",
    "Care Home Needs Assessment & Personalised Care and Support Planning",
    "Social Prescribing Service",
    "Service provided by organisation external to the practice",
    "Non-contractual chargeable work",
    "Group Consultation and Group Education",
    "Inconsistent Mapping",
    "Unmapped",
    "Inconsistent Mapping / Unmapped",
)

#: Normalised dimension name -> allowed labels.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "appt_status": APPT_STATUSES,
    "hcp_type": HCP_TYPES,
    "appt_mode": APPT_MODES,
    "time_between_book_and_appt": BOOKING_INTERVALS,
    "national_category": NATIONAL_CATEGORIES,
}

#: Published column -> normalised name, both eras and both files.
_NAMES: dict[str, str] = {
    "CCG_CODE": "sub_icb_code",
    "CCG_ONS_CODE": "sub_icb_ons_code",
    "CCG_NAME": "sub_icb_name",
    "STP_ONS": "icb_ons_code",
    "STPNM": "icb_name",
    "SUB_ICB_LOCATION_CODE": "sub_icb_code",
    "SUB_ICB_LOCATION_ONS_CODE": "sub_icb_ons_code",
    "SUB_ICB_LOCATION_NAME": "sub_icb_name",
    "ICB_ONS_CODE": "icb_ons_code",
    "ICB_CODE": "icb_code",
    "ICB_NAME": "icb_name",
    "REGION_ONS_CODE": "region_ons_code",
    "REGION_CODE": "region_code",
    "REGION_NAME": "region_name",
    "GP_CODE": "practice_code",
    "GP_NAME": "practice_name",
    "SUPPLIER": "supplier",
    "PCN_CODE": "pcn_code",
    "PCN_NAME": "pcn_name",
    "APPT_STATUS": "appt_status",
    "HCP_TYPE": "hcp_type",
    "APPT_MODE": "appt_mode",
    "NATIONAL_CATEGORY": "national_category",
    "TIME_BETWEEN_BOOK_AND_APPT": "time_between_book_and_appt",
    "COUNT_OF_APPOINTMENTS": "count",
}

_CATEGORY_COLUMNS = ("APPT_STATUS", "HCP_TYPE", "APPT_MODE", "TIME_BETWEEN_BOOK_AND_APPT")

_REGIONAL_CCG = ("CCG_CODE", "CCG_ONS_CODE", "CCG_NAME", "STP_ONS", "STPNM", "REGION_ONS_CODE",
                 "REGION_NAME")
_REGIONAL_SUB_ICB = ("SUB_ICB_LOCATION_CODE", "SUB_ICB_LOCATION_ONS_CODE", "SUB_ICB_LOCATION_NAME",
                     "ICB_ONS_CODE", "ICB_NAME", "REGION_ONS_CODE", "REGION_NAME")

_CROSSTAB = ("APPOINTMENT_MONTH_START_DATE", "GP_CODE", "GP_NAME", "SUPPLIER", "PCN_CODE",
             "PCN_NAME", "SUB_ICB_LOCATION_CODE", "SUB_ICB_LOCATION_NAME", "HCP_TYPE", "APPT_MODE",
             "NATIONAL_CATEGORY", "TIME_BETWEEN_BOOK_AND_APPT", "COUNT_OF_APPOINTMENTS",
             "APPT_STATUS")

_MAPPING = ("GP_CODE", "GP_NAME", "SUPPLIER", "PCN_CODE", "PCN_NAME", "SUB_ICB_LOCATION_CODE",
            "SUB_ICB_LOCATION_NAME", "ICB_CODE", "ICB_NAME", "REGION_CODE", "REGION_NAME")


def parse_appointment_month(text: str) -> pd.Timestamp:
    """``"MAR2019"`` -> ``Timestamp("2019-03-01")`` (also ``01MAR2019``, ``2019-03``).

    Raises:
        ValueError: not a month.
    """
    month = parse_month_text(text)
    if month is None:
        raise ValueError(f"not a month such as MAR2019: {text!r}")
    return pd.Timestamp(month)


def _allowed(column: str, extra: Mapping[str, Iterable[str]] | None) -> list[str]:
    """The published labels of ``column``, plus any extra ones given for it."""
    name = _NAMES[column]
    labels = list(CATEGORIES[name])
    if extra:
        labels += [x for key in (column, name) for x in extra.get(key, ())]
    return labels


def _check_categories(source: Source, frame: pd.DataFrame, columns: Sequence[str],
                      extra: Mapping[str, Iterable[str]] | None) -> None:
    """Raise naming the first cell of ``columns`` that is not one of its published labels."""
    for column in columns:
        allowed = _allowed(column, extra)
        bad = ~frame[column].isin(allowed)
        if bad.any():
            row = int(bad.idxmax())
            shown = ", ".join(repr(a) for a in allowed)
            raise DataFormatError(source.display, row, column, f"one of {shown}",
                                  frame.at[row, column])


def _months(source: Source, frame: pd.DataFrame, column: str) -> pd.Series:
    """Check and convert a column of months (``MAR2019``) to first days."""
    return to_dates(source, frame, column, parser=parse_month_text,
                    expected="a month such as MAR2019")


def read_regional_csv(
    paths: PathLike | Iterable[PathLike],
    *,
    extra_categories: Mapping[str, Iterable[str]] | None = None,
    member: str | None = None,
) -> pd.DataFrame:
    """Read one or more ``Regional_CSV_*.csv`` files (CCG or sub-ICB era) into one frame.

    Args:
        paths: files (or .csv.gz / zips); several are concatenated.
        extra_categories: further labels to accept, by published or normalised column name
            (e.g. ``{"APPT_MODE": ["Video Conference/Online"]}``).
        member: the CSV inside a zip, when it holds more than one.

    Returns:
        ``sub_icb_code``, ``sub_icb_ons_code``, ``sub_icb_name``, ``icb_ons_code``, ``icb_name``,
        ``region_ons_code``, ``region_name``, ``month`` (datetime, first of the month),
        ``appt_status``, ``hcp_type``, ``appt_mode``, ``time_between_book_and_appt`` (labels as
        published) and ``count`` (int), plus ``source_file``. ``attrs["era"]`` is ``"ccg"`` or
        ``"sub_icb"`` (``"mixed"`` for both).

    Raises:
        DataFormatError: a missing column, an unknown category, a bad month or count.
    """
    if isinstance(paths, str | bytes) or hasattr(paths, "__fspath__"):
        paths = [paths]  # type: ignore[list-item]
    frames: list[pd.DataFrame] = []
    eras: set[str] = set()
    merged = ExclusionReport("")
    sources: list[str] = []
    for path in paths:  # type: ignore[union-attr]
        source = open_source(path, member=member)
        header = read_header(source, detect_encoding(source))
        era = "ccg" if "CCG_CODE" in header else "sub_icb"
        geo = _REGIONAL_CCG if era == "ccg" else _REGIONAL_SUB_ICB
        required = [*geo, "Appointment_Month", *_CATEGORY_COLUMNS, "COUNT_OF_APPOINTMENTS"]
        frame, source, _ = read_table(path, required=required, member=member)
        report = ExclusionReport(source.display, rows_read=len(frame))
        frame = drop_blank_rows(frame, report)
        check_not_empty(source, frame, geo[0], "a sub-ICB (CCG) code")
        _check_categories(source, frame, _CATEGORY_COLUMNS, extra_categories)
        frame["COUNT_OF_APPOINTMENTS"] = to_int(source, frame, "COUNT_OF_APPOINTMENTS")
        frame["Appointment_Month"] = _months(source, frame, "Appointment_Month")
        frame = frame.rename(columns={**_NAMES, "Appointment_Month": "month"})
        frame["source_file"] = str(path)
        report.rows_used = len(frame)
        merged.rows_read += report.rows_read
        merged.rows_used += report.rows_used
        for reason, count in report.excluded.items():
            merged.exclude(f"{reason} ({source.display})", count)
        sources.append(source.display)
        eras.add(era)
        frames.append(frame)
    merged.source = " + ".join(sources)
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(
        drop=True)
    out.attrs["era"] = eras.pop() if len(eras) == 1 else "mixed"
    return attach_report(out, merged)


def read_crosstab_mapping(path: PathLike, *, member: str | None = None) -> pd.DataFrame:
    """Read the crosstab's ``Mapping.csv``: practice -> PCN -> sub-ICB -> ICB -> region.

    Returns:
        ``practice_code``, ``practice_name``, ``supplier``, ``pcn_code``, ``pcn_name``,
        ``sub_icb_code``, ``sub_icb_name``, ``icb_code``, ``icb_name``, ``region_code``,
        ``region_name``; one row per practice.
    """
    frame, source, _ = read_table(path, required=_MAPPING, member=member,
                                  prefer=lambda n: 2 if "mapping" in n.lower() else 0)
    report = ExclusionReport(source.display, rows_read=len(frame))
    frame = drop_blank_rows(frame, report)
    check_not_empty(source, frame, "GP_CODE", "a practice code")
    dup = frame.duplicated("GP_CODE")
    if dup.any():
        row = int(dup.idxmax())
        raise DataFormatError(source.display, row, "GP_CODE", "each practice code once",
                              frame.at[row, "GP_CODE"])
    frame = frame.rename(columns=_NAMES)
    report.rows_used = len(frame)
    return attach_report(frame.reset_index(drop=True), report)


def read_practice_crosstab(
    path: PathLike,
    *,
    practices: Iterable[str] | None = None,
    pcns: Iterable[str] | None = None,
    sub_icbs: Iterable[str] | None = None,
    mapping: pd.DataFrame | None = None,
    extra_categories: Mapping[str, Iterable[str]] | None = None,
    member: str | None = None,
    chunksize: int = 500_000,
) -> pd.DataFrame:
    """Read a ``Practice_Level_Crosstab_*.csv`` (the zip as published, or the CSV).

    Every row is checked, in chunks, even when a filter keeps only some; rows outside the filter
    are counted in the report, not silently dropped.

    Args:
        path: the CSV, .csv.gz or the published zip (the crosstab member is picked by name; name
            one with ``member`` when the zip holds several months).
        practices: keep only these practice codes (``GP_CODE``).
        pcns: keep only these PCN codes.
        sub_icbs: keep only these sub-ICB location codes.
        mapping: from :func:`read_crosstab_mapping`, to add ``icb_code``, ``icb_name``,
            ``region_code`` and ``region_name``.
        extra_categories: further labels to accept (see :func:`read_regional_csv`).
        member: the CSV inside a zip.
        chunksize: rows per chunk.

    Returns:
        ``month``, ``practice_code``, ``practice_name``, ``supplier``, ``pcn_code``, ``pcn_name``,
        ``sub_icb_code``, ``sub_icb_name``, ``hcp_type``, ``appt_mode``, ``national_category``,
        ``time_between_book_and_appt``, ``count``, ``appt_status`` (+ mapping columns).
    """
    source = open_source(path, member=member,
                         prefer=lambda n: 2 if "crosstab" in n.lower() else 0)
    encoding = detect_encoding(source)
    header = read_header(source, encoding)
    require_columns(source, header, _CROSSTAB)
    report = ExclusionReport(source.display)
    keep_sets = {
        "GP_CODE": set(practices) if practices is not None else None,
        "PCN_CODE": set(pcns) if pcns is not None else None,
        "SUB_ICB_LOCATION_CODE": set(sub_icbs) if sub_icbs is not None else None,
    }
    parts: list[pd.DataFrame] = []
    categories = [*_CATEGORY_COLUMNS, "NATIONAL_CATEGORY"]
    chunks = read_strings(source, header, encoding, columns=_CROSSTAB, chunksize=chunksize)
    for chunk in chunks:  # type: ignore[union-attr]
        report.rows_read += len(chunk)
        chunk = drop_blank_rows(chunk, report)
        check_not_empty(source, chunk, "GP_CODE", "a practice code")
        _check_categories(source, chunk, categories, extra_categories)
        chunk["COUNT_OF_APPOINTMENTS"] = to_int(source, chunk, "COUNT_OF_APPOINTMENTS")
        chunk["APPOINTMENT_MONTH_START_DATE"] = _months(source, chunk,
                                                        "APPOINTMENT_MONTH_START_DATE")
        for column, wanted in keep_sets.items():
            if wanted is not None:
                outside = ~chunk[column].isin(wanted)
                report.exclude(f"outside the selection ({column})", int(outside.sum()))
                chunk = chunk.loc[~outside]
        parts.append(chunk)
    frame = pd.concat(parts) if parts else pd.DataFrame(columns=list(_CROSSTAB))
    frame = frame.rename(columns={**_NAMES, "APPOINTMENT_MONTH_START_DATE": "month"})
    if mapping is not None:
        extra = mapping[["practice_code", "icb_code", "icb_name", "region_code", "region_name"]]
        frame = frame.merge(extra, on="practice_code", how="left")
        unmapped = frame["icb_code"].isna()
        if unmapped.any():
            report.notes.append(
                f"{int(unmapped.sum())} rows from {frame.loc[unmapped, 'practice_code'].nunique()} "
                "practices not in Mapping.csv (icb/region left missing)")
    report.rows_used = len(frame)
    return attach_report(frame.reset_index(drop=True), report)


_DIMENSIONS = {
    "APPT_STATUS": "appt_status",
    "HCP_TYPE": "hcp_type",
    "APPT_MODE": "appt_mode",
    "TIME_BETWEEN_BOOK_AND_APPT": "time_between_book_and_appt",
    "NATIONAL_CATEGORY": "national_category",
}


def monthly_totals(
    appointments: pd.DataFrame,
    dimension: str,
    *,
    area: str | Sequence[str] | None = "sub_icb_code",
    shares: bool = False,
) -> pd.DataFrame:
    """Appointments per area and month, one column per category of ``dimension``.

    Args:
        appointments: from :func:`read_regional_csv` or :func:`read_practice_crosstab`.
        dimension: ``HCP_TYPE``, ``APPT_MODE``, ``TIME_BETWEEN_BOOK_AND_APPT``, ``APPT_STATUS``
            or ``NATIONAL_CATEGORY`` (published or normalised spelling).
        area: the column(s) to group areas by (``sub_icb_code``, ``icb_name``, ``region_name``,
            ``practice_code``, ...); ``None`` sums everything into one area ``"ALL"``.
        shares: divide each row by its total (the ``total`` column stays a count).

    Returns:
        Index (area..., ``month``); columns the categories in published order (every standard
        label, zero where absent, plus later spellings where present) and ``total``.
    """
    column = _DIMENSIONS.get(dimension.upper()) if dimension.upper() in _DIMENSIONS else (
        dimension if dimension in CATEGORIES else None)
    if column is None:
        raise ValueError(f"dimension must be one of {', '.join(_DIMENSIONS)}; got {dimension!r}")
    frame = appointments
    if area is None:
        frame = frame.assign(area="ALL")
        keys = ["area"]
    else:
        keys = [area] if isinstance(area, str) else list(area)
    table = frame.groupby([*keys, "month", column], observed=True)["count"].sum().unstack(column)
    labels = CATEGORIES[column]
    alternates = {"Video Conference/Online", "Unknown / Data Quality", "Inconsistent Mapping / Unmapped"}
    order = [c for c in labels if c not in alternates or c in table.columns]
    order += [c for c in table.columns if c not in order]
    table = table.reindex(columns=order).fillna(0).astype("int64")
    table.columns.name = None
    total = table.sum(axis=1)
    if shares:
        table = table.div(total.where(total > 0), axis=0)
    table["total"] = total
    return table
