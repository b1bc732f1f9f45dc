"""Workforce dynamics: staff joining and leaving mid-run, burnout feedback, and absence cover.

Leavers' free slots disappear and their booked patients are rebooked (or lost); their registered
patients move to another GP of the practice. Recruits open their diaries from their first day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.model.back_office import take_over_role
from sim.model.build import FILL_ORDER, add_calendars, rebuild_options
from sim.model.daycycle import open_for_joiner
from sim.model.diary import grow, reindex
from sim.model.phases import Phase
from sim.model.rebooking import rebook_routine
from sim.model.staff_days import Sessions
from sim.model.states import LOST

if TYPE_CHECKING:
    from sim.model.agents import Staff
    from sim.model.model import GPSimModel

# burnout looks back over this many days of overtime at each month start (about one month)
BURNOUT_WINDOW_DAYS = 30


def add_staff(model: GPSimModel, role: str, unit: int, day: int, *, fte: float = 1.0,
              sessions: float | None = None, age: int = 40, contract: str | None = None, key: str,
              custom_sessions: dict[int, Sessions] | None = None, same_day_share: float | None = None,
              hub_post: bool = False, event: str = "joined", slot_minutes: float | None = None) -> Staff:
    """A new staff member in booking unit ``unit`` working from internal day ``day``.

    ``slot_minutes``: their own slot length instead of their role's (GP trainees). A post at a closed
    practice starts at its successor (sim.model.closures): the patients are there.
    """
    while unit in model.successor:
        unit = model.successor[unit]
    agent = model.make_staff(role, unit, fte, sessions, age, contract, key, joined_day=day, hub_post=hub_post)
    agent.slot_minutes = slot_minutes
    add_calendars(model, [agent])
    model.staff_days.grow(1)
    level, code = model.unit_level(unit)
    if level == "practice":
        model.practices[unit].staff.append(agent.index)
    elif level == "pcn":
        model.pcns[unit - len(model.practices)].staff.append(agent.index)
    else:
        model.lgpo.staff.append(agent.index)
    if custom_sessions is not None:
        model.levers.custom_sessions[agent.index] = custom_sessions
    if same_day_share is not None:
        model.levers.hub_same_day_share[agent.index] = same_day_share
    grow(model.diaries, 1)  # diary rows are staff indices: a row for everyone, clinician or not
    if agent.is_clinician:
        new_diary = (unit, model.role_index[role]) not in model.diaries.roles
        rd = model.diaries.add_clinician(agent.index, unit, model.role_index[role])
        if new_diary and model.built:
            rebuild_options(model)
        # open the days of the book already open for everyone (today .. open_until); later days
        # open with everyone else's
        if model.built and day <= model.open_until:
            open_for_joiner(model, agent, max(day, model.today), model.open_until)
            reindex(model.diaries, rd, model.today, model.open_until + 1)
    if day > 0 or model.built:
        model.events.append({"day": day, "staff": agent.index, "role": role, "unit": code, "event": event,
                             "fte": fte})
    if agent.kind == "admin":  # every admin recruit serves the back office (the practice's role most short)
        take_over_role(model, -1, agent.index)
    return agent


def remove_staff(model: GPSimModel, s: int, day: int, event: str = "left", notify: bool = True) -> None:
    """Staff member ``s`` leaves at the start of internal day ``day``.

    ``notify``: run the STAFF_LEFT hooks (a vacancy recruitment may refill); False when a post ends.
    """
    agent = model.staff[s]
    if not agent.active:
        return
    agent.active = False
    agent.left_day = day
    _level, code = model.unit_level(agent.unit)
    model.events.append({"day": day, "staff": s, "role": agent.role, "unit": code, "event": event,
                         "fte": agent.fte})
    if agent.is_clinician:
        model.diaries.close_from(s, day)
        _clear_work_from(model, s, day)
        _rebook_patients_of(model, s, day)
        if agent.kind == "gp":
            _reregister(model, s)
    if notify:
        model.phases.run(Phase.STAFF_LEFT, model, agent, day)


def _clear_work_from(model: GPSimModel, s: int, day: int) -> None:
    """A leaver works nothing from ``day`` on: duty extras, offered slots, walk-in minutes and sessions go.

    Days already open in the book were given the leaver's extras, slot counts (which decide who does
    the correspondence) and walk-in minutes when they opened; later days must not give them sessions.
    """
    model.diaries.extras[s, day:] = 0
    sd = model.staff_days
    sd.offered_slots[s, day:] = 0
    sd.session_minutes[s, day:] = 0
    sd.supervision_minutes[s, day:] = 0
    for key in [k for k in model.walk_in_budget if k[0] == s and k[1] >= day]:
        del model.walk_in_budget[key]
    model.pattern[s] = 0.0
    model.levers.custom_sessions.pop(s, None)


def hand_over_patients(model: GPSimModel, leaver: int, recruit: int) -> None:
    """A GP recruited into a leaver's vacancy becomes the usual GP of the leaver's patients.

    The patients were spread over the practice's other GPs when the leaver left (continuity lost);
    the recruit takes the whole list back, as a new GP taking over a partner's list does.
    """
    idx = model.former_list.pop(leaver, None)
    if idx is None or idx.size == 0:
        return
    pop = model.population
    idx = idx[pop.practice[idx] == model.staff[recruit].unit]
    pop.usual_gp[idx] = recruit


def _rebook_patients_of(model: GPSimModel, s: int, day: int) -> None:
    """Appointments booked with a leaver from ``day`` on are rebooked from today, or lost."""
    rids = model.day_book.remove_staff(s, day, model.appt_staff)
    if not rids:
        return
    R, rules = model.requests, model.rules
    idx = np.asarray(rids, dtype=np.int64)
    # one compiled call books them in turn, exactly as book_request for each would
    staff, days, pool = rebook_routine(model.diaries, idx, R.practice, R.need, len(model.need_names),
                                       model.options_csr, day, model.scenario.booking.book_ahead_days,
                                       rules.book_ahead_days, rules.continuity_extra_days,
                                       float(rules.preference_days_per_rank))
    ok = staff >= 0
    model.appt_staff[idx], model.appt_day[idx], model.appt_pool[idx] = staff, days, pool
    model.day_book.add(idx[ok], days[ok])  # in booking order, as one add_one each would
    model.state[idx[~ok]] = LOST


def _reregister(model: GPSimModel, s: int) -> None:
    """Patients of a GP who left get another GP of the practice (continuity is lost)."""
    pop = model.population
    idx = np.flatnonzero(pop.usual_gp == s)
    if idx.size == 0:
        return
    # the leaver's own list: not patients held for another leaver's vacancy (they go back to its recruit)
    held = [v for v in model.former_list.values() if v.size]
    if held:  # a mask over the population: the same as np.isin, without sorting both lists per leaver
        is_held = np.zeros(pop.usual_gp.size, dtype=bool)
        for v in held:
            is_held[v] = True
        own = idx[~is_held[idx]]
    else:
        own = idx
    if own.size:
        model.former_list[s] = own
    practice = int(pop.practice[idx[0]])
    gps = [g for g in model.practices[practice].staff if model.staff[g].kind == "gp" and model.staff[g].active
           and not model.staff[g].trainee_year]  # a trainee is nobody's usual GP
    if not gps:
        pop.usual_gp[idx] = -1
        return
    rng = model.streams.keyed(s)  # keyed by the leaver: common random numbers
    pop.usual_gp[idx] = np.asarray(gps, dtype=np.int32)[rng.integers(0, len(gps), size=idx.size)]


def _fte_per_session(agent: Staff) -> float:
    """FTE one weekly session is worth on this clinician's contract (sessions / sessions_per_fte_week by default)."""
    return agent.contract_fte / agent.contract_sessions if agent.contract_sessions > 0 else 0.0


def reduce_sessions(model: GPSimModel, s: int, day: int, by: float = 1.0) -> None:
    """Drop ``by`` sessions a week from staff member ``s`` for days not yet opened; their FTE falls with them."""
    agent = model.staff[s]
    floor = model.scenario.workforce.min_sessions_per_week
    row = model.pattern[s]
    # only sessions the weekly pattern holds can go (a hub post works a rota, not a pattern: nothing to cut)
    new = max(floor, agent.sessions_per_week - min(by, float(row.sum())))
    cut = agent.sessions_per_week - new
    if cut <= 1e-9:
        return
    for h in np.flatnonzero(row > 0)[::-1]:
        take = min(row[h], cut)
        row[h] -= take
        agent.session_cuts.append((int(h), float(take)))
        cut -= take
        if cut <= 1e-9:
            break
    model.events.append({"day": day, "staff": s, "role": agent.role, "unit": model.unit_level(agent.unit)[1],
                         "event": "reduced_sessions", "fte": agent.sessions_per_week - new})
    agent.fte = max(0.0, agent.fte - (agent.sessions_per_week - new) * _fte_per_session(agent))
    agent.sessions_per_week = new


def restore_sessions(model: GPSimModel, s: int, day: int, by: float = 1.0) -> None:
    """Give back up to ``by`` of the sessions a week cut for burnout (never more than were cut); FTE rises with them.

    The half-days cut last come back first; a cut half-day now worked (a post moved by a merger) gives
    way to the first free half-day in the order a week is built.
    """
    agent = model.staff[s]
    give = min(by, sum(amount for _, amount in agent.session_cuts))
    if give <= 1e-9:
        agent.session_cuts.clear()
        return
    row, left = model.pattern[s], give
    while left > 1e-9 and agent.session_cuts:
        h, amount = agent.session_cuts.pop()
        if row[h] >= 1.0 - 1e-9:  # that half-day is worked (a merged post's new week): the first one with room
            h = next((k for k in FILL_ORDER if row[k] < 1.0 - 1e-9), -1)
            if h < 0:  # a full week: nothing more can come back
                agent.session_cuts.clear()
                break
        add = min(amount, left, 1.0 - row[h])
        row[h] += add
        left -= add
        if amount - add > 1e-9:
            agent.session_cuts.append((h, amount - add))
    given = give - max(left, 0.0)
    model.events.append({"day": day, "staff": s, "role": agent.role, "unit": model.unit_level(agent.unit)[1],
                         "event": "restored_sessions", "fte": given})
    agent.fte += given * _fte_per_session(agent)
    agent.sessions_per_week += given


def _usual_overtime(clinicians: list[Staff], overtime: dict[int, float], at_start: dict[int, float]) -> None:
    """Give clinicians seen for the first time the overtime their practice's role usually works.

    The usual overtime of their colleagues of the same role and unit where they have one (a recruit
    joins a practice's normal week); otherwise the mean overtime of that role and unit over the warm-up
    (``at_start``: before any intervention, the observed baseline's own overtime), or this month
    for a unit that had none then.
    """
    usual: dict[tuple[int, str], list[float]] = {}
    start: dict[tuple[int, str], list[float]] = {}
    now: dict[tuple[int, str], list[float]] = {}
    for agent in clinicians:
        key = (agent.unit, agent.role)
        now.setdefault(key, []).append(overtime[agent.index])
        if agent.index in at_start:
            start.setdefault(key, []).append(at_start[agent.index])
        if agent.usual_overtime is not None:
            usual.setdefault(key, []).append(agent.usual_overtime)
    for agent in clinicians:
        if agent.usual_overtime is None:
            key = (agent.unit, agent.role)
            agent.usual_overtime = float(np.mean(usual.get(key) or start.get(key) or now[key]))


def _overtime_per_fte_week(model: GPSimModel, clinicians: list[Staff], window: slice) -> dict[int, float]:
    """Each clinician's overtime over ``window`` per full-time week of their role (rostered clinicians only)."""
    sd = model.staff_days
    rostered = sd.session_minutes[:, window].sum(axis=1)
    overtime_minutes = sd.overtime_minutes[:, window].sum(axis=1)
    out = {}
    for agent in clinicians:
        s = agent.index
        if rostered[s] > 0:
            spec = model.role_specs[model.role_index[agent.role]]
            out[s] = overtime_minutes[s] / rostered[s] * spec.sessions_per_fte_week * spec.session_minutes / 60.0
    return out


def burnout_feedback(model: GPSimModel, day: int) -> None:
    """Monthly: overtime above a clinician's usual overtime builds burnout; burnout raises leaving and session cuts.

    Overtime is measured against the hours each clinician was rostered over the last month (their
    sessions, hub shifts included), then expressed per full-time week of their role: a clinician
    overrunning by the same share of their rostered time gets the same burnout whatever their FTE,
    so a part-time hub GP is not penalised for a small contract. For a clinician working their
    contracted sessions this equals overtime hours per FTE-week, the threshold's unit.

    Burnout builds from overtime more than the threshold above the overtime the clinician usually
    works (a trailing mean over ``overtime_reference_months``): the leaving response is calibrated
    to GPs whose hours rose (Fletcher et al. 2019), and the leaving and session cuts of the observed
    year's workload are in the background hazards already (docs/model.md). With
    ``overtime_reference_months`` 0 the threshold is absolute.

    Draws come from one uniform pair per clinician and month, keyed by the clinician: scenarios
    that differ elsewhere keep the same draws (common random numbers).
    """
    wf = model.scenario.workforce
    if day < BURNOUT_WINDOW_DAYS:
        return
    month_key = int(model.cal.dates[day].strftime("%Y%m"))
    clinicians = [a for a in model.staff if a.active and a.is_clinician and not a.cover_post]
    overtime = _overtime_per_fte_week(model, clinicians, slice(day - BURNOUT_WINDOW_DAYS, day))
    months = wf.overtime_reference_months
    if months > 0 and any(a.usual_overtime is None for a in clinicians):
        warm = model.scenario.warm_up_days
        at_start = _overtime_per_fte_week(model, clinicians, slice(0, warm if warm > 0 else BURNOUT_WINDOW_DAYS))
        _usual_overtime([a for a in clinicians if a.index in overtime], overtime, at_start)
    for agent in clinicians:
        s = agent.index
        worked = overtime.get(s, 0.0)
        usual = agent.usual_overtime if months > 0 and agent.usual_overtime is not None else 0.0
        excess = worked - usual - wf.overtime_threshold_hours_per_fte_week
        agent.overtime_excess = worked - usual  # the practice's strain reads it (sim.model.turnover)
        if months > 0 and s in overtime:  # the trailing mean moves after this month is judged against it
            agent.usual_overtime = usual + (worked - usual) / months
        if excess > 0:
            agent.burnout = min(1.0, agent.burnout + wf.burnout_gain_per_hour * excess)
        else:
            agent.burnout = max(0.0, agent.burnout - wf.burnout_recovery_per_month)
        recovered = agent.burnout < wf.session_recovery_burnout_threshold
        if recovered and agent.session_cuts:
            restore_sessions(model, s, day, wf.sessions_restored_per_month)
        if agent.burnout <= 0:
            continue
        u = model.streams.keyed(month_key, agent.key).random(2)
        if u[0] < wf.leave_probability_at_full_burnout * agent.burnout:
            model.resign(s, day, "left_burnout")  # with their notice (sim.model.turnover.resign)
        elif not recovered and u[1] < wf.reduce_sessions_probability_at_full_burnout * agent.burnout:
            reduce_sessions(model, s, day)


@dataclass
class CoverPool:
    """Clinician-days of absence cover a week, held by each practice alone or pooled in a PCN/LGPO."""

    roles: frozenset[str]
    pool_of_practice: dict[int, str]  # practice -> pool key
    weekly_days: dict[str, int]  # pool key -> cover clinician-days a week
    scope: frozenset[int]  # practices in scope
    start_day: int = 0
    end_day: int = 10**9
    left: dict[str, int] = field(default_factory=dict)
    week: int = -1
    worked: list[tuple[int, int]] = field(default_factory=list)  # (internal day, cover post that worked): priced as cover
    posts: dict[tuple[int, str], list[int]] = field(default_factory=dict)  # (unit, role) -> cover posts

    def cover_posts(self, model: GPSimModel, t: int, covered: set[int]) -> list[int]:
        """The cover post working each covered absentee's sessions on day ``t`` (session overrides set).

        A cover post is a bank or locum clinician, not the absent one: patients booked into it do not
        see their usual GP. Posts are created on first need, one per absentee covered the same day in a
        practice and role; they have no sessions of their own, no absence and no FTE in post.
        """
        used: dict[tuple[int, str], int] = {}
        out = []
        for s in sorted(covered):
            absentee = model.staff[s]
            key = (absentee.unit, absentee.role)
            k = used.get(key, 0)
            used[key] = k + 1
            posts = self.posts.setdefault(key, [])
            if k == len(posts):
                code = model.unit_level(absentee.unit)[1]
                post = add_staff(model, absentee.role, absentee.unit, t, fte=0.0, sessions=0.0,
                                 key=f"{code}/cover/{absentee.role}/{k}", event="cover_post")
                post.cover_post = True
                model.absent[post.index] = False  # absence belongs to the clinicians covered
                posts.append(post.index)
            model.levers.session_override[(posts[k], t)] = model.sessions_of(s, t)
            self.worked.append((t, posts[k]))
            out.append(posts[k])
        return out

    def covered(self, model: GPSimModel, t: int) -> set[int]:
        """Absent clinicians whose sessions a cover clinician works on day ``t``."""
        if not (self.start_day <= t < self.end_day) or not model.cal.is_working_day[t]:
            return set()
        week = t // 7
        if week != self.week:
            self.week = week
            self.left = dict(self.weekly_days)
        absent = [s for s in model.staff if s.active and s.role in self.roles and s.unit in self.scope
                  and not s.cover_post and model.absent[s.index, t] and model.sessions_of(s.index, t)]
        # cover goes first to the practices losing the largest share of their clinicians today
        load: dict[int, int] = {}
        for s in absent:
            load[s.unit] = load.get(s.unit, 0) + 1
        absent.sort(key=lambda s: (-load[s.unit] / max(1, len(model.practices[s.unit].staff)), s.index))
        out = set()
        for s in absent:
            key = self.pool_of_practice[s.unit]
            if self.left.get(key, 0) > 0:
                self.left[key] -= 1
                out.add(s.index)
        return out
