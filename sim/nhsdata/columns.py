"""Checking and converting the string columns of a published CSV, naming the first bad cell.

Frames come from :mod:`sim.nhsdata.csv_read` as strings indexed by spreadsheet row (header = row
1), so the first bad index is the row a reader of the file would look at. Every check raises
:class:`~sim.nhsdata.errors.DataFormatError` with file, row, column, what was expected and what
was found.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from typing import NoReturn

import numpy as np
import pandas as pd

from sim.nhsdata.csv_read import Source
from sim.nhsdata.errors import DataFormatError, ExclusionReport

#: Markers NHS Digital uses for values not disclosed, not available or estimated; read as missing.
#: (The list used by published R code that reads the workforce CSVs; formats.md section a.)
NOT_DISCLOSED_MARKERS: tuple[str, ...] = ("ND", "NA", "EST", "NS", ".")

#: Century added to a two-digit year (``Mar-19``): every NHS Digital edition is from the 2000s.
TWO_DIGIT_YEAR_CENTURY = 2000


def drop_blank_rows(frame: pd.DataFrame, report: ExclusionReport) -> pd.DataFrame:
    """Remove rows whose every cell is empty, counting them in ``report``."""
    if frame.empty:
        return frame
    blank = (frame == "").all(axis=1)
    if blank.any():
        report.exclude("blank row", int(blank.sum()))
        frame = frame.loc[~blank]
    return frame


def _first_bad(source: Source, frame: pd.DataFrame, mask: pd.Series, column: str,
               expected: str) -> NoReturn:
    """Raise naming the first row where ``mask`` is true, with that row's value of ``column``."""
    row = mask.idxmax()
    raise DataFormatError(source.display, int(row), column, expected, frame.at[row, column])


def to_int(
    source: Source,
    frame: pd.DataFrame,
    column: str,
    *,
    label: str | None = None,
    allow_missing: bool = False,
    markers: Sequence[str] = (),
    report: ExclusionReport | None = None,
) -> pd.Series:
    """Check and convert a column of whole numbers (0 or more).

    Args:
        source: for error messages.
        frame: strings indexed by spreadsheet row.
        column: name of the column in ``frame`` (and in the published file).
        label: the column's published name if ``frame`` renamed it.
        allow_missing: empty cells and ``markers`` become missing (counted in ``report``).
        markers: not-disclosed markers read as missing when ``allow_missing``.
        report: where to count the missing cells.

    Returns:
        ``int64`` when nothing is missing, else nullable ``Int64``.
    """
    text = frame[column].astype(str).str.strip()
    missing = _missing_mask(text, column if label is None else label, allow_missing, markers, report)
    ok = text.str.fullmatch(r"\+?\d+(\.0*)?") | missing
    if not ok.all():
        _first_bad(source, frame.rename(columns={column: label or column}), ~ok, label or column,
                   "a whole number, 0 or more" + (" (or a not-disclosed marker)" if allow_missing else ""))
    values = pd.to_numeric(text.where(~missing, None), errors="coerce")
    if missing.any():
        return values.round().astype("Int64")
    return values.round().astype("int64")


def to_float(
    source: Source,
    frame: pd.DataFrame,
    column: str,
    *,
    label: str | None = None,
    allow_missing: bool = False,
    markers: Sequence[str] = (),
    report: ExclusionReport | None = None,
    minimum: float | None = 0.0,
) -> pd.Series:
    """Check and convert a column of decimal numbers (0 or more unless ``minimum`` is None)."""
    name = label or column
    text = frame[column].astype(str).str.strip()
    missing = _missing_mask(text, name, allow_missing, markers, report)
    values = pd.to_numeric(text.where(~missing, None), errors="coerce").astype("float64")
    bad = (values.isna() | values.abs().eq(float("inf"))) & ~missing
    if minimum is not None:
        bad |= values.lt(minimum) & ~missing
    if bad.any():
        what = "a number" + (f" of at least {minimum:g}" if minimum is not None else "")
        if allow_missing:
            what += " (or a not-disclosed marker)"
        _first_bad(source, frame.rename(columns={column: name}), bad, name, what)
    return values


def to_float_block(
    source: Source,
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    markers: Sequence[str] = (),
) -> pd.DataFrame:
    """:func:`to_float` (``allow_missing=True``, minimum 0) for many columns at once.

    Fast path for wide files: converts the whole block with numpy and only on a failure goes
    column by column to name the first bad cell.
    """
    if not columns:
        return pd.DataFrame(index=frame.index)
    text = np.char.strip(frame[list(columns)].to_numpy(dtype=str))
    missing = np.isin(text, [*markers, ""])
    try:
        numbers = np.where(missing, "nan", text).astype("float64")
        ok = not (np.isinf(numbers).any() or (numbers < 0).any())
    except ValueError:
        ok = False
    if not ok:
        for column in columns:
            to_float(source, frame, column, allow_missing=True, markers=markers)
        raise AssertionError("unreachable: a bad cell was not found")  # pragma: no cover
    return pd.DataFrame(numbers, index=frame.index, columns=list(columns))


def _missing_mask(
    text: pd.Series,
    name: str,
    allow_missing: bool,
    markers: Sequence[str],
    report: ExclusionReport | None,
) -> pd.Series:
    """Which cells are missing (blank or a marker), counted in ``report``; none unless allowed."""
    if not allow_missing:
        return pd.Series(False, index=text.index)
    missing = text.eq("")
    if report is not None and missing.any():
        report.add_missing(name, "(blank)", int(missing.sum()))
    for marker in markers:
        hit = text.eq(marker)
        if hit.any():
            missing |= hit
            if report is not None:
                report.add_missing(name, marker, int(hit.sum()))
    return missing


def count_markers(
    frame: pd.DataFrame, columns: Iterable[str], markers: Sequence[str], report: ExclusionReport
) -> None:
    """Count, per column, the blank and not-disclosed cells of ``frame`` into ``report``."""
    columns = list(columns)
    if not columns or frame.empty:
        return
    text = np.char.strip(frame[columns].to_numpy(dtype=str))
    for marker in ("", *markers):
        counts = (text == marker).sum(axis=0)
        for column, count in zip(columns, counts, strict=True):
            report.add_missing(column, marker or "(blank)", int(count))


def check_categories(
    source: Source,
    frame: pd.DataFrame,
    column: str,
    allowed: Iterable[str],
    *,
    label: str | None = None,
) -> None:
    """Raise naming the first cell of ``column`` whose value is not exactly one of ``allowed``."""
    allowed = list(dict.fromkeys(allowed))
    bad = ~frame[column].isin(allowed)
    if bad.any():
        shown = ", ".join(repr(a) for a in allowed)
        _first_bad(source, frame.rename(columns={column: label or column}), bad, label or column,
                   f"one of {shown}")


def check_not_empty(source: Source, frame: pd.DataFrame, column: str, what: str) -> None:
    """Raise naming the first empty cell of ``column``."""
    bad = frame[column].astype(str).str.strip().eq("")
    if bad.any():
        _first_bad(source, frame, bad, column, what)


def check_unique(source: Source, frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Raise naming the first row repeating an earlier row's values of ``columns``."""
    dup = frame.duplicated(subset=list(columns), keep="first")
    if dup.any():
        _first_bad(source, frame, dup, columns[-1], what)


_MONTHS = {m: i for i, m in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)}


def parse_date_text(value: str) -> dt.date | None:
    """Parse a date as NHS Digital spells it; ``None`` when it is not one.

    Accepted: ``2026-03-01``, ``01JAN2021``, ``01Jan2022``, ``20191001``, ``01/03/2026``.
    """
    v = value.strip()
    m = re.fullmatch(r"(\d{1,2})([A-Za-z]{3})(\d{4})", v)
    if m and m.group(2).upper() in _MONTHS:
        try:
            return dt.date(int(m.group(3)), _MONTHS[m.group(2).upper()], int(m.group(1)))
        except ValueError:
            return None
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%d-%b-%Y", "%d-%b-%y"):
        try:
            return dt.datetime.strptime(v, fmt).date()
        except ValueError:
            continue
    return None


def parse_month_text(value: str) -> dt.date | None:
    """Parse ``MAR2019`` (or ``Mar-19``, ``2019-03``, ``01MAR2019``) to the first of the month."""
    v = value.strip()
    m = re.fullmatch(r"([A-Za-z]{3})[ -]?(\d{4}|\d{2})", v)
    if m and m.group(1).upper() in _MONTHS:
        year = int(m.group(2))
        year = year + TWO_DIGIT_YEAR_CENTURY if year < 100 else year
        return dt.date(year, _MONTHS[m.group(1).upper()], 1)
    m = re.fullmatch(r"(\d{4})-(\d{2})", v)
    if m and 1 <= int(m.group(2)) <= 12:
        return dt.date(int(m.group(1)), int(m.group(2)), 1)
    day = parse_date_text(v)
    return None if day is None else day.replace(day=1)


def to_dates(
    source: Source,
    frame: pd.DataFrame,
    column: str,
    *,
    parser: Callable[[str], dt.date | None] = parse_date_text,
    expected: str = "a date such as 2026-03-01 or 01JAN2021",
    label: str | None = None,
) -> pd.Series:
    """Check and convert a column of dates (each distinct spelling parsed once)."""
    uniques = frame[column].unique()
    parsed = {u: parser(str(u)) for u in uniques}
    bad_values = {u for u, d in parsed.items() if d is None}
    if bad_values:
        bad = frame[column].isin(bad_values)
        _first_bad(source, frame.rename(columns={column: label or column}), bad, label or column,
                   expected)
    mapping = {u: pd.Timestamp(d) for u, d in parsed.items()}
    return frame[column].map(mapping).astype("datetime64[ns]")


