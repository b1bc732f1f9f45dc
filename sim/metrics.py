"""Outcome metrics as pure functions of the ledger, the staff list and staff-days.

Access (by the patient's practice): requests, appointments, days from request to appointment in
NHS Digital's bins, mean and 90th percentile wait, unmet demand per 1,000 patients. Workload (by
the unit employing the staff member): clinical, admin and overtime hours, utilisation, appointments
per FTE. Continuity: the Usual Provider of Care index for patients with long-term conditions.
Every figure is rolled up from additive counts, so practice, PCN and LGPO totals always agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

WAIT_BINS: tuple[str, ...] = (
    "Same Day", "1 Day", "2 to 7 Days", "8  to 14 Days", "15  to 21 Days", "22  to 28 Days",
    "More than 28 Days",
)  # NHS Digital's TIME_BETWEEN_BOOK_AND_APPT labels, double spaces as published
_BIN_EDGES = np.array([0, 1, 2, 8, 15, 22, 29])
MAX_WAIT_HIST = 120  # days; longer waits are counted in the last histogram cell
LEVELS = ("practice", "pcn", "lgpo")


def wait_bin_index(wait_days: np.ndarray) -> np.ndarray:
    """Index into WAIT_BINS for each wait in days."""
    return np.searchsorted(_BIN_EDGES, np.asarray(wait_days), side="right") - 1


@dataclass(frozen=True)
class Organisation:
    """What the metrics need to know about the area: practice -> PCN -> LGPO and list sizes."""

    practices: tuple[str, ...]
    practice_pcn: tuple[str, ...]
    list_size: tuple[int, ...]
    pcns: tuple[str, ...]
    lgpo: str
    start_date: dt.date
    horizon_days: int

    @classmethod
    def from_model(cls, model) -> Organisation:
        """Read the organisation off a built model."""
        return cls(
            practices=tuple(p.code for p in model.practices),
            practice_pcn=tuple(model.pcns[p.pcn].code for p in model.practices),
            list_size=tuple(p.list_size for p in model.practices),
            pcns=tuple(p.code for p in model.pcns),
            lgpo=model.lgpo.code,
            start_date=model.scenario.start_date,
            horizon_days=model.scenario.horizon_days,
        )

    def list_sizes(self) -> dict[tuple[str, str], int]:
        """Registered list by (level, unit)."""
        out: dict[tuple[str, str], int] = {("lgpo", self.lgpo): sum(self.list_size)}
        for code, pcn, size in zip(self.practices, self.practice_pcn, self.list_size, strict=True):
            out[("practice", code)] = size
            out[("pcn", pcn)] = out.get(("pcn", pcn), 0) + size
        return out


def period_start(days: np.ndarray, start: dt.date, period: str) -> np.ndarray:
    """Start date of the day / ISO week / month containing each reporting day."""
    dates = np.datetime64(start, "D") + np.asarray(days, dtype="int64").astype("timedelta64[D]")
    if period == "day":
        return dates
    if period == "week":
        # numpy weeks start on Thursday 1970-01-01; shift to Monday
        return (dates - ((dates.astype("int64") + 3) % 7).astype("timedelta64[D]")).astype("datetime64[D]")
    if period == "month":
        return dates.astype("datetime64[M]").astype("datetime64[D]")
    if period == "all":
        return np.full(dates.shape, np.datetime64(start, "D"))
    raise ValueError(f"unknown period '{period}'; allowed: day, week, month, all")


def _expand_levels(df: pd.DataFrame, org: Organisation, unit_col: str = "practice") -> pd.DataFrame:
    """Repeat practice-keyed rows at PCN and LGPO level, adding 'level' and 'unit' columns."""
    pcn_of = dict(zip(org.practices, org.practice_pcn, strict=True))
    parts = []
    for level in LEVELS:
        part = df.copy()
        if level == "practice":
            part["unit"] = part[unit_col].astype(str)
        elif level == "pcn":
            part["unit"] = part[unit_col].astype(str).map(lambda c: pcn_of.get(c, c))
        else:
            part["unit"] = org.lgpo
        part["level"] = level
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def access_counts(ledger: pd.DataFrame, org: Organisation, period: str) -> pd.DataFrame:
    """Additive access counts per (period, level, unit): requests, lost, appointments, waits ..."""
    req = ledger[ledger["day"] >= 0]
    req_days = req["day"].to_numpy()
    r = pd.DataFrame({"date": period_start(req_days, org.start_date, period),
                      "practice": req["practice"].astype(str).to_numpy(),
                      "requests": 1, "lost": (req["state"] == "lost").to_numpy().astype(int),
                      "waiting_at_end": (req["state"] == "waiting").to_numpy().astype(int)})
    r = _expand_levels(r, org).groupby(["date", "level", "unit"], observed=True)[
        ["requests", "lost", "waiting_at_end"]].sum()

    ap = ledger[ledger["state"].isin(["seen", "dna"]).to_numpy()]
    ap = ap[ap["appt_day"].to_numpy(dtype=float, na_value=-1) >= 0]
    wait = ap["wait_days"].to_numpy(dtype=np.int64)
    a = pd.DataFrame({"date": period_start(ap["appt_day"].to_numpy(dtype=np.int64), org.start_date, period),
                      "practice": ap["practice"].astype(str).to_numpy(),
                      "appointments": 1,
                      "seen": (ap["state"] == "seen").to_numpy().astype(int),
                      "dna": (ap["state"] == "dna").to_numpy().astype(int),
                      "wait_days_sum": wait,
                      "usual_gp_seen": ap["usual_gp_seen"].to_numpy().astype(int)})
    bins = wait_bin_index(wait)
    for k, label in enumerate(WAIT_BINS):
        a[f"wait_bin:{label}"] = (bins == k).astype(int)
    for role in ap["role"].cat.categories:
        a[f"appointments_role:{role}"] = (ap["role"] == role).to_numpy().astype(int)
    for mode in ap["mode"].cat.categories:
        a[f"appointments_mode:{mode}"] = (ap["mode"] == mode).to_numpy().astype(int)
    hist = np.minimum(wait, MAX_WAIT_HIST)
    a["_hist"] = hist
    a = _expand_levels(a, org)
    keys = ["date", "level", "unit"]
    sums = a.drop(columns=["_hist", "practice"]).groupby(keys, observed=True).sum()
    p90 = a.groupby(keys, observed=True)["_hist"].quantile(0.9, interpolation="higher").rename("p90_wait_days")
    out = r.join(sums, how="outer").join(p90, how="left")
    # every period of the horizon for every unit, zeros where nothing happened (closed days)
    dates = np.unique(period_start(np.arange(org.horizon_days), org.start_date, period))
    units = [("practice", c) for c in org.practices] + [("pcn", c) for c in org.pcns] + [("lgpo", org.lgpo)]
    full = pd.MultiIndex.from_tuples([(d, lv, u) for d in dates for lv, u in units], names=keys)
    out = out.reindex(full)
    p90_col = out["p90_wait_days"]
    out = out.fillna(0.0)
    out["p90_wait_days"] = p90_col  # undefined (NaN) where there were no appointments
    return out.reset_index()


def workload_counts(staff_days: pd.DataFrame, staff: pd.DataFrame, org: Organisation,
                    period: str) -> pd.DataFrame:
    """Additive workload counts per (period, level, unit, role) from staff-days."""
    sd = staff_days.merge(staff[["staff", "role", "level", "unit_code"]], on="staff", how="left")
    sd["date"] = period_start(sd["day"].to_numpy(), org.start_date, period)
    sd["booked_slots"] = sd["seen"] + sd["dna"]
    cols = ["offered_slots", "booked_slots", "seen", "dna", "clinical_minutes", "overtime_minutes",
            "admin_minutes", "session_minutes"]
    pcn_of = dict(zip(org.practices, org.practice_pcn, strict=True))
    parts = []
    for level in LEVELS:
        part = sd
        if level == "practice":
            part = sd[sd["level"] == "practice"].assign(unit=lambda x: x["unit_code"])
        elif level == "pcn":
            part = sd[sd["level"].isin(["practice", "pcn"])].assign(
                unit=lambda x: x["unit_code"].map(lambda c: pcn_of.get(c, c)))
        else:
            part = sd.assign(unit=org.lgpo)
        parts.append(part.assign(level=level).groupby(["date", "level", "unit", "role"], observed=True)[cols].sum())
    return pd.concat(parts).reset_index()


def tidy_metrics(access: pd.DataFrame, workload: pd.DataFrame, org: Organisation) -> pd.DataFrame:
    """Long table (date, level, unit, metric, value) with counts and derived rates."""
    sizes = org.list_sizes()
    acc = access.copy()
    lists = np.array([sizes.get((lv, u), 0) for lv, u in zip(acc["level"], acc["unit"], strict=True)], dtype=float)
    per_k = np.where(lists > 0, 1000.0 / np.maximum(lists, 1), np.nan)
    acc["unmet_per_1000"] = acc["lost"] * per_k
    acc["appointments_per_1000"] = acc["appointments"] * per_k
    with np.errstate(invalid="ignore", divide="ignore"):
        acc["mean_wait_days"] = acc["wait_days_sum"] / acc["appointments"].where(acc["appointments"] > 0)
        acc["dna_pct"] = 100.0 * acc["dna"] / acc["appointments"].where(acc["appointments"] > 0)
        acc["lost_pct"] = 100.0 * acc["lost"] / acc["requests"].where(acc["requests"] > 0)
    acc = acc.drop(columns=["wait_days_sum", "usual_gp_seen"])
    long_a = acc.melt(id_vars=["date", "level", "unit"], var_name="metric", value_name="value")

    wl = workload.copy()
    agg = wl.groupby(["date", "level", "unit"], observed=True)[
        ["offered_slots", "booked_slots", "clinical_minutes", "overtime_minutes", "admin_minutes"]].sum()
    derived = pd.DataFrame({
        "clinical_hours": agg["clinical_minutes"] / 60.0,
        "admin_hours": agg["admin_minutes"] / 60.0,
        "overtime_hours": agg["overtime_minutes"] / 60.0,
        "offered_slots": agg["offered_slots"],
        "utilisation_pct": 100.0 * agg["booked_slots"] / agg["offered_slots"].where(agg["offered_slots"] > 0),
    })
    by_role = wl.assign(
        clinical_hours=wl["clinical_minutes"] / 60.0,
        admin_hours=wl["admin_minutes"] / 60.0,
        overtime_hours=wl["overtime_minutes"] / 60.0,
        utilisation_pct=100.0 * wl["booked_slots"] / wl["offered_slots"].where(wl["offered_slots"] > 0),
    )
    role_long = by_role.melt(id_vars=["date", "level", "unit", "role"],
                             value_vars=["clinical_hours", "admin_hours", "overtime_hours", "utilisation_pct"],
                             var_name="metric", value_name="value")
    role_long["metric"] = role_long["metric"] + ":" + role_long["role"].astype(str)
    role_long = role_long.drop(columns=["role"])
    long_w = derived.reset_index().melt(id_vars=["date", "level", "unit"], var_name="metric", value_name="value")
    out = pd.concat([long_a, long_w, role_long], ignore_index=True)
    out = out.dropna(subset=["value"])
    out["date"] = pd.to_datetime(out["date"]).dt.date
    out["value"] = out["value"].astype(float)
    return out.sort_values(["date", "level", "unit", "metric"], kind="stable").reset_index(drop=True)


def usual_provider_of_care(ledger: pd.DataFrame, min_contacts: int = 2) -> pd.DataFrame:
    """UPC index per patient with a long-term condition and >= ``min_contacts`` GP appointments.

    UPC = (appointments with the most-seen GP) / (all GP appointments), 1 = perfect continuity.
    """
    gp = ledger[(ledger["state"] == "seen") & (ledger["ltc"] > 0) & (ledger["day"] >= 0)]
    gp = gp[gp["role_kind"] == "gp"] if "role_kind" in gp else gp
    counts = gp.groupby(["practice", "patient", "staff"], observed=True).size()
    per_patient = counts.groupby(level=["practice", "patient"], observed=True).agg(["max", "sum"])
    per_patient = per_patient[per_patient["sum"] >= min_contacts]
    per_patient["upc"] = per_patient["max"] / per_patient["sum"]
    return per_patient.reset_index()


def continuity_by_unit(ledger: pd.DataFrame, org: Organisation) -> pd.DataFrame:
    """Mean UPC for LTC patients by (level, unit)."""
    upc = usual_provider_of_care(ledger)
    if upc.empty:
        return pd.DataFrame(columns=["level", "unit", "upc"])
    df = _expand_levels(upc[["practice", "upc"]].assign(practice=upc["practice"].astype(str)), org)
    return df.groupby(["level", "unit"], observed=True)["upc"].mean().reset_index()


def fte_weeks(staff: pd.DataFrame, org: Organisation) -> pd.DataFrame:
    """FTE-weeks in post over the horizon by (level, unit, role)."""
    st = staff.copy()
    start = st["joined_day"].clip(lower=0) if "joined_day" in st else 0
    end = st["left_day"].where(st["left_day"] >= 0, org.horizon_days).clip(upper=org.horizon_days)
    st["fte_weeks"] = st["fte"] * (end - start).clip(lower=0) / 7.0
    pcn_of = dict(zip(org.practices, org.practice_pcn, strict=True))
    parts = []
    for level in LEVELS:
        if level == "practice":
            part = st[st["level"] == "practice"].assign(unit=lambda x: x["unit_code"])
        elif level == "pcn":
            part = st[st["level"].isin(["practice", "pcn"])].assign(
                unit=lambda x: x["unit_code"].map(lambda c: pcn_of.get(c, c)))
        else:
            part = st.assign(unit=org.lgpo)
        parts.append(part.assign(level=level).groupby(["level", "unit", "role"])["fte_weeks"].sum())
    return pd.concat(parts).reset_index()
