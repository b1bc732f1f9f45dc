"""Index of Multiple Deprivation score of each GP practice's population (OHID Fingertips 93553).

Source: OHID Fingertips, indicator 93553 "Deprivation score (IMD 2019)" and its 2010 and 2015
predecessors, area type GP practice (https://fingertips.phe.org.uk/, API
``/api/all_data/csv/by_indicator_id?indicator_ids=93553``). The score is the population-weighted
IMD score of the LSOAs where the practice's patients live; higher means more deprived. Shipped:
the 2010, 2015 and 2019 releases for every practice, gzipped and otherwise unmodified, in
``calibration/data``. Read with :func:`read_imd`; :func:`imd_quintiles` ranks practices into
national quintiles.

Columns as published: ``IndicatorID``, ``Year``, ``AreaCode`` (practice code), ``AreaName``,
``IsAreaCurrent`` (1 for a practice open at the time of the extract), ``Value``. Fingertips' full
export has more columns (``Indicator Name``, ``Area Type``, ``Time period``, ...): those spellings
are accepted too. Blank and ``ND`` values become missing and are counted.

Output columns: ``row``, ``practice_code``, ``practice_name``, ``year`` (the IMD release),
``is_current`` (bool), ``imd_score``. Published under the Open Government Licence v3.0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.nhsdata.columns import check_unique, to_float, to_int
from sim.nhsdata.csv_read import PathLike
from sim.nhsdata.errors import DataFormatError, attach_report
from sim.nhsdata.labels import read_labelled

INDICATOR_ID = 93553
MISSING_MARKERS: tuple[str, ...] = ("ND", "NA", "N/A", "*", "-")

_COLUMNS: dict[str, tuple[str, ...]] = {
    "indicator_id": ("IndicatorID", "Indicator ID"),
    "year": ("Year", "Time period"),
    "practice_code": ("AreaCode", "Area Code"),
    "practice_name": ("AreaName", "Area Name"),
    "is_current": ("IsAreaCurrent",),
    "imd_score": ("Value",),
}
_REQUIRED = ("year", "practice_code", "imd_score")


def read_imd(path: PathLike, *, year: int | None = None, member: str | None = None) -> pd.DataFrame:
    """Read the Fingertips IMD-by-practice file as published.

    Args:
        path: the CSV (plain, gzipped or zipped).
        year: keep only this IMD release (2010, 2015 or 2019); others are counted as excluded.
        member: for a zip holding several CSVs, the one to read.

    Raises:
        DataFormatError: a required column is missing, a row is for another indicator, a year is
            not a year, a practice repeats within a year, or a score is not a number.
    """
    table = read_labelled(path, member, _COLUMNS, _REQUIRED)
    source, names, raw, report = table.source, table.names, table.raw, table.report
    if "indicator_id" in names:
        ids = raw[names["indicator_id"]].str.strip()
        bad = ids.ne(str(INDICATOR_ID))
        if bad.any():
            row = int(bad.idxmax())
            raise DataFormatError(source.display, row, names["indicator_id"],
                                  f"indicator {INDICATOR_ID} (IMD score by GP practice)", ids[row])
    out = pd.DataFrame(index=raw.index)
    out["row"] = raw.index.astype("int64")
    out["practice_code"] = raw[names["practice_code"]].str.strip()
    blank = out["practice_code"].eq("")
    if blank.any():
        raise DataFormatError(source.display, int(blank.idxmax()), names["practice_code"],
                              "a practice code", "")
    out["practice_name"] = raw[names["practice_name"]].str.strip() if "practice_name" in names else ""
    years = raw[names["year"]].str.strip().str.slice(0, 4)
    out["year"] = to_int(source, pd.DataFrame({"y": years}, index=raw.index), "y",
                         label=names["year"])
    if "is_current" in names:
        out["is_current"] = raw[names["is_current"]].str.strip().eq("1")
    else:
        out["is_current"] = True
    out["imd_score"] = to_float(source, raw, names["imd_score"], allow_missing=True,
                                markers=MISSING_MARKERS, report=report)
    check_unique(source, out.rename(columns={"practice_code": names["practice_code"]}),
                 ["year", names["practice_code"]], "each practice once per year")
    if year is not None:
        keep = out["year"].eq(int(year))
        report.exclude(f"another IMD release than {year}", int((~keep).sum()))
        out = out.loc[keep]
    report.rows_used = len(out)
    return attach_report(out.reset_index(drop=True), report)


def imd_quintiles(imd: pd.DataFrame, year: int = 2019) -> pd.DataFrame:
    """National IMD quintile of each practice for one release: 1 = most deprived, 5 = least.

    The practices of ``year`` with a score are ranked nationally (every practice in the file, as
    Fingertips ranks them); ties share the lower rank. This follows the IMD convention that decile
    and quintile 1 are the most deprived.

    Returns:
        ``practice_code``, ``imd_score``, ``imd_quintile`` (1-5), one row per practice.
    """
    frame = imd.loc[imd["year"].eq(int(year)) & imd["imd_score"].notna(),
                    ["practice_code", "imd_score"]].copy()
    if frame.empty:
        raise KeyError(f"no IMD scores for the {year} release")
    # rank from most deprived (highest score) down; quintile by share of practices
    order = frame["imd_score"].rank(method="min", ascending=False).to_numpy()
    share = (order - 1) / len(frame)
    frame["imd_quintile"] = (np.floor(share * 5).astype(int) + 1).clip(1, 5)
    return frame.reset_index(drop=True)
