"""Extended-access hubs worked by member practices' clinicians on a rota, and walk-in hubs.

``extended_access`` uses this module when ``staffed_from: member_practices`` or ``mode: walk_in``;
a booked hub with its own clinicians keeps the simpler path in :mod:`sim.model.interventions`.

- Posts. Each hub post (one clinician of a role on every hub session: ``staff: [{role, count}]``) is a
  shift agent in the hub's booking unit, so the booking code books it like any clinician. Its
  sessions come day by day from ``model.levers.session_override``, written by the weekly rota below; on other
  days it has none. Member-staffed posts have FTE 0: nobody is counted twice in the workforce.
- Rota. When the first day of a week (on or after the hub's start) is opened in the book, every hub
  session of that week gets a clinician: the post itself when the hub has its own staff (unless they
  are on leave or sick that day), else a clinician of the post's role from the member practices, rotating through them in an order seeded
  by (seed, replication) and skipping anyone absent that day, already on a hub shift that day, whose
  practice sessions overlap the hub session, or (redeployed hours) without enough practice minutes
  left that week. When nobody is free the session does not run (counted in ``Hub.unstaffed``).
- Hours. ``member_hours: redeployed`` cuts the hub minutes from the same clinician's practice
  sessions that week (the hub day first, then the week's other days in order, the latest session of a
  day first): their total clinical minutes are unchanged and some move to evenings and weekends.
  ``extra`` leaves practice sessions alone and counts the hub minutes in full as the clinician's
  overtime, so they feed burnout. If a clinician leaves, their hub shifts still ahead are given to
  another free member as extra hours (kept with the leaver if nobody is free).
- Attribution. At the end of each day the shift agent's staff-day row (slots, seen, DNAs, clinical,
  admin and overtime minutes) moves to the clinician who worked it; at the end of the run the ledger's
  ``staff`` of every appointment with the post on a worked day becomes that clinician (the ledger's
  ``hub`` column keeps where it happened). ``staff.parquet`` counts each clinician's ``hub_shifts``.
- Walk-in hubs. After a day's booking, the member practices' same-day requests that got no slot (no
  slot today, none within the urgent tolerance, no duty extra: they would be lost) and that a hub
  clinician on duty today may see join the hub queue at their request minute or the hub's first
  session still to end, whichever is later; requests made after the day's last hub session ends stay
  lost. :class:`sim.model.clinic.WalkInClinic` serves them first come, first served; a patient who waited
  longer than the maximum wait gives up (lost), those still queued when the day's last session ends
  are lost, and a consultation running past its session's end is overtime. Routine requests, and
  patients of walk-in practices (already in their practice's queue), never use a walk-in hub.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.model.calendar import MINUTES_PER_DAY
from sim.model.phases import Phase
from sim.model.staff_days import Sessions
from sim.model.states import BOOKED, LOST
from sim.model.units import FULL_TIME_HOURS_PER_WEEK
from sim.model.walk_in import arrive, consultation_minutes, open_clinic, serve
from sim.model.workforce import add_staff

if TYPE_CHECKING:
    from sim.config.interventions import ExtendedAccess
    from sim.model.agents import Staff
    from sim.model.model import GPSimModel

# a hub post's FTE is its weekly hours / FULL_TIME_HOURS_PER_WEEK, clamped to this range: at least a
# token 0.05 FTE (an hour or two a week still counts as a post) and at most 1.5 FTE (a seven-day
# rota worked by one post would otherwise count as several people)
MIN_HUB_POST_FTE = 0.05
MAX_HUB_POST_FTE = 1.5

# (clinician k, role, weekday, start minute, minutes) of one clinician-session of a hub week
HubItem = tuple[int, str, int, int, float]


def hub_post_fte(hours_per_week: float) -> float:
    """FTE of a hub post working ``hours_per_week`` (clamped, see MIN_HUB_POST_FTE / MAX_HUB_POST_FTE)."""
    return min(MAX_HUB_POST_FTE, max(MIN_HUB_POST_FTE, hours_per_week / FULL_TIME_HOURS_PER_WEEK))


def posts_by_clinician(items: list[HubItem]) -> dict[tuple[int, str], dict[int, Sessions]]:
    """A hub week's clinician-sessions grouped into posts: (clinician k, role) -> weekday -> sessions."""
    by_k: dict[tuple[int, str], dict[int, Sessions]] = {}
    for k, role, wd, s0, minutes in items:
        by_k.setdefault((k, role), {}).setdefault(wd, []).append((s0, minutes))
    return by_k


@dataclass
class HubPost:
    """One clinician position of a hub: its shift agent, role, weekly sessions and member practices."""

    agent: int
    role: str
    weekly: dict[int, Sessions]  # weekday (0 = Monday) -> sessions
    practices: list[int]  # whose clinicians may work it and (walk-in) whose patients it serves


@dataclass
class Shift:
    """One hub day of one post and the clinician who works it."""

    day: int
    agent: int
    home: int
    minutes: float
    extra: bool = False  # minutes on top of the clinician's practice sessions: counted as overtime


@dataclass
class Hub:
    """Rota, attribution and walk-in queue of one ``extended_access`` intervention."""

    iv: ExtendedAccess
    start: int
    end: int
    last_open: int  # last internal day the book ever opens
    posts: list[HubPost] = field(default_factory=list)
    shifts: dict[int, list[Shift]] = field(default_factory=dict)  # day -> shifts
    planned_weeks: set[int] = field(default_factory=set)
    attributed: set[int] = field(default_factory=set)  # days whose shifts were moved to their clinicians
    turn: dict[tuple, int] = field(default_factory=dict)  # rota pointer per (practices, role)
    unstaffed: int = 0

    @property
    def member(self) -> bool:
        """True when member practices' clinicians work the hub."""
        return self.iv.staffed_from == "member_practices"

    @property
    def redeploy(self) -> bool:
        """True when hub minutes come out of the clinician's practice sessions."""
        return self.member and self.iv.member_hours == "redeployed"

    # ------------------------------------------------------------------ rota
    def plan(self, model: GPSimModel, t: int) -> None:
        """Open-day hook: staff every hub session of the week of day ``t`` the first time it opens."""
        if t < self.start or t >= self.end or t > self.last_open:
            return
        week = t - int(model.cal.weekday[t])
        if week in self.planned_weeks:
            return
        self.planned_weeks.add(week)
        days = [u for u in range(t, week + 7) if u < self.end and u <= self.last_open]
        for u in days:
            if model.cal.is_bank_holiday[u]:
                continue
            wd = int(model.cal.weekday[u])
            for post in self.posts:
                sessions = post.weekly.get(wd)
                if not sessions or not model.staff[post.agent].active:
                    continue
                if not self.member and model.absent[post.agent, u]:
                    continue  # a hub-employed clinician on leave or sick: the session does not run
                minutes = sum(m for _, m in sessions)
                home = self._pick(model, post, u, sessions, days if self.redeploy else None)
                if home < 0:
                    self.unstaffed += 1
                    continue
                model.levers.session_override[(post.agent, u)] = list(sessions)
                self.shifts.setdefault(u, []).append(Shift(u, post.agent, home, minutes,
                                                           extra=self.member and not self.redeploy))
                if self.redeploy:
                    _deduct(model, home, minutes, u, days)

    def _members(self, model: GPSimModel, post: HubPost) -> list[int]:
        """Clinicians of the post's role in its practices, in a rota order seeded by the replication."""
        posts = {p.agent for hub in model.hubs for p in hub.posts}  # a split hub's posts sit in practices
        out = [s for p in post.practices for s in model.practices[p].staff
               if model.staff[s].role == post.role and model.staff[s].active and s not in posts]
        return sorted(out, key=lambda s: model.streams.rank(model.staff[s].key))

    def _pick(self, model: GPSimModel, post: HubPost, u: int, sessions: Sessions, week: list[int] | None) -> int:
        """The next free member on the rota for day ``u`` (-1 if none); ``week``: days to take hours from."""
        if not self.member:
            return post.agent
        pool = self._members(model, post)
        key = (tuple(post.practices), post.role)
        k0 = self.turn.get(key, 0)
        minutes = sum(m for _, m in sessions)
        for j in range(len(pool)):
            m = pool[(k0 + j) % len(pool)]
            if _free(model, m, u, sessions) and (week is None or _spare_minutes(model, m, week) >= minutes - 1e-9):
                self.turn[key] = k0 + j + 1
                return m
        return -1

    def on_leave(self, model: GPSimModel, agent: Staff, day: int) -> None:
        """Leave listener: a leaver's hub shifts from ``day`` on go to another free member, as extra hours."""
        posts = {p.agent: p for p in self.posts}
        for u, shifts in self.shifts.items():
            if u < day:
                continue
            for sh in shifts:
                if sh.home != agent.index or sh.agent not in posts:
                    continue
                new = self._pick(model, posts[sh.agent], u, model.levers.session_override[(sh.agent, u)], None)
                if new >= 0:
                    sh.home, sh.extra = new, True

    # ------------------------------------------------------------------ attribution
    def attribute(self, model: GPSimModel, t: int) -> None:
        """Day-end hook: move each member-worked shift's staff-day row to the clinician who worked it."""
        sd = model.staff_days
        self.attributed.add(t)
        for sh in self.shifts.get(t, []):
            if sh.home == sh.agent:
                continue
            sd.move_day(sh.agent, sh.home, t)
            if sh.extra:
                sd.overtime_minutes[sh.home, t] += sh.minutes

    def finalise(self, model: GPSimModel) -> None:
        """Finalise hook: mark hub appointments and give member-worked ones to the real clinician.

        The model closes the last day before this hook; the check below only guards a run stopped early.
        """
        last = model.n_sim_days - 1
        if last not in self.attributed:
            self.attribute(model, last)
        agents = np.array([p.agent for p in self.posts], dtype=np.int32)
        at_hub = np.isin(model.appt_staff, agents)
        model.hub_appointment = at_hub if model.hub_appointment is None else (model.hub_appointment | at_hub)
        home = {(sh.agent, sh.day): sh.home for shifts in self.shifts.values() for sh in shifts
                if sh.home != sh.agent}
        if not home:
            return
        for i in np.flatnonzero(at_hub).tolist():
            h = home.get((int(model.appt_staff[i]), int(model.appt_day[i])))
            if h is not None:
                model.appt_staff[i] = h

    def worked(self, model: GPSimModel) -> list[Shift]:
        """Shifts on simulated reporting days (after warm-up, before the horizon end)."""
        w, n = model.cal.warm_up, model.n_sim_days
        return [sh for u, shifts in self.shifts.items() if w <= u < n for sh in shifts]

    # ------------------------------------------------------------------ walk-in
    def walk_in(self, model: GPSimModel, d: int) -> None:
        """After-booking hook: today's same-day requests left without a slot queue at the hub."""
        shifts = self.shifts.get(d)
        if not shifts or self.iv.mode != "walk_in":
            return
        posts = {p.agent: p for p in self.posts}
        queues: dict[tuple[int, ...], list[Shift]] = {}
        for sh in shifts:
            queues.setdefault(tuple(posts[sh.agent].practices), []).append(sh)
        for practices, group in queues.items():
            self._queue(model, d, list(practices), group)

    def _queue(self, model: GPSimModel, d: int, practices: list[int], group: list[Shift]) -> None:
        R = model.requests
        a, b = model.day_start[d], model.day_start[d + 1]
        if a == b:
            return
        roles = {model.role_index[model.staff[sh.agent].role] for sh in group}
        windows = sorted({(s0, s0 + m) for sh in group for s0, m in model.levers.session_override[(sh.agent, d)]})
        if not windows:
            return
        last_end = max(e for _, e in windows)
        members = [p for p in practices if not model.walk_in_practices[p]]
        cand = np.flatnonzero((model.state[a:b] == LOST) & R.urgent[a:b] & np.isin(R.practice[a:b], members)
                              & (R.minute[a:b] < last_end)) + a
        base = d * MINUTES_PER_DAY
        patients = []
        for rid in cand.tolist():
            eligible = frozenset(model.need_roles[int(R.need[rid])] & roles)
            if not eligible:
                continue
            minute = int(R.minute[rid])
            at = max(minute, min(s0 for s0, e in windows if e > minute))
            model.state[rid] = BOOKED  # pending: served or lost in today's queue
            patients.append((base + at, rid, eligible, consultation_minutes(model, rid, eligible)))
        if not patients:
            return
        clinic = open_clinic(model, self.iv.walk_in_max_wait_minutes or model.scenario.walk_in.max_wait_minutes)
        for sh in group:  # a consultation running past the session's end is overtime
            r = model.role_index[model.staff[sh.agent].role]
            for s0, m in model.levers.session_override[(sh.agent, d)]:
                model.env.process(serve(model, clinic, sh.agent, r, base + s0, base + s0 + m, overtime_day=d))
        patients.sort(key=lambda p: (p[0], p[1]))
        model.env.process(arrive(model.env, clinic, patients, base + last_end))


def _free(model: GPSimModel, m: int, u: int, sessions: Sessions) -> bool:
    """Clinician ``m`` can work a hub session on day ``u``: in post, present, not on another hub shift, no clash."""
    agent = model.staff[m]
    if not agent.active or agent.joined_day > u or model.absent[m, u]:
        return False
    if any(m == sh.home for hub in model.hubs for sh in hub.shifts.get(u, ())):
        return False
    own = model.sessions_of(m, u)
    return not any(s0 < h0 + hm and h0 < s0 + mm for s0, mm in own for h0, hm in sessions)


def _spare_minutes(model: GPSimModel, m: int, week: list[int]) -> float:
    """Practice session minutes clinician ``m`` still works on the given days (present days only)."""
    return sum(mm for x in week if not model.absent[m, x] for _, mm in model.sessions_of(m, x))


def _deduct(model: GPSimModel, m: int, minutes: float, u: int, week: list[int]) -> None:
    """Cut ``minutes`` from ``m``'s practice sessions: day ``u`` first, then the week in order, latest first."""
    left = minutes
    for x in [u] + [x for x in week if x != u]:
        if left <= 1e-9:
            break
        if model.absent[m, x]:
            continue
        sess = list(model.sessions_of(m, x))
        if not sess:
            continue
        for i in range(len(sess) - 1, -1, -1):
            s0, mm = sess[i]
            take = min(mm, left)
            sess[i] = (s0, mm - take)
            left -= take
            if left <= 1e-9:
                break
        model.levers.session_override[(m, x)] = [(s0, mm) for s0, mm in sess if mm > 1e-9]


def add_hub(model: GPSimModel, iv: ExtendedAccess, start: int, end: int,
            units: list[tuple[int, list[int], list[HubItem]]]) -> Hub:
    """Create the posts of one hub intervention and register its hooks.

    ``units``: (booking unit, member practices, clinician-session items) for each hub, or for each
    practice when the same hours are split across practices (``pooled: false``).
    """
    H = model.scenario.booking.book_ahead_days
    hub = Hub(iv=iv, start=start, end=end, last_open=model.n_sim_days + H - 1)
    n_practices = len(model.practices)
    for unit, members, items in units:
        code = model.unit_level(unit)[1]
        for (k, role), weekly in posts_by_clinician(items).items():
            hours = sum(m for v in weekly.values() for _, m in v) / 60.0
            fte = 0.0 if hub.member else hub_post_fte(hours)
            n_sessions = float(sum(len(v) for v in weekly.values()))
            agent = add_staff(model, role, unit, start, fte=fte, sessions=n_sessions, key=f"{code}/hub/{role}/{k}",
                              same_day_share=iv.same_day_slot_share, hub_post=True, event="hub_added")
            model.pattern[agent.index] = 0.0  # works only the sessions the rota gives it
            if hub.member:
                model.absent[agent.index] = False  # absence belongs to the clinician on the rota
            if iv.mode == "walk_in":
                model.levers.walk_in_staff.add(agent.index)
            hub.posts.append(HubPost(agent.index, role, weekly, [unit] if unit < n_practices else list(members)))
            if end < model.cal.n:
                model.phases.at(end, lambda m, d, s=agent.index: _close(m, s, d))
    model.hubs.append(hub)
    model.phases.on(Phase.BOOK_OPENING, hub.plan)
    model.phases.on(Phase.AFTER_BOOKING, hub.walk_in)
    model.phases.on(Phase.DAY_END, hub.attribute)
    model.phases.on(Phase.FINISH, hub.finalise)
    if hub.member:
        model.phases.on(Phase.STAFF_LEFT, hub.on_leave)
    return hub


def _close(model: GPSimModel, s: int, day: int) -> None:
    """The hub closes: its post leaves (no vacancy to refill, no patients to re-register)."""
    agent = model.staff[s]
    agent.active = False
    agent.left_day = day
    model.events.append({"day": day, "staff": s, "role": agent.role, "unit": model.unit_level(agent.unit)[1],
                         "event": "hub_closed", "fte": agent.fte})
