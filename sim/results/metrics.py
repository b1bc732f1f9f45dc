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

from sim.results.cells import code_counts, row_sums
from sim.results.ledger_codes import LedgerCodes, ledger_codes
from sim.results.outcomes import LEVEL_ORDER

WAIT_BINS: tuple[str, ...] = (
    "Same Day", "1 Day", "2 to 7 Days", "8  to 14 Days", "15  to 21 Days", "22  to 28 Days",
    "More than 28 Days",
)  # NHS Digital's TIME_BETWEEN_BOOK_AND_APPT labels, double spaces as published
_BIN_EDGES = np.array([0, 1, 2, 8, 15, 22, 29])
MAX_WAIT_HIST = 120  # days; longer waits are counted in the last histogram cell
# int8 wait codes like the other counted codes: one compiled signature of code_counts to load per run, not two
_HIST_CODE = np.int8 if np.iinfo(np.int8).max >= MAX_WAIT_HIST else np.int64
LEVELS = tuple(reversed(LEVEL_ORDER))  # bottom up: practices roll up into PCNs, PCNs into the area


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


def _is_value(col: pd.Series, value: str) -> np.ndarray:
    """Boolean array ``col == value``, on the codes where ``col`` is categorical (no string copies)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = col.cat.categories
        if value not in cats:
            return np.zeros(len(col), dtype=bool)
        return col.cat.codes.to_numpy() == cats.get_loc(value)
    return (col == value).to_numpy(dtype=bool)


def _codes(col: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes and their labels (as strings) for a practice-like column."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy().astype(np.int64), [str(c) for c in col.cat.categories]
    codes, uniques = pd.factorize(col.astype(str))
    return codes.astype(np.int64), [str(u) for u in uniques]


def _period_codes(days: np.ndarray, org: Organisation, period: str) -> tuple[np.ndarray, np.ndarray]:
    """Index of each day's period and the start dates of the periods spanned (datetime64[D], ascending)."""
    if days.size == 0:
        days = days.astype(np.int64)
        return days, period_start(days, org.start_date, period)
    lo = int(days.min())
    span = np.arange(lo, int(days.max()) + 1)
    starts, lookup = np.unique(period_start(span, org.start_date, period), return_inverse=True)
    if starts.size == 1:  # one period (the summary's 'all'): every day is in it, no lookup per row
        return np.zeros(days.size, dtype=np.int64), starts
    offset = days - lo  # integer days index as they are; float days (missing as -1) are whole numbers
    return lookup.reshape(-1)[offset.astype(np.int64) if offset.dtype.kind == "f" else offset], starts


class _Levels:
    """Sums over (period, practice) cells rolled up to practice, PCN and LGPO rows.

    Counts are added with ``np.bincount`` over integer cell codes instead of grouping string columns
    three times over (once per level), which is what made summaries slow for large ledgers.
    """

    def __init__(self, labels: list[str], org: Organisation):
        pcn_of = dict(zip(org.practices, org.practice_pcn, strict=True))
        self.labels = labels
        pcn_names = [pcn_of.get(c, c) for c in labels]
        self.pcns = sorted(set(pcn_names))
        pos = {c: k for k, c in enumerate(self.pcns)}
        self.onehot = np.zeros((len(labels), len(self.pcns)), dtype=np.int64)
        for k, c in enumerate(pcn_names):
            self.onehot[k, pos[c]] = 1
        self.lgpo = org.lgpo

    def roll_up(self, cells: np.ndarray) -> list[tuple[str, list[str], np.ndarray]]:
        """(level, unit labels, periods x units x columns) for practice, PCN and LGPO."""
        pcn = np.einsum("dpc,pq->dqc", cells, self.onehot)
        return [("practice", self.labels, cells), ("pcn", self.pcns, pcn),
                ("lgpo", [self.lgpo], cells.sum(axis=1, keepdims=True))]


def _count(cell: np.ndarray, n_cells: int, mask: np.ndarray | None = None,
           weights: np.ndarray | None = None) -> np.ndarray:
    """Per-cell count of rows (where ``mask``), or sum of integer ``weights``, as an int64 column."""
    if mask is not None:
        mask = np.ascontiguousarray(mask, dtype=bool)
    if weights is None:  # one code: 0 for a row counted, -1 for one left out
        flag = np.zeros(cell.size, dtype=np.int8) if mask is None else mask.view(np.int8) - 1
        return code_counts(cell, flag, 1, n_cells)
    if mask is not None:
        cell = cell[mask]
    return row_sums(cell, weights, n_cells).round().astype(np.int64)[:, None]


def _count_codes(cell: np.ndarray, n_cells: int, codes: np.ndarray, k: int) -> np.ndarray:
    """Per-cell counts of each of ``k`` codes (rows with a negative code count nowhere): cells x k."""
    return code_counts(cell, codes, k, n_cells)


def _place(grid: np.ndarray, positions: dict[tuple[str, str], int], out: np.ndarray,
           levels: list[tuple[str, list[str], np.ndarray]], dates: np.ndarray) -> None:
    """Write each level's (periods x units x columns) sums into ``out`` (grid periods x all units x columns)."""
    if dates.size == 0:
        return
    gi = np.minimum(np.searchsorted(grid, dates), len(grid) - 1)
    in_grid = grid[gi] == dates
    for level, units, arr in levels:
        cols = np.array([positions.get((level, u), -1) for u in units], dtype=np.int64)
        known = cols >= 0
        out[np.ix_(gi[in_grid], cols[known])] = arr[np.ix_(np.flatnonzero(in_grid), np.flatnonzero(known))]


def _p90(hist: np.ndarray) -> np.ndarray:
    """90th percentile ('higher' interpolation, as pandas) of each row of a histogram of waits."""
    n = hist.sum(axis=-1)
    q_idx = 0.9 * (n - 1).astype(np.float64)
    k = np.floor(q_idx).astype(np.int64) + ((q_idx % 1) > 0)
    cum = np.cumsum(hist, axis=-1)
    return (cum <= k[..., None]).sum(axis=-1).astype(np.float64)


def access_counts(ledger: pd.DataFrame, org: Organisation, period: str,
                  codes: LedgerCodes | None = None) -> pd.DataFrame:
    """Additive access counts per (period, level, unit): requests, lost, appointments, waits ...

    One row for every period of the horizon and every practice, PCN and the LGPO (zeros where nothing
    happened; ``p90_wait_days`` is NaN where there were no appointments). ``codes``: the ledger's
    :func:`~sim.results.ledger_codes.ledger_codes` when the caller has them already.
    """
    dates, units, columns = access_columns(ledger, org, period, codes)
    return pd.DataFrame({"date": dates, "level": [lv for lv, _ in units], "unit": [u for _, u in units],
                         **columns})


def access_columns(ledger: pd.DataFrame, org: Organisation, period: str, codes: LedgerCodes | None = None
                   ) -> tuple[np.ndarray, list[tuple[str, str]], dict[str, np.ndarray]]:
    """:func:`access_counts` as arrays: each row's period start, its (level, unit), and column -> values.

    For a caller that reads the counts row by row (the summary): no table to build and take apart.
    """
    codes = ledger_codes(ledger) if codes is None else codes
    practice, labels = codes.practice, codes.practice_labels
    levels = _Levels(labels, org)
    P = len(labels)
    grid = np.unique(period_start(np.arange(org.horizon_days), org.start_date, period))
    units = [("practice", c) for c in org.practices] + [("pcn", c) for c in org.pcns] + [("lgpo", org.lgpo)]
    positions = {u: k for k, u in enumerate(units)}

    day = ledger["day"].to_numpy()
    req = codes.request
    pc, dates = _period_codes(day[req], org, period)
    n_cells = len(dates) * P
    cell = practice[req] if len(dates) == 1 else pc * P + practice[req]
    # requests by cell and state in one count (state code -1, missing, counts in column 0)
    state_codes, state_names = codes.state, codes.state_names
    by_state = _count_codes(cell, n_cells, state_codes[req] + 1, len(state_names) + 1)

    def in_state(*names: str) -> np.ndarray:
        return sum((by_state[:, [1 + state_names.index(n)]] for n in names if n in state_names),
                   np.zeros((n_cells, 1), dtype=np.int64))

    cols = [by_state.sum(axis=1, keepdims=True),
            in_state("lost", "gave_up"),  # gave up at the front door: unmet too
            in_state("waiting")]
    requests = np.zeros((len(grid), len(units), len(cols)))
    _place(grid, positions, requests, levels.roll_up(np.hstack(cols).reshape(len(dates), P, len(cols))), dates)

    dna = codes.is_state("dna")
    appt_day = codes.appt_day
    ap = codes.appt
    wait = codes.wait[ap]
    apc, adates = _period_codes(appt_day[ap], org, period)
    n_cells = len(adates) * P
    cell = practice[ap] if len(adates) == 1 else apc * P + practice[ap]
    seen_dna = _count_codes(cell, n_cells, dna[ap].view(np.int8), 2)  # columns: seen, dna
    names = ["appointments", "seen", "dna", "wait_days_sum", "usual_gp_seen"]
    cols = [seen_dna.sum(axis=1, keepdims=True), seen_dna[:, :1], seen_dna[:, 1:],
            _count(cell, n_cells, weights=wait),
            _count(cell, n_cells, ledger["usual_gp_seen"].to_numpy(dtype=bool)[ap])]
    # the 90th percentile is not additive: take it from each level's rolled-up histogram; the
    # wait bins (all below the histogram's last cell) are sums of its cells
    hist = _count_codes(cell, n_cells, np.minimum(wait, MAX_WAIT_HIST).astype(_HIST_CODE), MAX_WAIT_HIST + 1)
    names += [f"wait_bin:{label}" for label in WAIT_BINS]
    cols.append(np.add.reduceat(hist, _BIN_EDGES, axis=1))
    for col, prefix in (("role", "appointments_role"), ("mode", "appointments_mode")):
        cats = ledger[col].cat.categories
        names += [f"{prefix}:{cat}" for cat in cats]
        cols.append(_count_codes(cell, n_cells, ledger[col].cat.codes.to_numpy()[ap], len(cats)))
    appts = np.zeros((len(grid), len(units), len(names)))
    _place(grid, positions, appts, levels.roll_up(np.hstack(cols).reshape(len(adates), P, len(names))), adates)
    p90 = np.full((len(grid), len(units), 1), np.nan)
    rolled_hist = [(lv, u, _p90(h)[..., None]) for lv, u, h in
                   levels.roll_up(hist.reshape(len(adates), P, MAX_WAIT_HIST + 1))]
    _place(grid, positions, p90, rolled_hist, adates)
    p90[appts[:, :, :1] == 0] = np.nan  # undefined where there were no appointments

    counts = np.concatenate([requests, appts], axis=2).reshape(len(grid) * len(units), -1).astype(np.int64)
    return (np.repeat(grid, len(units)), units * len(grid),
            {**dict(zip(["requests", "lost", "waiting_at_end", *names], counts.T, strict=True)),
             "p90_wait_days": p90.reshape(-1)})


def _staff_groups(staff: pd.DataFrame, org: Organisation) -> list[tuple[str, list[tuple[str, str]], np.ndarray]]:
    """Per level: the sorted (unit, role) groups and each staff row's group (-1: not counted at that level).

    Practice staff count at their practice, their PCN and the LGPO; PCN-employed staff at their PCN
    and the LGPO; LGPO-employed staff at the LGPO only. Integer codes, so sums are one ``np.bincount``.
    """
    pcn_of = dict(zip(org.practices, org.practice_pcn, strict=True))
    levels = staff["level"].astype(str).tolist()
    codes = staff["unit_code"].astype(str).tolist()
    roles = staff["role"].astype(str).tolist()
    units = {
        "practice": [c if lv == "practice" else None for lv, c in zip(levels, codes, strict=True)],
        "pcn": [pcn_of.get(c, c) if lv in ("practice", "pcn") else None for lv, c in zip(levels, codes, strict=True)],
        "lgpo": [org.lgpo] * len(levels),
    }
    out = []
    for level in LEVELS:
        keys = [(u, r) if u is not None else None for u, r in zip(units[level], roles, strict=True)]
        labels = sorted({k for k in keys if k is not None})
        pos = {k: i for i, k in enumerate(labels)}
        out.append((level, labels, np.array([pos[k] if k is not None else -1 for k in keys], dtype=np.int64)))
    return out


def workload_counts(staff_days: pd.DataFrame, staff: pd.DataFrame, org: Organisation,
                    period: str) -> pd.DataFrame:
    """Additive workload counts per (period, level, unit, role) from staff-days.

    Rows come ordered by level (practice, PCN, LGPO), then date, unit and role, one per group with
    any staff-day in the period.
    """
    cols = ["offered_slots", "seen", "dna", "clinical_minutes", "overtime_minutes", "admin_minutes",
            "session_minutes"]
    out_cols = ["offered_slots", "booked_slots", *cols[1:]]
    row = pd.Index(staff["staff"].to_numpy()).get_indexer(staff_days["staff"].to_numpy())
    pc, dates = _period_codes(staff_days["day"].to_numpy(), org, period)
    values = {c: staff_days[c].to_numpy(dtype=np.float64) for c in cols}
    values["booked_slots"] = values["seen"] + values["dna"]
    parts = []
    for level, labels, group in _staff_groups(staff, org):
        g = np.where(row >= 0, group[np.maximum(row, 0)], -1)
        ok = g >= 0
        n_groups = max(len(labels), 1)
        cell, inverse = np.unique(pc[ok] * n_groups + g[ok], return_inverse=True)
        which = (cell % n_groups).tolist()
        parts.append(pd.DataFrame({
            "date": dates[cell // n_groups], "level": level,
            "unit": [labels[k][0] for k in which], "role": [labels[k][1] for k in which],
            **{c: np.bincount(inverse, weights=values[c][ok], minlength=cell.size) for c in out_cols}}))
    return pd.concat(parts, ignore_index=True)


def tidy_metrics(access: pd.DataFrame, workload: pd.DataFrame, org: Organisation) -> pd.DataFrame:
    """Long table (date, level, unit, metric, value) with counts and derived rates.

    The readable definition of a run's period tables; runs build them with
    :func:`sim.results.period_tables.period_table`, which a unit test holds equal to this.
    """
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
    return sorted_long(pd.concat([long_a, long_w, role_long], ignore_index=True))


def sorted_long(out: pd.DataFrame) -> pd.DataFrame:
    """Rows with a value, sorted stably by date, level, unit and metric; dates as ``datetime.date``.

    One stable ``np.lexsort`` on integer codes and one take: sorting on the string and date columns
    themselves took and compared every cell twice (a sixth of a one-year ``gpsim run``'s results step).
    """
    keys = [pd.factorize(out[c], sort=True)[0] for c in ("metric", "unit", "level")]
    order = np.lexsort([*keys, pd.to_datetime(out["date"]).to_numpy()])
    out = out.take(order[out["value"].notna().to_numpy()[order]])
    out.index = pd.RangeIndex(len(out))
    codes, dates = pd.factorize(pd.to_datetime(out["date"]))
    out["date"] = np.array([d.date() for d in dates] + [pd.NaT], dtype=object)[codes]
    out["value"] = out["value"].astype(float)
    return out


def _upc_arrays(ledger: pd.DataFrame, min_contacts: int = 2, codes: LedgerCodes | None = None,
                gp: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(practice code, patient, UPC) per qualifying patient, and the practice labels; numpy throughout.

    Qualifying: a long-term condition and >= ``min_contacts`` GP appointments seen in the horizon.
    ``gp``: whether each row's clinician is a GP (else the ledger's ``role_kind`` column, if any).
    """
    if codes is None:
        practice, labels = _codes(ledger["practice"])
        keep = _is_value(ledger["state"], "seen") & (ledger["day"].to_numpy() >= 0)
    else:
        practice, labels = codes.practice, codes.practice_labels
        keep = codes.is_state("seen") & codes.request
    keep &= ledger["ltc"].to_numpy() > 0
    if gp is not None:
        keep &= gp
    elif "role_kind" in ledger:
        keep &= _is_value(ledger["role_kind"], "gp")
    practice = practice[keep]
    patient = ledger["patient"].to_numpy()[keep].astype(np.int64)  # select, then widen: no full-length copies
    staff = ledger["staff"].to_numpy()[keep].astype(np.int64)
    if patient.size == 0:
        return practice, patient, np.zeros(0), labels
    n_staff = int(staff.max()) + 2
    n_patient = int(patient.max()) + 1
    key = (practice * n_patient + patient) * n_staff + (staff + 1)
    pairs, counts = np.unique(key, return_counts=True)  # appointments per (practice, patient, clinician)
    who = pairs // n_staff
    head = np.flatnonzero(np.r_[True, who[1:] != who[:-1]])
    most = np.maximum.reduceat(counts, head)
    total = np.add.reduceat(counts, head)
    ok = total >= min_contacts
    who = who[head][ok]
    return who // n_patient, who % n_patient, most[ok] / total[ok], labels


def usual_provider_of_care(ledger: pd.DataFrame, min_contacts: int = 2, *, codes: LedgerCodes | None = None,
                           gp: np.ndarray | None = None) -> pd.DataFrame:
    """UPC index per patient with a long-term condition and >= ``min_contacts`` GP appointments.

    UPC = (appointments with the most-seen GP) / (all GP appointments), 1 = perfect continuity.
    ``codes`` and ``gp`` (each row's clinician a GP): when the caller has them (no column copies).
    """
    practice, patient, upc, labels = _upc_arrays(ledger, min_contacts, codes, gp)
    # practice as a categorical of the ledger's practice labels: callers group by its codes
    return pd.DataFrame({"practice": pd.Categorical.from_codes(practice, labels) if labels else [],
                         "patient": patient, "upc": upc})


def continuity_by_unit(ledger: pd.DataFrame | None, org: Organisation, upc_frame: pd.DataFrame | None = None
                       ) -> pd.DataFrame:
    """Mean UPC for LTC patients by (level, unit): sums and counts per practice, rolled up.

    ``upc_frame``: :func:`usual_provider_of_care`'s result when already computed (then ``ledger`` is unused).
    """
    if upc_frame is None:
        practice, _, upc, labels = _upc_arrays(ledger)
    elif len(upc_frame) == 0:
        return pd.DataFrame(columns=["level", "unit", "upc"])
    else:
        practice, labels = _codes(upc_frame["practice"])
        upc = upc_frame["upc"].to_numpy(dtype=np.float64)
    if upc.size == 0:
        return pd.DataFrame(columns=["level", "unit", "upc"])
    cells = np.stack([np.bincount(practice, weights=upc, minlength=len(labels)),
                      np.bincount(practice, minlength=len(labels)).astype(np.float64)], axis=1)[None]
    rows = []
    for level, units, arr in _Levels(labels, org).roll_up(cells):
        for k, unit in enumerate(units):
            if arr[0, k, 1] > 0:
                rows.append((level, unit, arr[0, k, 0] / arr[0, k, 1]))
    return pd.DataFrame(rows, columns=["level", "unit", "upc"]).sort_values(["level", "unit"]).reset_index(drop=True)


def fte_weeks(staff: pd.DataFrame, org: Organisation) -> pd.DataFrame:
    """FTE-weeks in post over the horizon by (level, unit, role)."""
    start = (staff["joined_day"].clip(lower=0).to_numpy(dtype=np.float64) if "joined_day" in staff
             else np.zeros(len(staff)))
    left = staff["left_day"].astype("Float64").fillna(org.horizon_days).to_numpy(dtype=np.float64)  # <NA>: in post
    weeks = staff["fte"].to_numpy(dtype=np.float64) * np.clip(np.minimum(left, org.horizon_days) - start, 0, None) / 7.0
    rows = []
    for level, labels, group in _staff_groups(staff, org):
        ok = group >= 0
        sums = np.bincount(group[ok], weights=weeks[ok], minlength=len(labels))
        present = np.bincount(group[ok], minlength=len(labels)) > 0
        rows += [(level, unit, role, float(v)) for (unit, role), v, here in zip(labels, sums, present, strict=True) if here]
    return pd.DataFrame(rows, columns=["level", "unit", "role", "fte_weeks"])
