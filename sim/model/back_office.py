"""The back office as simulated work: admin tasks arrive and admin staff agents serve them in working hours.

Tasks (``scenario.back_office.tasks``) are drawn once, at build, from their own stream
(``back-office/arrivals``), so every scenario of a seed sees the same task arrivals (common random
numbers). Each admin staff agent of a practice has an admin role (the practice's admin FTE split by
``role_shares``); each works the front desk first (``front_desk_share`` of their day, from
``start_minute``: the morning rush), then the back office. Each working day one SimPy process opens
the day at ``start_minute`` and serves every team's queue (a team: one role in one practice, or in a pool) with the compiled FCFS
queue of :mod:`sim.model.back_office_queue`, in one compiled call (:mod:`sim.model.back_office_day`);
tasks not reached wait for the next working day.

Every task ends in exactly one state: ``DONE``, ``WAITING`` (backlog at the end of the run) or
``SHARED`` (an organisation function a pool does once instead of once per practice). Pooling
(:class:`Pool`, set up by the ``pooled_back_office`` intervention) works through three mechanisms,
each recorded separately per practice and day: one queue per role for the pool (statistical
economies: less waiting and overtime), specialisation (shorter handling after a learning period)
and shared functions; and its costs: hand-off minutes, set-up months, a transition dip.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.config.back_office import ADMIN_ROLES, Coordinators
from sim.model.back_office_day import work_day
from sim.model.back_office_queue import enqueue, queued
from sim.model.phases import Phase
from sim.model.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    from sim.model.model import GPSimModel

ARRIVING, DONE, WAITING, SHARED = 0, 1, 2, 3
TASK_STATES = {ARRIVING: "not yet arrived", DONE: "done", WAITING: "waiting at end", SHARED: "done once for the pool"}
R = len(ADMIN_ROLES)
COORD = ADMIN_ROLES.index("workflow_coordinator")
PM = ADMIN_ROLES.index("practice_manager")
WORKING_DAYS_PER_YEAR = 252.0  # England: 261 weekdays less 8-9 bank holidays
RECORDS = ("busy", "overtime", "spec_saved", "dip_added", "handoff_added", "shared_saved", "setup",
           "released", "coordinator", "backlog")


@dataclass
class Pool:
    """One pool of practices' back offices (from one ``pooled_back_office`` intervention)."""

    practices: tuple[int, ...]
    start: int  # internal day the intervention starts (set-up begins)
    runs_from: int  # internal day the pool runs (start + set-up months)
    end: int  # internal day it ends
    queue_pooling: bool
    reduction: float  # specialisation: handling time saved once learnt (0 when off)
    learning_days: float
    keep_shared: float  # share of shared-function tasks the pool still does (1 when off)
    handoff_minutes: float
    dip_days: float
    dip: float
    setup_minutes_per_practice_day: float
    redeploy: str
    coordinators: Coordinators
    team_base: int = 0  # first team id of the pool (one team per admin role)


@dataclass
class BackOfficeState:
    """The back office of a run: task table, admin roles of staff, pools and the daily records."""

    kind_names: list[str]
    role_of_kind: np.ndarray  # task kind -> admin role index
    minutes: np.ndarray  # (kind, role) mean handling minutes (NaN where the role does not do it)
    target_days: np.ndarray  # kind -> turnaround target, working days
    shared_kind: np.ndarray  # kind -> organisation function
    corr_kind: np.ndarray  # kind -> clinical correspondence (workflow coordinators may take it)
    practice: np.ndarray  # per task (sorted by arrival)
    kind: np.ndarray
    arrival: np.ndarray  # absolute minute
    e: np.ndarray  # Exp(1) handling draw
    day_first: np.ndarray  # (n_days + 1) first task arriving each day
    state: np.ndarray
    took: np.ndarray  # arrival to done, working days of 24 hours (NaN while not done)
    working_before: np.ndarray  # (n_days + 1) working days before each day
    admin_staff: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # admin agents
    admin_role: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # their admin roles
    pools: list[Pool] = field(default_factory=list)
    backlog: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # set at the end of the run
    head: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # per cell (practice x kind)
    tail: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # per cell
    count: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # per cell: tasks waiting
    nxt: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # per task: next in its cell
    added_coordinator_minutes: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per practice per day
    cut_minutes: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per practice per day (redeployed)
    review_minutes: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per correspondence task
    records: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (day, practice) minutes or counts
    record_block: np.ndarray = field(default_factory=lambda: np.zeros((len(RECORDS), 0, 0)))  # records' storage
    desk_share: np.ndarray = field(default_factory=lambda: np.zeros(R))  # admin role -> share at the front desk
    unpooled: tuple | None = None  # (teams, factors) while no pool exists: the same every day, built once


def build_back_office(model: GPSimModel) -> None:
    """Draw the run's admin tasks, give admin staff their admin roles and register the daily process."""
    cfg = model.scenario.back_office
    model.back_office = None
    if not cfg.enabled:
        return
    names = list(cfg.tasks)
    n_k, n_p, n_d = len(names), len(model.practices), model.n_sim_days
    minutes = np.full((n_k, R), np.nan)
    for k, name in enumerate(names):
        for role, m in cfg.tasks[name].handling_minutes.items():
            minutes[k, ADMIN_ROLES.index(role)] = m
    lists = np.array([p.list_size for p in model.practices], dtype=float)
    staff = np.array([sum(1 for s in p.staff if not model.staff[s].hub_post) for p in model.practices], dtype=float)
    per_day = np.zeros((n_p, n_k))  # expected tasks per working day
    for k, name in enumerate(names):
        t = cfg.tasks[name]
        if t.basis == "per_1000_patients_week":
            per_day[:, k] = t.rate * lists / 1000.0 / 5.0
        elif t.basis == "per_staff_month":
            per_day[:, k] = t.rate * staff * 12.0 / WORKING_DAYS_PER_YEAR
        else:
            per_day[:, k] = t.rate * 12.0 / WORKING_DAYS_PER_YEAR
    rng = model.streams.get("back-office/arrivals")
    work = np.flatnonzero(model.cal.is_working_day[:n_d])
    counts = rng.poisson(np.broadcast_to(per_day, (work.size, n_p, n_k)))
    flat = counts.ravel()
    # cells run day by day, so tasks are grouped by arrival day (each team's queue is sorted when served)
    practice = np.repeat(np.tile(np.repeat(np.arange(n_p, dtype=np.int32), n_k), work.size), flat)
    kind = np.repeat(np.tile(np.arange(n_k, dtype=np.int8), n_p * work.size), flat)
    per_work_day = counts.reshape(work.size, -1).sum(axis=1)
    n = int(per_work_day.sum())
    arrival = np.repeat(work * 1440.0 + cfg.open_minute, per_work_day)
    within = rng.random(n)
    within *= cfg.close_minute - cfg.open_minute
    arrival += within  # in place: large temporaries are slow to allocate
    del within
    e = rng.standard_exponential(n, dtype=np.float32)
    on_day = np.zeros(n_d, dtype=np.int64)
    on_day[work] = per_work_day
    day_first = np.concatenate([[0], np.cumsum(on_day)])
    st = BackOfficeState(
        kind_names=names, role_of_kind=np.array([ADMIN_ROLES.index(cfg.tasks[x].role) for x in names]),
        minutes=minutes, target_days=np.array([cfg.tasks[x].target_working_days for x in names]),
        shared_kind=np.array([cfg.tasks[x].shared_function for x in names]),
        corr_kind=~np.isnan(minutes[:, ADMIN_ROLES.index("workflow_coordinator")]),
        practice=practice, kind=kind, arrival=arrival,
        e=e, day_first=day_first, state=np.zeros(n, dtype=np.int8),
        took=np.full(n, np.nan, dtype=np.float32),
        working_before=np.concatenate([[0], np.cumsum(model.cal.is_working_day)]).astype(np.float64),
        added_coordinator_minutes=np.zeros(n_p), cut_minutes=np.zeros(n_p), review_minutes=np.zeros(n_p),
        record_block=np.zeros((len(RECORDS), n_d, n_p)),
        desk_share=np.array([cfg.front_desk_share.get(r, 0.0) for r in ADMIN_ROLES]),
        head=np.full(n_p * n_k, -1, dtype=np.int64), tail=np.full(n_p * n_k, -1, dtype=np.int64),
        count=np.zeros(n_p * n_k, dtype=np.int64), nxt=np.full(n, -1, dtype=np.int32 if n < 2**31 else np.int64))
    st.records = dict(zip(RECORDS, st.record_block, strict=True))  # views: the compiled day writes the block
    model.back_office = st
    for p in model.practices:
        assign_roles(model, [s for s in p.staff if model.staff[s].kind == "admin"])
    model.phases.on(Phase.DAY_START, _open_back_office)
    model.phases.on(Phase.MONTH_START, redeploy)
    model.phases.on(Phase.FINISH, _close_back_office)


def assign_roles(model: GPSimModel, admins: list[int], role: str | None = None) -> None:
    """Give admin staff ``admins`` their admin roles: ``role``, else the practice's FTE split by role_shares (replacing any they had)."""
    st = model.back_office
    if st is None:
        return
    if not admins:
        return
    if role is not None:
        roles = np.full(len(admins), ADMIN_ROLES.index(role), dtype=np.int64)
    else:
        shares = model.scenario.back_office.role_shares
        bounds = np.cumsum([shares.get(r, 0.0) for r in ADMIN_ROLES])
        fte = np.array([model.staff[s].fte for s in admins])
        mid = (np.cumsum(fte) - fte / 2) / max(fte.sum(), 1e-9)  # each agent's place in the practice's admin FTE
        roles = np.minimum(np.searchsorted(bounds, mid, side="right"), R - 1).astype(np.int64)
    keep = ~np.isin(st.admin_staff, admins)  # a role given again replaces the one an admin had (add_staff's)
    st.admin_staff = np.concatenate([st.admin_staff[keep], np.asarray(admins, dtype=np.int64)])
    st.admin_role = np.concatenate([st.admin_role[keep], roles])


def take_over_role(model: GPSimModel, post_of: int, recruit: int) -> None:
    """A recruit into an admin post joins the back office in that post's role, so a leaver's tasks get a server.

    ``post_of``: the staff member whose post it is (the leaver, or the one a vacancy seeded at the start
    twins). Without a role of theirs the recruit takes the practice's admin role furthest below its share.
    """
    st = model.back_office
    if st is None:
        return
    at = np.flatnonzero(st.admin_staff == post_of)
    if at.size:
        assign_roles(model, [recruit], ADMIN_ROLES[int(st.admin_role[at[-1]])])
        return
    active, fte = model.staff_status()
    unit = model.staff_table()["unit"]
    mine = (unit[st.admin_staff] == unit[recruit]) & active[st.admin_staff] & (st.admin_staff != recruit)
    have = np.bincount(st.admin_role[mine], weights=fte[st.admin_staff[mine]], minlength=R)
    shares = model.scenario.back_office.role_shares
    want = np.array([shares.get(r, 0.0) for r in ADMIN_ROLES]) * (have.sum() + fte[recruit])
    assign_roles(model, [recruit], ADMIN_ROLES[int(np.argmax(want - have))])


# ------------------------------------------------------------------------------ the working day
def _teams(model: GPSimModel, t: int) -> np.ndarray:
    """(practice, role) -> team id on day ``t``: its own, or its pool's when the pool runs with one queue."""
    n_p = len(model.practices)
    team = (np.arange(n_p)[:, None] * R + np.arange(R)[None, :]).astype(np.int64)
    for pool in model.back_office.pools:
        if pool.queue_pooling and pool.runs_from <= t < pool.end:
            team[list(pool.practices)] = pool.team_base + np.arange(R)[None, :]
    return team


def _factors(model: GPSimModel, t: int) -> tuple[np.ndarray, ...]:
    """Per practice on day ``t``: specialisation reduction, dip, hand-off minutes, shared keep, set-up minutes."""
    n_p = len(model.practices)
    spec, dip, handoff, keep, setup = np.zeros(n_p), np.zeros(n_p), np.zeros(n_p), np.ones(n_p), np.zeros(n_p)
    for pool in model.back_office.pools:
        ps = list(pool.practices)
        if pool.start <= t < min(pool.runs_from, pool.end):
            setup[ps] += pool.setup_minutes_per_practice_day
        if not pool.runs_from <= t < pool.end:
            continue
        ran = t - pool.runs_from
        learnt = 1.0 if pool.learning_days <= 0 else min(1.0, ran / pool.learning_days)
        spec[ps] = pool.reduction * learnt
        dip[ps] = pool.dip if ran < pool.dip_days else 0.0
        handoff[ps] = pool.handoff_minutes if pool.queue_pooling else 0.0
        keep[ps] = pool.keep_shared
    return spec, dip, handoff, keep, setup


def _open_back_office(model: GPSimModel, t: int) -> None:
    """DAY_START: on a working day, start the back office's SimPy process for the day."""
    if model.cal.is_working_day[t]:
        model.env.process(_work_day(model, t))


def _work_day(model: GPSimModel, t: int):
    """The day's back-office process: at opening, serve every team's queue; it ends with the last task."""
    cfg = model.scenario.back_office
    base = t * 1440.0
    yield model.env.timeout(max(0.0, base + cfg.start_minute - model.env.now))
    last = serve_day(model, t)
    if last > model.env.now:
        yield model.env.timeout(last - model.env.now)


def serve_day(model: GPSimModel, t: int) -> float:
    """Serve day ``t``'s queues (backlog first, then today's arrivals); returns the last finish (minute)."""
    st, cfg = model.back_office, model.scenario.back_office
    rec = st.records
    n_p = len(model.practices)
    if st.pools:
        team_of, factors = _teams(model, t), _factors(model, t)
    else:  # no pool: every practice's own teams and no pooling effects, every day (built once)
        if st.unpooled is None:
            st.unpooled = (_teams(model, t), _factors(model, t))
        team_of, factors = st.unpooled
    spec, dip, handoff, keep, setup = factors
    if st.pools and st.day_first[t + 1] > st.day_first[t] and (keep < 1.0).any():
        new = np.arange(st.day_first[t], st.day_first[t + 1])
        # each task's draw keyed by its arrival day and place among the day's tasks: the same in every scenario
        u = model.streams.keyed("back-office/shared", t).random(new.size)
        absorbed = st.shared_kind[st.kind[new]] & (u >= keep[st.practice[new]])
        gone = new[absorbed]
        st.state[gone] = SHARED
        st.took[gone] = 0.0
        kg = st.kind[gone]
        rec["shared_saved"][t] += np.bincount(st.practice[gone], weights=st.e[gone] * st.minutes[kg, st.role_of_kind[kg]],
                                              minlength=n_p)
    # today's arrivals (less those a pool's shared functions absorbed) join the tails of their cells' queues; the
    # servers are the admin staff in post and present, each starting at start_minute with the front desk (the
    # morning rush), then the back office; every team serves its queue (sim.model.back_office_day)
    active, fte = model.staff_status()
    return work_day(st.day_first[t], st.day_first[t + 1], ARRIVING, st.practice, st.kind, st.arrival, st.e, st.state,
                    DONE, st.took, st.head, st.tail, st.count, st.nxt, st.admin_staff, st.admin_role, active, fte,
                    model.absent, model.staff_table()["unit"], st.desk_share, float(cfg.full_time_minutes_per_day),
                    bool(st.pools), PM, setup, st.cut_minutes, team_of, t * 1440.0 + cfg.start_minute, st.corr_kind,
                    st.role_of_kind, st.review_minutes, COORD, st.minutes, spec, dip, handoff, st.working_before,
                    st.record_block, t)


def requeue(st: BackOfficeState) -> None:
    """Rebuild the cells' queues after tasks changed practice (a closure moves its waiting tasks)."""
    waiting = queued(st.head, st.count, st.nxt)
    st.head[:], st.tail[:], st.count[:] = -1, -1, 0
    enqueue(waiting[np.argsort(st.arrival[waiting], kind="stable")], st.practice, st.kind, len(st.kind_names),
            st.head, st.tail, st.count, st.nxt)


# ------------------------------------------------------------------------------ redeployment
def redeploy(model: GPSimModel, t: int) -> None:
    """MONTH_START: last month's released admin minutes go where each pool's rule sends them."""
    st = model.back_office
    rec = st.records
    last = slice(max(0, t - int(DAYS_PER_MONTH)), t)
    working = max(1, int(model.cal.is_working_day[last].sum()))
    freed = (rec["spec_saved"][last].sum(0) + rec["shared_saved"][last].sum(0) - rec["handoff_added"][last].sum(0)
             - rec["dip_added"][last].sum(0)) / working
    freed = np.maximum(freed, 0.0)
    lists = np.array([p.list_size for p in model.practices], dtype=float)
    for pool in st.pools:
        ps = list(pool.practices)
        running = pool.runs_from <= t < pool.end
        if pool.redeploy == "coordinators" or not running:
            st.cut_minutes[ps] = 0.0
        else:
            st.cut_minutes[ps] = freed[ps]
        if pool.redeploy != "coordinators":
            continue
        if not pool.start <= t < pool.end:
            st.review_minutes[ps] = 0.0
            model.levers.correspondence_share_kept[ps] = 1.0
            continue
        coord = st.added_coordinator_minutes[ps] + (freed[ps] if running else 0.0)
        moved = coordinator_share(model, pool.coordinators, lists[ps], coord)
        st.review_minutes[ps] = pool.coordinators.review_minutes_per_document * moved
        model.levers.correspondence_share_kept[ps] = 1.0 - moved


def coordinator_share(model: GPSimModel, cfg: Coordinators, lists: np.ndarray, minutes_per_day: np.ndarray) -> np.ndarray:
    """Share of GP correspondence that coordinator minutes a day can take (at most ``max_moved_share``)."""
    task = model.scenario.back_office.tasks.get("clinical_correspondence")
    if task is None or cfg.review_minutes_per_document <= 0:
        return np.zeros(lists.size)
    docs_per_day = task.rate * lists / 1000.0 / 5.0
    need = docs_per_day * cfg.review_minutes_per_document
    return np.minimum(cfg.max_moved_share, np.where(need > 0, minutes_per_day / np.maximum(need, 1e-9), 0.0))


def add_pool(model: GPSimModel, pool: Pool) -> None:
    """Register a pool; it takes the next block of team ids (redeployment: at month starts and ``redeploy``)."""
    st = model.back_office
    if st is None:
        return
    n_p = len(model.practices)
    pool.team_base = n_p * R + len(st.pools) * R
    st.pools.append(pool)


def _close_back_office(model: GPSimModel) -> None:
    """FINISH: tasks still queued are the backlog at the end of the run."""
    st = model.back_office
    st.backlog = queued(st.head, st.count, st.nxt)
    st.state[st.backlog] = WAITING
