"""Primary Care Networks workforce, individual level (NHS England / NHS Digital).

Publication: the "Primary Care Network Workforce" part of General Practice Workforce
(https://digital.nhs.uk/data-and-information/publications/statistical/general-and-personal-medical-services),
individual-level CSV: one row per staff record employed or engaged by a PCN (not by its member
practices), from the National Workforce Reporting Service. Shipped: March 2020 (534 records) and
September 2022 (17,239), gzipped and otherwise unmodified, in ``calibration/data``. Read with
:func:`read_pcn_workforce`; :func:`pcn_role_fte` sums FTE by PCN and role.

Columns as published: ``Data_source`` ("NWRS Staff" or "NWRS contracted services"),
``CENSUS_YEAR``, ``CENSUS_MONTH``, ``PCN_CODE``, ``PCN_NAME``, ``SUB_ICB_CODE``, ``SUB_ICB_NAME``,
``ICB_CODE``, ``ICB_NAME``, ``COMM_REGION_CODE``, ``COMM_REGION_NAME``, ``STAFF_GROUP``,
``STAFF_ROLE``, ``DETAILED_STAFF_ROLE``, ``FTE``, ``UNIQUE_IDENTIFIER`` (``NULL`` for contracted
services). Earlier editions may say ``CCG_CODE``/``CCG_NAME`` and ``STP_CODE``/``STP_NAME``; both
are accepted.

Published quirks: both shipped files are Windows-1252 (the en dash in "Clinical Director – Medical"
is byte 0x96); the September 2022 file has a negative FTE (-0.027), which is left out and counted;
``NULL`` identifiers become missing; blank or ``ND`` FTE cells become missing and are counted.
FTE is 37.5 hours a week = 1.0.

Output columns: ``row``, ``data_source``, ``census`` (first of the census month), ``pcn_code``,
``pcn_name``, ``sub_icb_code``, ``sub_icb_name``, ``icb_code``, ``icb_name``, ``region_code``,
``region_name``, ``staff_group``, ``staff_role``, ``detailed_staff_role``, ``fte``,
``unique_identifier``. Published under the Open Government Licence v3.0.
"""

from __future__ import annotations

import pandas as pd

from sim.nhsdata.columns import to_float, to_int
from sim.nhsdata.csv_read import PathLike
from sim.nhsdata.errors import DataFormatError, attach_report
from sim.nhsdata.labels import read_labelled

MISSING_MARKERS: tuple[str, ...] = ("ND", "NA", "NULL", "N/A")

_COLUMNS: dict[str, tuple[str, ...]] = {
    "data_source": ("Data_source",),
    "census_year": ("CENSUS_YEAR",),
    "census_month": ("CENSUS_MONTH",),
    "pcn_code": ("PCN_CODE",),
    "pcn_name": ("PCN_NAME",),
    "sub_icb_code": ("SUB_ICB_CODE", "SUB_ICB_LOCATION_CODE", "CCG_CODE"),
    "sub_icb_name": ("SUB_ICB_NAME", "SUB_ICB_LOCATION_NAME", "CCG_NAME"),
    "icb_code": ("ICB_CODE", "STP_CODE"),
    "icb_name": ("ICB_NAME", "STP_NAME"),
    "region_code": ("COMM_REGION_CODE", "REGION_CODE"),
    "region_name": ("COMM_REGION_NAME", "REGION_NAME"),
    "staff_group": ("STAFF_GROUP",),
    "staff_role": ("STAFF_ROLE",),
    "detailed_staff_role": ("DETAILED_STAFF_ROLE",),
    "fte": ("FTE",),
    "unique_identifier": ("UNIQUE_IDENTIFIER",),
}
_REQUIRED = ("census_year", "census_month", "pcn_code", "staff_group", "staff_role", "fte")


def read_pcn_workforce(path: PathLike, *, member: str | None = None) -> pd.DataFrame:
    """Read a PCN workforce individual-level CSV as published (see the module docstring).

    Raises:
        DataFormatError: a required column is missing, a census year or month is not one, a PCN
            code or staff role is blank, or an FTE is not a number (file, row, column).
    """
    table = read_labelled(path, member, _COLUMNS, _REQUIRED)
    source, names, raw, report = table.source, table.names, table.raw, table.report
    if raw.empty:
        raise DataFormatError(source.display, None, None, "at least one staff record", "no data rows")
    out = pd.DataFrame(index=raw.index)
    out["row"] = raw.index.astype("int64")
    for name in _COLUMNS:
        if name in ("census_year", "census_month", "fte"):
            continue
        out[name] = raw[names[name]].str.strip() if name in names else ""
    for name, what in (("pcn_code", "a PCN code"), ("staff_role", "a staff role")):
        blank = out[name].eq("")
        if blank.any():
            raise DataFormatError(source.display, int(blank.idxmax()), names[name], what, "")
    year = to_int(source, raw, names["census_year"])
    month = to_int(source, raw, names["census_month"])
    bad = ~month.between(1, 12)
    if bad.any():
        row = int(bad.idxmax())
        raise DataFormatError(source.display, row, names["census_month"], "a month 1-12",
                              raw.at[row, names["census_month"]])
    out["census"] = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": 1}))
    out["fte"] = to_float(source, raw, names["fte"], allow_missing=True, markers=MISSING_MARKERS,
                          report=report, minimum=None)
    if "unique_identifier" in names:
        out["unique_identifier"] = out["unique_identifier"].where(
            ~out["unique_identifier"].isin(["NULL", ""]), None)
    negative = out["fte"] < 0
    if negative.any():
        report.exclude("negative FTE (as published)", int(negative.sum()))
        out = out.loc[~negative]
    report.rows_used = len(out)
    return attach_report(out.reset_index(drop=True), report)


def pcn_role_fte(workforce: pd.DataFrame, *, column: str = "staff_role") -> pd.DataFrame:
    """FTE by PCN and role: one row per (``pcn_code``, role) with ``fte`` and ``records``.

    Args:
        workforce: from :func:`read_pcn_workforce`.
        column: ``staff_role`` (27 roles in September 2022) or ``detailed_staff_role``.
    """
    grouped = workforce.groupby(["pcn_code", column], sort=True)
    out = grouped.agg(fte=("fte", "sum"), records=("fte", "size")).reset_index()
    return out.rename(columns={column: "role"})
