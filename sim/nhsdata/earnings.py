"""GP Earnings and Expenses estimates (NHS England / NHS Digital, annual, UK).

Publication: https://digital.nhs.uk/data-and-information/publications/statistical/gp-earnings-and-expenses-estimates
(the "CSV" of each edition). Shipped: 2021/22 and 2022/23, gzipped and otherwise unmodified, in
``calibration/data``. Read with :func:`read_gp_earnings`; look one figure up with :func:`gp_measure`.

The file is long: one row per breakdown and measure. Breakdown columns: ``GP_Type`` (Contractor,
Salaried, Combined), ``Contract_Type`` (GMS, PMS, GPMS = both), ``Country``, ``Practice_Type``,
``Gender``, ``Age``, ``Rurality``, ``Region``, ``Practice_Registered_Patients``, ``Weekly Working
Hours`` (each ``All`` when not broken down) and four income/earnings range columns (blank when not
a distribution row). ``Measure`` names the figure ("Average Tot Income Before Tax", "Average Emp
Gross Earnings", "Sample Count", ...) and ``Value`` holds it: GBP per GP a year for the averages,
medians and percentiles; GPs for counts; per cent for the ``%`` and ``EER`` measures.

Published quirks: 2021/22 is UTF-8 with a byte-order mark, 2022/23 is Windows-1252 (the pound sign
in the range headers is byte 0xA3); both are read. Blank, ``ND`` and ``*`` values become missing and
are counted. Figures are per GP (headcount), not per full-time equivalent.

Output columns: ``row``, ``gp_type``, ``contract_type``, ``country``, ``practice_type``,
``gender``, ``age``, ``rurality``, ``region``, ``practice_size``, ``weekly_hours``,
``range_gross_earnings_se``, ``range_expenses_se``, ``range_income_se``, ``range_total_income``,
``measure``, ``value``. Published under the Open Government Licence v3.0.
"""

from __future__ import annotations

import pandas as pd

from sim.nhsdata.columns import check_categories, to_float
from sim.nhsdata.csv_read import PathLike
from sim.nhsdata.errors import DataFormatError, attach_report
from sim.nhsdata.labels import read_labelled

MISSING_MARKERS: tuple[str, ...] = ("ND", "*", "NA", "N/A", "-")

GP_TYPES: tuple[str, ...] = ("Contractor", "Salaried", "Combined")

_COLUMNS: dict[str, tuple[str, ...]] = {
    "gp_type": ("GP_Type",),
    "contract_type": ("Contract_Type",),
    "country": ("Country",),
    "practice_type": ("Practice_Type",),
    "gender": ("Gender",),
    "age": ("Age",),
    "rurality": ("Rurality",),
    "region": ("Region",),
    "practice_size": ("Practice_Registered_Patients",),
    "weekly_hours": ("Weekly Working Hours", "Weekly_Working_Hours"),
    "range_gross_earnings_se": ("Range_of_Gross_Earnings_from_Self_Employment_£",
                                "Range_of_Gross_Earnings_from_Self_Employment"),
    "range_expenses_se": ("Range_of_Total_Expenses_from_Self_Employment_£",
                          "Range_of_Total_Expenses_from_Self_Employment"),
    "range_income_se": ("Range_of_Income_Before_Tax_from_Self_Employment_£",
                        "Range_of_Income_Before_Tax_from_Self_Employment"),
    "range_total_income": ("Range_of_Total_Income_Before_Tax_£",
                           "Range_of_Total_Income_Before_Tax"),
    "measure": ("Measure",),
    "value": ("Value",),
}
_REQUIRED = ("gp_type", "contract_type", "country", "measure", "value")
_BREAKDOWNS = ("practice_type", "gender", "age", "rurality", "region", "practice_size",
               "weekly_hours")
_RANGES = ("range_gross_earnings_se", "range_expenses_se", "range_income_se",
           "range_total_income")


def read_gp_earnings(path: PathLike, *, member: str | None = None) -> pd.DataFrame:
    """Read a GP Earnings and Expenses CSV as published (see the module docstring).

    Raises:
        DataFormatError: a required column is missing, a ``GP_Type`` is not Contractor, Salaried
            or Combined, a measure is blank, or a value is not a number (file, row, column).
    """
    table = read_labelled(path, member, _COLUMNS, _REQUIRED)
    source, names, raw, report = table.source, table.names, table.raw, table.report
    if raw.empty:
        raise DataFormatError(source.display, None, None, "at least one data row", "no data rows")
    check_categories(source, raw, names["gp_type"], GP_TYPES)
    blank_measure = raw[names["measure"]].str.strip().eq("")
    if blank_measure.any():
        row = int(blank_measure.idxmax())
        raise DataFormatError(source.display, row, names["measure"], "a measure name", "")
    out = pd.DataFrame(index=raw.index)
    out["row"] = raw.index.astype("int64")
    for name in _COLUMNS:
        if name == "value":
            continue
        if name in names:
            out[name] = raw[names[name]].astype(str).str.strip()
        else:
            out[name] = "All" if name in _BREAKDOWNS else ""
            report.notes.append(f"no column {_COLUMNS[name][0]!r}; read as not broken down")
    out["value"] = to_float(source, raw, names["value"], allow_missing=True,
                            markers=MISSING_MARKERS, report=report, minimum=None)
    report.rows_used = len(out)
    return attach_report(out.reset_index(drop=True), report)


def gp_measure(
    earnings: pd.DataFrame,
    gp_type: str,
    measure: str = "Average Tot Income Before Tax",
    *,
    contract_type: str = "GPMS",
    country: str = "England",
    **breakdown: str,
) -> float:
    """One published figure: ``measure`` for ``gp_type`` GPs, every other breakdown ``All``.

    Args:
        earnings: from :func:`read_gp_earnings`.
        gp_type: Contractor, Salaried or Combined.
        measure: as published, e.g. "Average Tot Income Before Tax" (GBP per GP a year),
            "Average Emp Gross Earnings" (salaried GPs' employment earnings), "Sample Count".
        contract_type: GMS, PMS or GPMS (both).
        country: England, Wales, Scotland, Northern Ireland (or UK where published).
        breakdown: a breakdown to select instead of ``All``, e.g. ``region="London"``.

    Raises:
        KeyError: no such figure (or more than one: the selection is ambiguous).
    """
    unknown = set(breakdown) - set(_BREAKDOWNS)
    if unknown:
        raise KeyError(f"unknown breakdown {sorted(unknown)}; choose from {_BREAKDOWNS}")
    mask = ((earnings["gp_type"] == gp_type) & (earnings["contract_type"] == contract_type)
            & (earnings["country"] == country) & (earnings["measure"] == measure))
    for name in _BREAKDOWNS:
        mask &= earnings[name] == breakdown.get(name, "All")
    for name in _RANGES:
        mask &= earnings[name] == ""
    hits = earnings.loc[mask, "value"]
    if len(hits) != 1:
        raise KeyError(f"{len(hits)} rows for {gp_type} {contract_type} {country} {measure!r} "
                       f"{breakdown or ''}; expected exactly one")
    return float(hits.iloc[0])
