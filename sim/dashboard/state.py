"""Live views of running models, and the controller that steps the dashboard's one or two models.

The metric functions are pure: each reads a model's arrays for a window of internal days and
returns plain numbers. A :class:`Snapshot` bundles them after every simulated day, so the web app
only ever draws snapshots and never touches a model while it is being stepped.

Replications: the controller runs several replications of each side side by side (the same
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
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sim.dashboard.controls import SIDES, Controls, Side, scenario_mapping
from sim.model.model import BOOKED, DNA, LOST, SEEN, GPSimModel
from sim.results.metrics import WAIT_BINS, wait_bin_index

ROLLING_DAYS = 7  # window of the time series
STRAIN_DAYS = 28  # window of the area picture
LATE_DAYS = 7  # a request booked more than this many days after the day the patient wanted is "late"
DEFAULT_REPLICATIONS = 5  # replications per side: enough for a 95% t-interval, few enough to play live
MAX_REPLICATIONS = 10
FULL_EVERY = 14  # during a long replay, take the costly views every this many days (progress redraws)
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


def wait_distribution(model: GPSimModel, lo: int, hi: int) -> np.ndarray:
    """Appointments booked for requests made on days [lo, hi), counted by NHS booking interval (WAIT_BINS)."""
    sl = _requests(model, lo, hi)
    booked = model.appt_staff[sl] >= 0
    wait = (model.appt_day[sl] - model.requests.day[sl])[booked]
    by_day = np.bincount(np.minimum(wait, _LAST_WAIT), minlength=_LAST_WAIT + 1)  # faster than binning each wait
    return np.bincount(_BIN_OF_WAIT, weights=by_day, minlength=len(WAIT_BINS)).astype(np.int64)


def mean_wait_days(model: GPSimModel, lo: int, hi: int) -> float:
    """Mean days from request to appointment for requests made on days [lo, hi) (NaN if none booked)."""
    sl = _requests(model, lo, hi)
    booked = model.appt_staff[sl] >= 0
    if not booked.any():
        return math.nan
    return float((model.appt_day[sl] - model.requests.day[sl])[booked].mean())


def list_size(model: GPSimModel) -> int:
    """Registered patients in the area."""
    return sum(p.list_size for p in model.practices)


def unmet_per_1000_year(model: GPSimModel, lo: int, hi: int) -> float:
    """Requests made on days [lo, hi) that found no appointment, per 1,000 patients a year."""
    if hi <= lo:
        return math.nan
    lost = int((model.state[_requests(model, lo, hi)] == LOST).sum())
    return lost / max(1, list_size(model)) * 1000.0 * 365.0 / (hi - lo)


def continuity_pct(model: GPSimModel, lo: int, hi: int) -> float:
    """Share (%) of GP appointments attended by patients with a long-term condition that were with their usual GP.

    Requests made on days [lo, hi) and seen before today; NaN if there were none.
    """
    sl = _requests(model, lo, hi)
    staff = model.appt_staff[sl]
    patients = model.requests.patient[sl]
    gp = np.array([s.kind == "gp" for s in model.staff] + [False])
    mask = (model.state[sl] == SEEN) & gp[staff] & (model.population.ltc[patients] > 0)
    if not mask.any():
        return math.nan
    return 100.0 * float((staff[mask] == model.population.usual_gp[patients[mask]]).mean())


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


def snapshot(model: GPSimModel, full: bool = True) -> Snapshot:
    """The live views of ``model`` now (the costly ones only when ``full``)."""
    lo, hi = window(model)
    rlo, rhi = window(model, ROLLING_DAYS)
    clo, chi = window(model, ROLLING_DAYS, complete=True)
    total, per_fte = gp_admin_hours(model, clo, chi)
    costly = {}
    if full:
        ulo, uhi = window(model, None, complete=True)
        costly = {"wait_bins": tuple(int(x) for x in wait_distribution(model, lo, hi)),
                  "utilisation_pct": utilisation_by_role(model, lo, hi),
                  "overtime_hours_per_fte_week": overtime_by_role(model, ulo, uhi),
                  "practices": tuple(practice_strain(model, *window(model, STRAIN_DAYS)))}
    return Snapshot(
        day=reporting_days(model),
        date=model.cal.dates[min(model.day, model.cal.n - 1)],
        waiting_list=waiting_list(model),
        mean_wait_days=mean_wait_days(model, lo, hi),
        unmet_per_1000_year=unmet_per_1000_year(model, lo, hi),
        unmet_per_1000_year_recent=unmet_per_1000_year(model, rlo, rhi),
        continuity_pct=continuity_pct(model, lo, hi),
        gp_admin_hours_week=total,
        gp_admin_hours_per_fte_week=per_fte,
        gp_fte=gp_fte(model),
        full=full,
        **costly,
    )


# ----------------------------------------------------------------------------- the controller

Reps = tuple[tuple[Snapshot, ...], ...]  # one side: per replication, the snapshots of every day so far


@dataclass(frozen=True)
class View:
    """What the app draws: every side's snapshots so far, per replication, and where the run stands.

    ``history[side][r][d]`` is replication r's snapshot after reporting day d (light or full);
    ``current[side][r]`` is replication r's latest full snapshot (for the bars and the area picture).
    """

    day: int
    horizon: int
    finished: bool
    controls: Controls
    split: bool
    history: dict[Side, Reps]
    current: dict[Side, tuple[Snapshot, ...]]
    scenario: str = ""  # the scenario's name
    first_replication: int = 0

    @property
    def replications(self) -> int:
        """Replications per side."""
        return len(next(iter(self.history.values())))

    def latest(self, side: Side) -> tuple[Snapshot, ...]:
        """The last snapshot of each replication of one side (light or full)."""
        return tuple(h[-1] for h in self.history[side])


def build_model(mapping: dict, source: str, replication: int = 0) -> GPSimModel:
    """Validate a scenario mapping, build the model with its interventions, and run the warm-up."""
    from sim.config.loading import scenario_from_mapping
    from sim.model.interventions import attach

    model = attach(scenario_from_mapping(mapping, source), replication)
    while model.day < model.cal.warm_up and model.running:
        model.step()
    return model


class Controller:
    """The dashboard's models: one side (the area with its levers as set) or the split pair, each replicated.

    In the split view the "standalone" models have every collaboration lever off and the
    "collaborating" models have them as set; both use the scenario's seed and replications
    ``replication .. replication + replications - 1``, so each pair sees the same demand. Changing
    a control rebuilds the models and replays them to the day they had reached, so the views show
    the whole run as if the controls had always been so. All public methods are thread-safe (the
    app steps from a worker thread).
    """

    def __init__(self, base: dict, source: str = "<dashboard>", controls: Controls | None = None,
                 split: bool = True, replication: int = 0, replications: int = DEFAULT_REPLICATIONS):
        if not 1 <= replications <= MAX_REPLICATIONS:
            raise ValueError(f"replications must be 1..{MAX_REPLICATIONS}, got {replications}")
        self.base = base
        self.source = source
        self.controls = controls or Controls()
        self.split = split
        self.replication = replication
        self.replications = replications
        self.models: dict[Side, list[GPSimModel]] = {}
        self.history: dict[Side, list[list[Snapshot]]] = {}
        self.current: dict[Side, list[Snapshot]] = {}
        self.lock = threading.RLock()
        self.builds = 0
        self.published: View | None = None
        self.reset()

    @property
    def sides(self) -> tuple[Side, ...]:
        """Sides shown: both in the split view, else only the area with its levers as set."""
        return SIDES if self.split else ("collaborating",)

    def mapping(self, side: Side) -> dict:
        """Scenario mapping of one side."""
        controls = self.controls.standalone() if side == "standalone" else self.controls
        return scenario_mapping(self.base, controls)

    def _first(self) -> GPSimModel:
        return next(iter(self.models.values()))[0]

    def _all(self) -> list[GPSimModel]:
        return [m for ms in self.models.values() for m in ms]

    @property
    def day(self) -> int:
        """Reporting days simulated (the same for every model)."""
        with self.lock:
            return reporting_days(self._first())

    @property
    def horizon(self) -> int:
        """Reporting days the scenario runs for."""
        with self.lock:
            m = self._first()
            return m.n_sim_days - m.cal.warm_up

    @property
    def finished(self) -> bool:
        """True when the models have reached the end of the scenario's horizon."""
        with self.lock:
            return all(m.day >= m.n_sim_days for m in self._all())

    def reset(self) -> None:
        """Rebuild every model from the current controls and return to the start date (after warm-up)."""
        with self.lock:
            self.models = {side: [build_model(self.mapping(side), self.source, self.replication + r)
                                  for r in range(self.replications)] for side in self.sides}
            self.current = {side: [snapshot(m) for m in ms] for side, ms in self.models.items()}
            self.history = {side: [[s] for s in snaps] for side, snaps in self.current.items()}
            self.builds += 1
            self._publish()

    def step(self, days: int = 1, progress: Callable[[int, int], None] | None = None) -> int:
        """Simulate up to ``days`` more days on every model; returns the days actually run.

        The costly views are taken on the last day run (and every ``FULL_EVERY`` days of a long call).
        """
        done = 0
        for k in range(days):
            with self.lock:
                if self.finished:
                    break
                full = k == days - 1 or (k + 1) % FULL_EVERY == 0
                for side, ms in self.models.items():
                    for r, m in enumerate(ms):
                        m.step()
                        snap = snapshot(m, full=full or m.day >= m.n_sim_days)
                        self.history[side][r].append(snap)
                        if snap.full:
                            self.current[side][r] = snap
                self._publish()
            done += 1
            if progress is not None:
                progress(done, days)
        return done

    def configure(self, controls: Controls | None = None, split: bool | None = None, replay: bool = True,
                  progress: Callable[[int, int], None] | None = None, replications: int | None = None,
                  base: dict | None = None, source: str | None = None) -> None:
        """Apply new controls, view, replications or scenario, rebuild, and replay to the day reached.

        With a new ``base`` scenario, or ``replay`` False, the run starts again from day 0.
        ``progress(done, total)`` is called after each replayed day.
        """
        with self.lock:
            day = self.day
            if replications is not None:
                if not 1 <= replications <= MAX_REPLICATIONS:
                    raise ValueError(f"replications must be 1..{MAX_REPLICATIONS}, got {replications}")
                self.replications = replications
            if controls is not None:
                self.controls = controls
            if split is not None:
                self.split = split
            if base is not None:
                self.base, self.source, replay = base, source or self.source, False
            self.reset()
            if replay:
                self.step(day, progress)

    def _publish(self) -> None:
        """Replace the read-only view the app draws from (one attribute write: safe to read without the lock)."""
        first = self._first()
        self.published = View(day=reporting_days(first), horizon=first.n_sim_days - first.cal.warm_up,
                              finished=all(m.day >= m.n_sim_days for m in self._all()),
                              controls=self.controls, split=self.split,
                              history={side: tuple(tuple(h) for h in reps) for side, reps in self.history.items()},
                              current={side: tuple(snaps) for side, snaps in self.current.items()},
                              scenario=str(self.base.get("name", "")), first_replication=self.replication)

    def latest(self) -> dict[Side, tuple[Snapshot, ...]]:
        """The latest full snapshot of each replication of each side shown."""
        with self.lock:
            return {side: tuple(snaps) for side, snaps in self.current.items()}
