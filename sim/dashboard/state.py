"""Live views of running models, and the controller that steps the dashboard's one or two models.

The metric functions are pure: each reads a model's arrays for a window of internal days and
returns plain numbers. A :class:`Snapshot` bundles them after every simulated day, so the web app
only ever draws snapshots and never touches a model while it is being stepped.

Replications: the controller (:mod:`sim.dashboard.controller`) runs several replications of each side side by side (the same
replication numbers on both sides, so each pair draws the same demand) and steps them together;
:mod:`sim.dashboard.bands` turns their snapshots into means and 95% intervals. The cheap views that
the time series need are taken every day; the costly ones (waits by interval, utilisation, the
area picture) only on the last day of each :meth:`Controller.step` call, which keeps play fast.

Timing: ``model.step()`` simulates one day, but SimPy collects that day's session results (seen,
overtime, supervision) at the start of the next step. Appointment counts are read from the request
ledger (final as soon as the day has run); overtime and admin hours from staff-days use the days
whose results are collected (all but the last simulated day).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from sim.dashboard.front_door_numbers import FrontDoorNumbers, front_door_numbers
from sim.model.model import BOOKED, DNA, LOST, SEEN, GPSimModel
from sim.results.metrics import WAIT_BINS, wait_bin_index

ROLLING_DAYS = 7  # window of the time series
STRAIN_DAYS = 28  # window of the area picture
LATE_DAYS = 7  # a request booked more than this many days after the day the patient wanted is "late"
_LAST_WAIT = len(WAIT_BINS) * 5  # waits of this many days or more all fall in the last booking interval
_BIN_OF_WAIT = wait_bin_index(np.arange(_LAST_WAIT + 1))  # booking interval of a wait of 0.._LAST_WAIT days


# ----------------------------------------------------------------------------- windows


def reporting_days(model: GPSimModel) -> int:
    """Reporting days simulated so far (0 until the first day after warm-up has run)."""
    return max(0, model.day - model.cal.warm_up)


def window(model: GPSimModel, days: int | None = None, complete: bool = False) -> tuple[int, int]:
    """Internal days [lo, hi) of the last ``days`` reporting days run (all of them if None).

    With ``complete``, the last simulated day is left out (its staff-day results are not yet in).
    """
    hi = model.day - (1 if complete else 0)
    lo = model.cal.warm_up if days is None else hi - days
    lo = max(model.cal.warm_up, lo)
    return lo, max(lo, hi)


def _requests(model: GPSimModel, lo: int, hi: int) -> slice:
    """Requests made on internal days [lo, hi) (the ledger is sorted by request day)."""
    return slice(model.day_start[lo], model.day_start[hi])


def _role_of_staff(model: GPSimModel) -> np.ndarray:
    """Role index of every staff member, with -1 appended (for appt_staff == -1)."""
    return np.array([model.role_index[s.role] for s in model.staff] + [-1], dtype=np.int32)


# ----------------------------------------------------------------------------- access


def waiting_list(model: GPSimModel) -> int:
    """Patients holding an appointment not yet attended: requests made so far, booked for today or later."""
    req = slice(0, model.day_start[min(model.day, model.n_sim_days)])
    return int(((model.state[req] == BOOKED) & (model.appt_day[req] >= model.day)).sum())


def _wait_counts(model: GPSimModel, sl: slice) -> tuple[np.ndarray, float]:
    """Booked requests in ``sl`` by booking interval (WAIT_BINS), and the sum of their waits in days."""
    booked = model.appt_staff[sl] >= 0
    wait = (model.appt_day[sl] - model.requests.day[sl])[booked]
    by_day = np.bincount(np.minimum(wait, _LAST_WAIT), minlength=_LAST_WAIT + 1)  # faster than binning each wait
    return np.bincount(_BIN_OF_WAIT, weights=by_day, minlength=len(WAIT_BINS)).astype(np.int64), float(wait.sum())


def _continuity_counts(model: GPSimModel, sl: slice) -> np.ndarray:
    """GP visits attended by LTC patients with their usual GP, and all such visits, among requests ``sl``."""
    staff = model.appt_staff[sl]
    patients = model.requests.patient[sl]
    gp = np.array([s.kind == "gp" for s in model.staff] + [False])
    mask = (model.state[sl] == SEEN) & gp[staff] & (model.population.ltc[patients] > 0)
    return np.array([int((staff[mask] == model.population.usual_gp[patients[mask]]).sum()), int(mask.sum())])


class Running:
    """Running totals of the "so far" views over the settled part of the ledger, so a snapshot scans only the rest.

    A request is settled once it was seen, did not attend or was lost before today (a walk-in hub
    can still serve today's lost requests; a leaver's booked appointments can still be lost). The
    settled requests are a prefix of the reporting requests that only grows, so their counts are
    added once; the views then add the unsettled tail. The numbers equal a full scan's.
    """

    def __init__(self, model: GPSimModel):
        self.start = self.end = model.day_start[model.cal.warm_up]  # requests [start, end) are counted
        self.bins = np.zeros(len(WAIT_BINS), dtype=np.int64)
        self.wait_days = 0.0
        self.continuity = np.zeros(2, dtype=np.int64)
        self.usual_gp = model.population.usual_gp.copy()  # the usual GPs the continuity total was counted with

    def advance(self, model: GPSimModel) -> None:
        """Count the requests settled since the last call."""
        limit = model.day_start[max(model.cal.warm_up, min(model.day - 1, model.n_sim_days))]
        if limit <= self.end:
            return
        state = model.state[self.end:limit]
        settled = (state == SEEN) | (state == DNA) | (state == LOST)
        n = len(settled) if settled.all() else int(np.argmin(settled))
        if n:
            sl = slice(self.end, self.end + n)
            bins, days = _wait_counts(model, sl)
            self.bins += bins
            self.wait_days += days
            self.continuity += _continuity_counts(model, sl)
            self.end += n

    def continuity_counts(self, model: GPSimModel) -> np.ndarray:
        """The settled requests' continuity counts, recounted if a leaver's patients were given a new usual GP."""
        if not np.array_equal(self.usual_gp, model.population.usual_gp):  # rare: only when a GP leaves
            self.continuity = _continuity_counts(model, slice(self.start, self.end))
            self.usual_gp = model.population.usual_gp.copy()
        return self.continuity

    def tail(self, model: GPSimModel, hi: int) -> slice:
        """The requests made before day ``hi`` not yet counted."""
        return slice(self.end, max(self.end, model.day_start[hi]))


def wait_distribution(model: GPSimModel, lo: int, hi: int, running: Running | None = None) -> np.ndarray:
    """Appointments booked for requests made on days [lo, hi), counted by NHS booking interval (WAIT_BINS).

    With ``running`` (and lo the first reporting day) only the unsettled requests are scanned.
    """
    if running is not None and model.day_start[lo] == running.start:
        return running.bins + _wait_counts(model, running.tail(model, hi))[0]
    return _wait_counts(model, _requests(model, lo, hi))[0]


def mean_wait_days(model: GPSimModel, lo: int, hi: int, running: Running | None = None) -> float:
    """Mean days from request to appointment for requests made on days [lo, hi) (NaN if none booked)."""
    if running is not None and model.day_start[lo] == running.start:
        bins, days = _wait_counts(model, running.tail(model, hi))
        n, total = int(bins.sum() + running.bins.sum()), days + running.wait_days
    else:
        bins, total = _wait_counts(model, _requests(model, lo, hi))
        n = int(bins.sum())
    return total / n if n else math.nan


def list_size(model: GPSimModel) -> int:
    """Registered patients in the area."""
    return sum(p.list_size for p in model.practices)


def unmet_per_1000_year(model: GPSimModel, lo: int, hi: int) -> float:
    """Requests made on days [lo, hi) that found no appointment, per 1,000 patients a year."""
    if hi <= lo:
        return math.nan
    lost = int((model.state[_requests(model, lo, hi)] == LOST).sum())
    return lost / max(1, list_size(model)) * 1000.0 * 365.0 / (hi - lo)


def continuity_pct(model: GPSimModel, lo: int, hi: int, running: Running | None = None) -> float:
    """Share (%) of GP appointments attended by patients with a long-term condition that were with their usual GP.

    Requests made on days [lo, hi) and seen before today; NaN if there were none.
    """
    if running is not None and model.day_start[lo] == running.start:
        counts = running.continuity_counts(model) + _continuity_counts(model, running.tail(model, hi))
    else:
        counts = _continuity_counts(model, _requests(model, lo, hi))
    return 100.0 * counts[0] / counts[1] if counts[1] else math.nan


# ----------------------------------------------------------------------------- workload


def utilisation_by_role(model: GPSimModel, lo: int, hi: int) -> dict[str, float]:
    """Booked slots (attended or not, extras included) as % of slots offered on days [lo, hi), by role."""
    role = _role_of_staff(model)
    n_roles = len(model.role_names)
    made = slice(0, model.day_start[min(hi, model.n_sim_days)])  # appointments before hi were requested before hi
    appt_day, state = model.appt_day[made], model.state[made]
    in_window = (appt_day >= lo) & (appt_day < hi) & ((state == SEEN) | (state == DNA))
    booked = np.bincount(role[model.appt_staff[made][in_window]], minlength=n_roles)
    offered = np.bincount(role[:-1], weights=model.staff_days.offered_slots[:, lo:hi].sum(axis=1),
                          minlength=n_roles)
    return {name: float(100.0 * booked[r] / offered[r]) for r, name in enumerate(model.role_names) if offered[r] > 0}


def _fte_by_role(model: GPSimModel) -> np.ndarray:
    fte = np.zeros(len(model.role_names))
    for s in model.staff:
        if s.active:
            fte[model.role_index[s.role]] += s.fte
    return fte


def overtime_by_role(model: GPSimModel, lo: int, hi: int) -> dict[str, float]:
    """Overtime hours a week per FTE in post, by clinical role, over days [lo, hi) (collected days)."""
    if hi <= lo:
        return {}
    role = _role_of_staff(model)[:-1]
    minutes = np.bincount(role, weights=model.staff_days.overtime_minutes[:, lo:hi].sum(axis=1),
                          minlength=len(model.role_names))
    fte = _fte_by_role(model)
    weeks = (hi - lo) / 7.0
    clinical = {s.role for s in model.staff if s.is_clinician}
    return {name: float(minutes[r] / 60.0 / weeks / fte[r])
            for r, name in enumerate(model.role_names) if name in clinical and fte[r] > 0}


def gp_fte(model: GPSimModel) -> float:
    """FTE of GPs in post now."""
    return float(sum(s.fte for s in model.staff if s.kind == "gp" and s.active))


def gp_admin_hours(model: GPSimModel, lo: int, hi: int) -> tuple[float, float]:
    """GP admin hours a week over days [lo, hi): (whole area, per GP FTE in post). NaN if no days."""
    if hi <= lo:
        return math.nan, math.nan
    gps = [s.index for s in model.staff if s.kind == "gp"]
    weeks = (hi - lo) / 7.0
    total = float(model.staff_days.admin_minutes[gps, lo:hi].sum()) / 60.0 / weeks if gps else 0.0
    fte = gp_fte(model)
    return total, (total / fte if fte > 0 else math.nan)


# ----------------------------------------------------------------------------- the area picture


@dataclass(frozen=True)
class PracticeStrain:
    """One practice in the area picture."""

    code: str
    name: str  # the practice's name (its code when the scenario gives none)
    pcn: str
    list_size: int
    requests: int
    unmet_pct: float  # requests that found no appointment
    late_pct: float  # booked more than LATE_DAYS after the day wanted
    utilisation_pct: float  # booked / offered slots of the practice's own clinicians

    @property
    def strain_pct(self) -> float:
        """Requests unmet or late, % (NaN with no requests): the colour of the practice."""
        return self.unmet_pct + self.late_pct


def practice_strain(model: GPSimModel, lo: int, hi: int) -> list[PracticeStrain]:
    """Per practice over requests made on days [lo, hi): unmet and late shares, and utilisation."""
    sl = _requests(model, lo, hi)
    n_p = len(model.practices)
    practice = model.requests.practice[sl]
    state = model.state[sl]
    booked = model.appt_staff[sl] >= 0
    late = booked & ((model.appt_day[sl] - model.requests.day[sl] - model.requests.lead[sl]) > LATE_DAYS)
    n = np.bincount(practice, minlength=n_p)
    lost = np.bincount(practice, weights=(state == LOST), minlength=n_p)
    n_late = np.bincount(practice, weights=late, minlength=n_p)
    unit = np.array([s.unit for s in model.staff] + [-1])
    made = slice(0, model.day_start[min(hi, model.n_sim_days)])  # appointments before hi were requested before hi
    appt_day, appt_state = model.appt_day[made], model.state[made]
    appt = (appt_day >= lo) & (appt_day < hi) & ((appt_state == SEEN) | (appt_state == DNA))
    booked_by_unit = np.bincount(unit[model.appt_staff[made][appt]] + 1, minlength=model.n_units + 1)[1:]
    offered = np.bincount(unit[:-1], weights=model.staff_days.offered_slots[:, lo:hi].sum(axis=1),
                          minlength=model.n_units)
    out = []
    for p in model.practices:
        i = p.index
        denom = n[i] if n[i] else math.nan
        out.append(PracticeStrain(
            code=p.code, name=p.name or p.code, pcn=model.pcns[p.pcn].code, list_size=p.list_size, requests=int(n[i]),
            unmet_pct=float(100.0 * lost[i] / denom), late_pct=float(100.0 * n_late[i] / denom),
            utilisation_pct=float(100.0 * booked_by_unit[i] / offered[i]) if offered[i] > 0 else math.nan))
    return out


# ----------------------------------------------------------------------------- snapshots


@dataclass(frozen=True)
class Snapshot:
    """Every live view of one model after a simulated day (plain numbers only).

    A *light* snapshot (``full=False``) leaves the costly views empty: wait_bins, utilisation,
    overtime and practices. The time series read only the other fields.
    """

    day: int  # reporting days simulated
    date: dt.date  # the next day to simulate
    waiting_list: int
    mean_wait_days: float
    unmet_per_1000_year: float  # so far
    unmet_per_1000_year_recent: float  # last ROLLING_DAYS days
    continuity_pct: float
    gp_admin_hours_week: float  # last ROLLING_DAYS collected days, whole area
    gp_admin_hours_per_fte_week: float
    gp_fte: float
    full: bool = True
    wait_bins: tuple[int, ...] = ()  # appointments by WAIT_BINS, requests made so far
    utilisation_pct: dict[str, float] = field(default_factory=dict)
    overtime_hours_per_fte_week: dict[str, float] = field(default_factory=dict)
    practices: tuple[PracticeStrain, ...] = ()
    front_door: FrontDoorNumbers | None = None  # reporting days so far; None without a front door


def snapshot(model: GPSimModel, full: bool = True, running: Running | None = None) -> Snapshot:
    """The live views of ``model`` now (the costly ones only when ``full``; faster with ``running`` totals)."""
    if running is not None:
        running.advance(model)
    lo, hi = window(model)
    rlo, rhi = window(model, ROLLING_DAYS)
    clo, chi = window(model, ROLLING_DAYS, complete=True)
    total, per_fte = gp_admin_hours(model, clo, chi)
    costly = {}
    if full:
        ulo, uhi = window(model, None, complete=True)
        costly = {"wait_bins": tuple(int(x) for x in wait_distribution(model, lo, hi, running)),
                  "utilisation_pct": utilisation_by_role(model, lo, hi),
                  "overtime_hours_per_fte_week": overtime_by_role(model, ulo, uhi),
                  "practices": tuple(practice_strain(model, *window(model, STRAIN_DAYS)))}
    return Snapshot(
        day=reporting_days(model),
        date=model.cal.dates[min(model.day, model.cal.n - 1)],
        waiting_list=waiting_list(model),
        mean_wait_days=mean_wait_days(model, lo, hi, running),
        unmet_per_1000_year=unmet_per_1000_year(model, lo, hi),
        unmet_per_1000_year_recent=unmet_per_1000_year(model, rlo, rhi),
        continuity_pct=continuity_pct(model, lo, hi, running),
        gp_admin_hours_week=total,
        gp_admin_hours_per_fte_week=per_fte,
        gp_fte=gp_fte(model),
        full=full,
        front_door=front_door_numbers(model, lo, hi),
        **costly,
    )


Reps = tuple[tuple[Snapshot, ...], ...]  # one side: per replication, the snapshots of every day so far
