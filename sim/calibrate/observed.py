"""Observed calibration targets from Appointments in General Practice (GPAD) regional CSVs.

An area is an STP (ICB), given by its code (``QMF``), its ONS code (``E54000029``) or the code of
one of its CCGs (``A3A8R``). The appointment counts of its CCGs are summed per month and turned into
the targets of :data:`TARGET_NAMES`:

* ``attended_per_1000``: attended appointments (``APPT_STATUS`` "Attended") per 1,000 registered
  patients. The denominator is the registered list of the STP's practices (practices from the
  practice map, lists from a Patients Registered at a GP Practice file): for the CCG-era files
  shipped in ``calibration/data`` this is the January 2021 list summed over the STP's practices in
  the January 2022 map, the nearest list published with these files (not the 2019 list).
* ``gp_share``: share of appointments (every status) with a known HCP type that were with a GP
  (``GP`` against ``Other Practice staff``; ``Unknown`` left out and its size reported).
* ``mode:<APPT_MODE>``: shares of appointments with a known mode.
* ``wait_bin:<TIME_BETWEEN_BOOK_AND_APPT>``: shares of appointments with a known booking interval
  (``Unknown / Data Issue`` left out and reported), labels exactly as published.
* ``dna_share``: DNA / (Attended + DNA).

:func:`seasonal_profile` estimates the model's 12-value ``demand.monthly_seasonality`` from other
areas' data: attended appointments per weighted working day (weekday weights times English
working days, bank holidays removed, from :mod:`sim.model.calendar`) by calendar month, normalised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.model.calendar import english_bank_holidays
from sim.nhsdata.appointments import read_regional_csv
from sim.nhsdata.csv_read import PathLike
from sim.nhsdata.patients import read_practice_map, read_practice_totals
from sim.results.metrics import WAIT_BINS

#: Model appointment modes -> APPT_MODE labels.
MODE_LABELS: dict[str, str] = {
    "face_to_face": "Face-to-Face",
    "telephone": "Telephone",
    "video_online": "Video/Online",
    "home_visit": "Home Visit",
}

#: The later spelling of "Video/Online" (counted with it).
_VIDEO_ALIASES = ("Video Conference/Online",)

#: Every target name, in display order.
TARGET_NAMES: tuple[str, ...] = (
    "attended_per_1000",
    "gp_share",
    *(f"mode:{m}" for m in MODE_LABELS.values()),
    *(f"wait_bin:{b}" for b in WAIT_BINS),
    "dna_share",
)

#: STP codes listed in the error for an unknown code (the rest elided).
_CODES_LISTED = 50


def month_range(text: str) -> list[pd.Timestamp]:
    """``"2019-04:2019-09"`` (or ``"2019-04"``) -> first days of each month, inclusive.

    Raises:
        ValueError: not ``YYYY-MM[:YYYY-MM]`` or the end before the start.
    """
    parts = [p.strip() for p in str(text).split(":")]
    if len(parts) not in (1, 2):
        raise ValueError(f"months must look like 2019-04:2019-09, got {text!r}")
    try:
        first = pd.Timestamp(dt.datetime.strptime(parts[0], "%Y-%m"))
        last = pd.Timestamp(dt.datetime.strptime(parts[-1], "%Y-%m"))
    except ValueError:
        raise ValueError(f"months must look like 2019-04:2019-09, got {text!r}") from None
    if last < first:
        raise ValueError(f"{text!r}: the last month is before the first")
    return list(pd.date_range(first, last, freq="MS"))


def month_labels(months: Sequence[pd.Timestamp]) -> list[str]:
    """Months as ``YYYY-MM`` text (the form of the tables and the manifest)."""
    return [m.strftime("%Y-%m") for m in months]


@dataclass
class Area:
    """An STP resolved against the practice map and a registered-patients file.

    Attributes:
        code: the code the user gave.
        name: the STP's name (from the map).
        icb_code, icb_ons_code: the STP's ODS and ONS codes.
        sub_icb_codes: its CCGs (ODS codes) in the map.
        practices: practice_code, practice_name, pcn_code, list_size for each practice with a list.
        missing_lists: practices in the map with no registered list in the patients file.
        list_note: where the denominator came from, for the outputs.
    """

    code: str
    name: str
    icb_code: str
    icb_ons_code: str
    sub_icb_codes: list[str]
    practices: pd.DataFrame
    missing_lists: list[str] = field(default_factory=list)
    list_note: str = ""

    @property
    def list_size(self) -> int:
        """Registered patients in the area (the per-1,000 denominator)."""
        return int(self.practices["list_size"].sum())


def resolve_area(code: str, practice_map: pd.DataFrame, totals: pd.DataFrame,
                 *, map_name: str = "the practice map",
                 patients_name: str = "the patients file") -> Area:
    """The STP with ``code`` (STP/ICB ODS or ONS code, or one of its CCG codes).

    Args:
        code: e.g. ``QMF``, ``E54000029`` or ``A3A8R``.
        practice_map: from :func:`sim.nhsdata.patients.read_practice_map`.
        totals: from :func:`sim.nhsdata.patients.read_practice_totals`.
        map_name: how to name the map file in notes and errors.
        patients_name: how to name the patients file.

    Raises:
        ValueError: the code names no STP or CCG in the map.
    """
    want = code.strip().upper()
    cols = ("icb_code", "icb_ons_code", "sub_icb_code", "sub_icb_ons_code")
    hit = np.zeros(len(practice_map), dtype=bool)
    for col in cols:
        hit |= practice_map[col].astype(str).str.upper().to_numpy() == want
    if not hit.any():
        known = sorted(practice_map["icb_code"].astype(str).unique())
        raise ValueError(f"{code!r} is not an STP/ICB or CCG/sub-ICB code in {map_name} "
                         f"(STP codes there: {', '.join(known[:_CODES_LISTED])}"
                         f"{'...' if len(known) > _CODES_LISTED else ''})")
    icbs = practice_map.loc[hit, "icb_code"].unique()
    if len(icbs) != 1:
        raise ValueError(f"{code!r} matches several STPs in {map_name}: {', '.join(icbs)}")
    rows = practice_map.loc[practice_map["icb_code"] == icbs[0]]
    sizes = dict(zip(totals["practice_code"], totals["patients"], strict=True))
    missing = sorted(c for c in rows["practice_code"] if c not in sizes)
    rows = rows.loc[rows["practice_code"].isin(sizes)].copy()
    rows["list_size"] = rows["practice_code"].map(sizes).astype("int64")
    extract = ""
    if "extract_date" in totals.columns and totals["extract_date"].notna().any():
        extract = pd.Timestamp(totals["extract_date"].max()).date().isoformat()
    map_extract = ""
    if "extract_date" in practice_map.columns and practice_map["extract_date"].notna().any():
        map_extract = pd.Timestamp(practice_map["extract_date"].max()).date().isoformat()
    note = (f"registered list {int(rows['list_size'].sum()):,} patients: {patients_name} "
            f"(extract {extract or 'date not given'}) summed over the {len(rows)} practices of "
            f"{icbs[0]} in {map_name} (extract {map_extract or 'date not given'})")
    if missing:
        note += f"; {len(missing)} practice(s) of the map have no list there and are left out"
    return Area(
        code=code, name=str(rows["icb_name"].iloc[0]) if len(rows) else str(icbs[0]),
        icb_code=str(icbs[0]), icb_ons_code=str(rows["icb_ons_code"].iloc[0]) if len(rows) else "",
        sub_icb_codes=sorted(rows["sub_icb_code"].astype(str).unique()),
        practices=rows[["practice_code", "practice_name", "pcn_code", "list_size"]]
        .reset_index(drop=True),
        missing_lists=missing, list_note=note,
    )


def load_area(code: str, map_file: PathLike, patients_file: PathLike) -> Area:
    """Read the map and the patients file and resolve the STP ``code`` (see :func:`resolve_area`)."""
    practice_map = read_practice_map(map_file)
    totals = read_practice_totals(patients_file)
    return resolve_area(code, practice_map, totals, map_name=Path(map_file).name,
                        patients_name=Path(patients_file).name)


def read_appointments(paths: Sequence) -> pd.DataFrame:
    """Read GPAD regional CSVs (any era) with :func:`sim.nhsdata.appointments.read_regional_csv`."""
    return read_regional_csv(list(paths))


def area_rows(appointments: pd.DataFrame, area: Area) -> pd.DataFrame:
    """The appointment rows of ``area``: its CCGs, or rows carrying its STP's ONS code."""
    keep = appointments["sub_icb_code"].astype(str).str.upper().isin(
        [c.upper() for c in area.sub_icb_codes])
    if area.icb_ons_code and "icb_ons_code" in appointments.columns:
        keep |= appointments["icb_ons_code"].astype(str).str.upper() == area.icb_ons_code.upper()
    return appointments.loc[keep]


@dataclass
class Observed:
    """Observed targets of one area: long table and what was left out.

    Attributes:
        targets: ``month`` (Timestamp), ``target`` (one of :data:`TARGET_NAMES`), ``value``,
            ``n`` (appointments in the share's denominator, or attended appointments for the rate).
        counts: per month the raw counts (attended, dna, status_unknown, hcp_unknown,
            mode_unknown, interval_unknown, total).
        list_size: the per-1,000 denominator.
    """

    targets: pd.DataFrame
    counts: pd.DataFrame
    list_size: int

    def value(self, month: pd.Timestamp, target: str) -> float:
        """One observed value."""
        t = self.targets
        row = t.loc[(t["month"] == pd.Timestamp(month)) & (t["target"] == target), "value"]
        if row.empty:
            raise KeyError((month, target))
        return float(row.iloc[0])

    def wide(self) -> pd.DataFrame:
        """Month x target table."""
        return self.targets.pivot(index="month", columns="target", values="value").reindex(
            columns=[t for t in TARGET_NAMES if t in set(self.targets["target"])])

    def unknown_shares(self) -> pd.DataFrame:
        """Share of all appointments left out of each share target as Unknown, per month."""
        c = self.counts
        return pd.DataFrame({
            "status_unknown": c["status_unknown"] / c["total"],
            "hcp_unknown": c["hcp_unknown"] / c["total"],
            "mode_unknown": c["mode_unknown"] / c["total"],
            "interval_unknown": c["interval_unknown"] / c["total"],
        })


def observed_targets(rows: pd.DataFrame, list_size: int,
                     months: Iterable[pd.Timestamp] | None = None) -> Observed:
    """Targets per month from the appointment rows of one area (already filtered).

    Args:
        rows: from :func:`read_regional_csv` (or :func:`area_rows`), one area's CCGs.
        list_size: registered patients (the per-1,000 denominator).
        months: keep these months (first days); default every month present.

    Raises:
        ValueError: a requested month has no rows.
    """
    if list_size <= 0:
        raise ValueError("the registered list (per-1,000 denominator) must be positive")
    frame = rows
    if months is not None:
        wanted = [pd.Timestamp(m) for m in months]
        present = set(pd.to_datetime(frame["month"]).unique())
        absent = [m.strftime("%Y-%m") for m in wanted if m not in present]
        if absent:
            raise ValueError(f"no appointments for month(s) {', '.join(absent)} in this area")
        frame = frame.loc[frame["month"].isin(wanted)]
    frame = frame.assign(appt_mode=frame["appt_mode"].replace(
        dict.fromkeys(_VIDEO_ALIASES, "Video/Online")))
    out: list[dict] = []
    counts: list[dict] = []
    for month, m in frame.groupby("month", sort=True):
        month = pd.Timestamp(month)
        status = m.groupby("appt_status")["count"].sum()
        attended, dna = int(status.get("Attended", 0)), int(status.get("DNA", 0))
        total = int(m["count"].sum())
        hcp = m.groupby("hcp_type")["count"].sum()
        gp, other = int(hcp.get("GP", 0)), int(hcp.get("Other Practice staff", 0))
        mode = m.groupby("appt_mode")["count"].sum()
        known_modes = {label: int(mode.get(label, 0)) for label in MODE_LABELS.values()}
        interval = m.groupby("time_between_book_and_appt")["count"].sum()
        known_bins = {b: int(interval.get(b, 0)) for b in WAIT_BINS}

        def add(target: str, value: float, n: int, month: pd.Timestamp = month) -> None:
            out.append({"month": month, "target": target, "value": value, "n": n})

        add("attended_per_1000", attended / list_size * 1000.0, attended)
        add("gp_share", gp / (gp + other) if gp + other else np.nan, gp + other)
        n_modes = sum(known_modes.values())
        for label, k in known_modes.items():
            add(f"mode:{label}", k / n_modes if n_modes else np.nan, n_modes)
        n_bins = sum(known_bins.values())
        for b, k in known_bins.items():
            add(f"wait_bin:{b}", k / n_bins if n_bins else np.nan, n_bins)
        add("dna_share", dna / (attended + dna) if attended + dna else np.nan, attended + dna)
        counts.append({
            "month": month, "attended": attended, "dna": dna, "total": total,
            "status_unknown": total - attended - dna, "hcp_unknown": total - gp - other,
            "mode_unknown": total - n_modes, "interval_unknown": total - n_bins,
        })
    if not out:
        raise ValueError("no appointment rows for this area and these months")
    targets = pd.DataFrame(out)
    return Observed(targets=targets, counts=pd.DataFrame(counts).set_index("month"),
                    list_size=int(list_size))


# ---------------------------------------------------------------------------------------------
# Calendar and seasonality
# ---------------------------------------------------------------------------------------------


def weighted_days(month: pd.Timestamp, day_of_week: Sequence[float]) -> float:
    """Sum of weekday weights over the month's days, English bank holidays counting zero."""
    month = pd.Timestamp(month)
    days = pd.date_range(month, month + pd.offsets.MonthEnd(0), freq="D")
    hol = english_bank_holidays(month.year, month.year)
    dow = np.asarray(day_of_week, dtype=float)
    return float(sum(0.0 if d.date() in hol else dow[d.weekday()] for d in days))


def working_days(month: pd.Timestamp) -> int:
    """Weekdays in the month that are not English bank holidays."""
    return round(weighted_days(month, [1, 1, 1, 1, 1, 0, 0]))


def seasonal_profile(appointments: pd.DataFrame, exclude_sub_icbs: Iterable[str],
                     months: Sequence[pd.Timestamp], day_of_week: Sequence[float]
                     ) -> tuple[list[float], pd.DataFrame]:
    """``demand.monthly_seasonality`` estimated from other areas' attended appointments.

    For each area (CCG) not excluded and each month in ``months`` (which should cover each
    calendar month once, e.g. March 2019 - February 2020), attended appointments are divided by
    the month's weighted working days (:func:`weighted_days`), normalised to the area's mean, then
    averaged over areas by calendar month and normalised to mean 1.

    Returns:
        (12 values January..December, the table behind them: area x month).

    Raises:
        ValueError: a calendar month is missing, or no area is left.
    """
    exclude = {c.upper() for c in exclude_sub_icbs}
    months = [pd.Timestamp(m) for m in months]
    cal = {m.month for m in months}
    if cal != set(range(1, 13)):
        missing = sorted(set(range(1, 13)) - cal)
        raise ValueError(f"the seasonality window must cover every calendar month; missing "
                         f"{', '.join(dt.date(2000, k, 1).strftime('%b') for k in missing)}")
    rows = appointments.loc[~appointments["sub_icb_code"].astype(str).str.upper().isin(exclude)
                            & appointments["month"].isin(months)
                            & (appointments["appt_status"] == "Attended")]
    if rows.empty:
        raise ValueError("no other area's appointments to estimate the seasonal profile from "
                         "(give the appointment files of at least one other area)")
    table = rows.groupby(["sub_icb_code", "month"])["count"].sum().unstack("month")
    absent = [m.strftime("%Y-%m") for m in months if m not in table.columns]
    if absent:
        raise ValueError("no other area's appointments for the seasonal window month(s) "
                         + ", ".join(absent))
    table = table.dropna()  # areas without every month of the window
    if table.empty:
        raise ValueError("no other area has appointments for every month of the seasonal window")
    weights = pd.Series({m: weighted_days(m, day_of_week) for m in table.columns})
    per_day = table.div(weights, axis=1)
    per_day = per_day.div(per_day.mean(axis=1), axis=0)
    by_cal = per_day.T.groupby(lambda m: m.month).mean().mean(axis=1)
    values = by_cal.reindex(range(1, 13)).to_numpy(dtype=float)
    values = values / values.mean()
    return [round(float(v), 4) for v in values], per_day


def _other_areas(appointments: pd.DataFrame, exclude_sub_icbs: Iterable[str],
                 months: Sequence[pd.Timestamp]) -> pd.DataFrame:
    """Rows of the areas not excluded, in ``months``; error when none is left."""
    exclude = {c.upper() for c in exclude_sub_icbs}
    rows = appointments.loc[~appointments["sub_icb_code"].astype(str).str.upper().isin(exclude)
                            & appointments["month"].isin([pd.Timestamp(m) for m in months])]
    if rows.empty:
        raise ValueError("no other area's appointments in the window (give the appointment files "
                         "of at least one other area)")
    return rows


def staff_mix_profile(appointments: pd.DataFrame, exclude_sub_icbs: Iterable[str],
                      months: Sequence[pd.Timestamp], day_of_week: Sequence[float]
                      ) -> tuple[list[float], pd.DataFrame]:
    """Monthly factor on non-GP-first need shares, from other areas' GP and other-staff profiles.

    The GP and the ``Other Practice staff`` appointments (every status, as the GP-share target)
    each get a seasonal profile exactly as :func:`seasonal_profile` makes the total's: per area,
    appointments per weighted working day normalised to the area's mean, averaged over areas by
    calendar month and normalised to mean 1. The factor is other / GP: the odds of an other-staff
    appointment in each month relative to the year (below 1 where GPs take a larger share, above
    1 in the autumn vaccination months). It is meant for
    ``demand.need_types.<need>.monthly_share_factor`` of the needs not first routed to a GP.

    Returns:
        (12 factors January..December, table: calendar month x gp, other, factor).
    """
    months = [pd.Timestamp(m) for m in months]
    if {m.month for m in months} != set(range(1, 13)):
        raise ValueError("the staff-mix window must cover every calendar month")
    rows = _other_areas(appointments, exclude_sub_icbs, months)
    weights = pd.Series({m: weighted_days(m, day_of_week) for m in months})
    profiles = {}
    for label, hcp in (("gp", "GP"), ("other", "Other Practice staff")):
        sel = rows.loc[rows["hcp_type"] == hcp]
        table = sel.groupby(["sub_icb_code", "month"])["count"].sum().unstack("month")
        table = table.reindex(columns=months).dropna()
        if table.empty:
            raise ValueError(f"no other area has {hcp} appointments for every month of the window")
        per_day = table.div(weights, axis=1)
        per_day = per_day.div(per_day.mean(axis=1), axis=0)
        by_cal = per_day.T.groupby(lambda m: m.month).mean().mean(axis=1).reindex(range(1, 13))
        profiles[label] = by_cal / by_cal.mean()
    out = pd.DataFrame(profiles)
    out["factor"] = out["other"] / out["gp"]
    out["factor"] = out["factor"] / out["factor"].mean()
    out.index.name = "calendar_month"
    return [round(float(v), 4) for v in out["factor"]], out


def december_same_day_lift(appointments: pd.DataFrame, exclude_sub_icbs: Iterable[str],
                           months: Sequence[pd.Timestamp]) -> tuple[float, pd.DataFrame]:
    """Other areas' December same-day share minus the mean of November's and January's (points).

    Shares are among appointments with a known booking interval. ``months`` must hold a
    November, the December after it and the January after that; each area's lift is computed
    and the lift returned is their mean, in percentage points.

    Returns:
        (mean lift in points, table: area x november, december, january, lift).
    """
    months = sorted(pd.Timestamp(m) for m in months)
    decs = [m for m in months if m.month == 12
            and m - pd.DateOffset(months=1) in months and m + pd.DateOffset(months=1) in months]
    if not decs:
        raise ValueError("the window needs a November, December and January in a row")
    dec = decs[-1]
    nov, jan = dec - pd.DateOffset(months=1), dec + pd.DateOffset(months=1)
    rows = _other_areas(appointments, exclude_sub_icbs, [nov, dec, jan])
    known = rows.loc[rows["time_between_book_and_appt"].isin(WAIT_BINS)]
    total = known.groupby(["sub_icb_code", "month"])["count"].sum()
    same = known.loc[known["time_between_book_and_appt"] == "Same Day"].groupby(
        ["sub_icb_code", "month"])["count"].sum()
    share = (same / total * 100.0).unstack("month").reindex(columns=[nov, dec, jan]).dropna()
    if share.empty:
        raise ValueError("no other area has booking intervals for November, December and January")
    share.columns = ["november", "december", "january"]
    share["lift"] = share["december"] - (share["november"] + share["january"]) / 2
    return round(float(share["lift"].mean()), 3), share
