"""The ODS ePCN workbook: Primary Care Networks and their member practices.

``ePCN.xlsx`` comes in ``ePCN.zip`` on the ODS "GP and GP practice related data" page. Two sheets are read:

* ``PCN Details``: PCN Code, PCN Name, Current Clinical Commissioning Group Code (later "Sub ICB
  Location"), its name, Open Date (YYYYMMDD), Close Date, Address Lines 1-5, Postcode
  (:func:`read_pcn_details`).
* ``PCN Core Partner Details``: one row per practice-PCN relationship, with start and end dates
  (:func:`read_pcn_partners`). Its "PCN Name" column is a VLOOKUP formula into PCN Details; the
  cached value is used, and where a workbook was saved without cached values the name is looked up
  the same way (counted in the report's notes).

Headers are matched after normalising case, spaces and punctuation, and "Clinical Commissioning
Group"/"CCG" or "Sub ICB Location" spellings are both accepted. Row numbers in errors are Excel row
numbers (header = row 1). Dates become ``datetime64``; blank end/close dates stay missing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from sim.nhsdata.columns import parse_date_text
from sim.nhsdata.csv_read import PathLike
from sim.nhsdata.errors import DataFormatError, ExclusionReport, attach_report

PCN_DETAILS_SHEET = "PCN Details"
PARTNER_SHEET = "PCN Core Partner Details"


def _key(text: object) -> str:
    """Normalise a header: lower case, 'sub icb location'/'ccg' spellings unified, no punctuation."""
    s = str(text or "").lower()
    s = s.replace("clinical commissioning group", "ccg").replace("sub icb location", "ccg")
    s = s.replace("sub-icb location", "ccg").replace("sub icb", "ccg")
    return re.sub(r"[^a-z0-9]+", "", s)


#: normalised output name -> accepted header spellings (matched with :func:`_key`).
_DETAILS_COLUMNS: dict[str, tuple[str, ...]] = {
    "pcn_code": ("PCN Code",),
    "pcn_name": ("PCN Name",),
    "sub_icb_code": ("Current Clinical Commissioning Group Code", "Current Sub ICB Location Code",
                     "Clinical Commissioning Group Code"),
    "sub_icb_name": ("Clinical Commissioning Group Name", "Current Sub ICB Location Name",
                     "Current Clinical Commissioning Group Name"),
    "open_date": ("Open Date (YYYYMMDD)", "Open Date"),
    "close_date": ("Close Date (YYYYMMDD)", "Close Date"),
    "address_line_1": ("Address Line 1",),
    "address_line_2": ("Address Line 2",),
    "address_line_3": ("Address Line 3",),
    "address_line_4": ("Address Line 4",),
    "address_line_5": ("Address Line 5",),
    "postcode": ("Postcode",),
}
_DETAILS_REQUIRED = ("pcn_code", "pcn_name", "sub_icb_code", "open_date", "close_date")

_PARTNER_COLUMNS: dict[str, tuple[str, ...]] = {
    "practice_code": ("Partner Organisation Code",),
    "practice_name": ("Partner Name",),
    "practice_sub_icb_code": ("Practice Parent CCG Code", "Practice Parent Sub ICB Location Code"),
    "practice_sub_icb_name": ("Practice Parent CCG Name", "Practice Parent Sub ICB Location Name"),
    "pcn_code": ("PCN Code",),
    "pcn_name": ("PCN Name",),
    "pcn_sub_icb_code": ("PCN Parent CCG Code", "PCN Parent Sub ICB Location Code"),
    "pcn_sub_icb_name": ("PCN Parent CCG Name", "PCN Parent Sub ICB Location Name"),
    "start_date": ("Practice to PCN Relationship Start Date",),
    "end_date": ("Practice to PCN Relationship End Date",),
    "sub_icb_match": ("Practice CCG and PCN CCG match?", "Practice Sub ICB Location and PCN Sub ICB "
                      "Location match?"),
}
_PARTNER_REQUIRED = ("practice_code", "pcn_code", "start_date", "end_date")


def _load_sheets(path: Path, sheets: Sequence[str]) -> dict[str, list[tuple[Any, ...]]]:
    """The cell values (cached values for formulas) of each named sheet, opened once."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: file not found")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a non-workbook
        raise DataFormatError(path, None, None, "an .xlsx workbook", type(exc).__name__) from None
    try:
        names = {_key(n): n for n in book.sheetnames}
        out = {}
        for sheet in sheets:
            if _key(sheet) not in names:
                raise DataFormatError(path, None, None, f"a sheet named {sheet!r}",
                                      book.sheetnames)
            out[sheet] = list(book[names[_key(sheet)]].iter_rows(values_only=True))
        return out
    finally:
        book.close()


def _columns(path: Path, sheet: str, header: Sequence[Any], spec: dict[str, tuple[str, ...]],
             required: Sequence[str]) -> dict[str, int]:
    """Column index of each field by any of its spellings; raise naming a required one absent."""
    keys = {_key(h): i for i, h in enumerate(header) if h is not None}
    found: dict[str, int] = {}
    for name, spellings in spec.items():
        for spelling in spellings:
            if _key(spelling) in keys:
                found[name] = keys[_key(spelling)]
                break
        else:
            if name in required:
                raise DataFormatError(f"{path} [sheet {sheet}]", 1, spellings[0],
                                      f"a column headed {spellings[0]!r}", "no such column")
    return found


def _as_date(value: Any, where: str, row: int, column: str) -> pd.Timestamp | None:
    """A workbook cell as a date (None when blank); raise naming the cell when it is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime | dt.date):
        return pd.Timestamp(value)
    text = str(int(value)) if isinstance(value, int | float) and float(value).is_integer() else str(
        value)
    parsed = parse_date_text(text)
    if parsed is None:
        raise DataFormatError(where, row, column, "a date as YYYYMMDD (e.g. 20191001)", value)
    return pd.Timestamp(parsed)


def _text(value: Any) -> str:
    """A cell as stripped text (empty for a blank cell)."""
    return "" if value is None else str(value).strip()


def _read(path: PathLike, sheet: str, spec: dict[str, tuple[str, ...]], required: Sequence[str],
          dates: Sequence[str], rows: list[tuple[Any, ...]] | None = None,
          ) -> tuple[pd.DataFrame, ExclusionReport]:
    """One sheet as a frame of the ``spec`` fields (dates converted), with its report."""
    p = Path(path)
    if rows is None:
        rows = _load_sheets(p, [sheet])[sheet]
    where = f"{p} [sheet {sheet}]"
    if not rows:
        raise DataFormatError(where, 1, None, "a header row", "an empty sheet")
    header = rows[0]
    cols = _columns(p, sheet, header, spec, required)
    report = ExclusionReport(where)
    records = []
    for offset, row in enumerate(rows[1:]):
        excel_row = offset + 2
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            report.rows_read += 1
            report.exclude("blank row")
            continue
        report.rows_read += 1
        record: dict[str, Any] = {"row": excel_row}
        for name, index in cols.items():
            value = row[index] if index < len(row) else None
            heading = str(header[index])
            if name in dates:
                record[name] = _as_date(value, where, excel_row, heading)
            elif name == "sub_icb_match":
                record[name] = value if isinstance(value, bool) else (
                    None if value is None else str(value).strip().upper() in ("TRUE", "YES", "Y"))
            else:
                text = _text(value)
                if text.startswith("="):  # a formula without a cached value
                    text = ""
                record[name] = text
        for name in required:
            if name not in dates and not record.get(name):
                raise DataFormatError(where, excel_row, str(header[cols[name]]),
                                      "a value (this column may not be blank)", _text(row[cols[name]]))
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=["row", *cols])
    for name in dates:
        if name in frame.columns:
            frame[name] = pd.to_datetime(frame[name])
    return frame, report


def read_pcn_details(path: PathLike, *, open_only: bool = False) -> pd.DataFrame:
    """Read the ``PCN Details`` sheet.

    Args:
        path: the ePCN workbook.
        open_only: leave out PCNs with a close date (counted in the report).

    Returns:
        One row per PCN: ``pcn_code``, ``pcn_name``, ``sub_icb_code``, ``sub_icb_name``,
        ``open_date``, ``close_date``, address lines, ``postcode`` and ``row`` (Excel row).
    """
    return _details(path, None, open_only)


def read_pcn_partners(path: PathLike, *, current_only: bool = True) -> pd.DataFrame:
    """Read the ``PCN Core Partner Details`` sheet (practice membership of PCNs).

    Args:
        path: the ePCN workbook.
        current_only: keep only relationships with a blank end date (ended ones are counted in
            the report).

    Returns:
        One row per relationship: ``practice_code``, ``practice_name``, ``practice_sub_icb_code``,
        ``practice_sub_icb_name``, ``pcn_code``, ``pcn_name``, ``pcn_sub_icb_code``,
        ``pcn_sub_icb_name``, ``start_date``, ``end_date``, ``sub_icb_match`` and ``row``.
    """
    return _partners(path, None, current_only)


def read_epcn(path: PathLike, *, current_only: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both sheets, as ``(pcn_details, pcn_partners)``, opening the workbook once.

    Args:
        path: the ePCN workbook.
        current_only: open PCNs and current relationships only.
    """
    sheets = _load_sheets(Path(path), [PCN_DETAILS_SHEET, PARTNER_SHEET])
    return _details(path, sheets, current_only), _partners(path, sheets, current_only)


_Sheets = dict[str, list[tuple[Any, ...]]] | None


def _details(path: PathLike, sheets: _Sheets, open_only: bool) -> pd.DataFrame:
    """The PCN Details sheet: one row per PCN (open ones only with ``open_only``)."""
    frame, report = _read(path, PCN_DETAILS_SHEET, _DETAILS_COLUMNS, _DETAILS_REQUIRED,
                          ("open_date", "close_date"), (sheets or {}).get(PCN_DETAILS_SHEET))
    dup = frame.duplicated("pcn_code")
    if dup.any():
        first = frame.loc[dup].iloc[0]
        raise DataFormatError(report.source, int(first["row"]), "PCN Code", "each PCN code once",
                              first["pcn_code"])
    if open_only:
        closed = frame["close_date"].notna()
        report.exclude("PCN closed (Close Date given)", int(closed.sum()))
        frame = frame.loc[~closed]
    report.rows_used = len(frame)
    return attach_report(frame.reset_index(drop=True), report)


def _partners(path: PathLike, sheets: _Sheets, current_only: bool) -> pd.DataFrame:
    """The practice-to-PCN membership sheet (current memberships only with ``current_only``)."""
    frame, report = _read(path, PARTNER_SHEET, _PARTNER_COLUMNS, _PARTNER_REQUIRED,
                          ("start_date", "end_date"), (sheets or {}).get(PARTNER_SHEET))
    if "pcn_name" in frame.columns and frame["pcn_name"].eq("").any():
        details = _details(path, sheets, False)
        names = dict(zip(details["pcn_code"], details["pcn_name"], strict=True))
        blank = frame["pcn_name"].eq("")
        frame.loc[blank, "pcn_name"] = frame.loc[blank, "pcn_code"].map(names).fillna("")
        report.notes.append(f"{int(blank.sum())} PCN names had no cached value; looked up in "
                            f"{PCN_DETAILS_SHEET}")
    if current_only:
        ended = frame["end_date"].notna()
        report.exclude("relationship ended (End Date given)", int(ended.sum()))
        frame = frame.loc[~ended]
    report.rows_used = len(frame)
    return attach_report(frame.reset_index(drop=True), report)
