"""The front door in simulated time: each request reaches booking when its contact is handled.

Switched on by a ``front_door:`` block in the scenario (:class:`sim.config.front_door.FrontDoor`);
without it requests are booked at the start of their day, as before. Each request's first channel
(telephone, online form, in person) is drawn at build from the ``front-door/channel`` stream (the
same in every scenario of a seed). Each working day:

- telephone contacts ring the practice's lines (:func:`sim.model.front_door_queue.phone_day`),
  served by call handlers drawn from the reception staff in post that day, by the hour; those who
  do not get through redial later that day or the next working day, or give up (state GAVE_UP);
- online forms are processed a random number of working minutes after they arrive (forms sent in
  the evening or at the weekend from opening); beyond the practice's daily cap the patient phones;
- in-person requests are handled at the desk when they arrive (walk-in practices: the walk-in queue);
- handled contacts are booked in batches of ``booking_batch_minutes`` in the order they were
  handled; before each batch, today's free slots that have already started are taken out of the book
  (they pass unused), so a same-day slot that has passed cannot be taken.

Every request ends in exactly one state: booked (then seen, DNA or waiting), lost (no slot), gave up
at the front door, or waiting (still trying at the end of the run).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.config.front_door import CHANNELS, FrontDoor
from sim.config.front_door_interventions import NAVIGATION_TARGETS
from sim.model.booking import rules_array
from sim.model.care_navigation import NOT_NAVIGATED, navigation_targets
from sim.model.daycycle import request_levers, sessions_on
from sim.model.demand import next_working_days
from sim.model.front_door_booking import book_handled, expire_day, handled_batches
from sim.model.front_door_contacts import contacts_today
from sim.model.front_door_queue import STATS, exponential_draws, phone_calls
from sim.model.phases import Phase
from sim.model.states import BOOKED, GAVE_UP, LOST, NAVIGATED, RESOLVED, WAITING
from sim.model.team_booking import team_options
from sim.model.walk_in import practice_walk_in

if TYPE_CHECKING:
    from sim.model.model import GPSimModel

PHONE, ONLINE, IN_PERSON = (CHANNELS.index(c) for c in ("telephone", "online", "in_person"))
# a contact's progress: not yet handled, handled (booked or lost), gave up
PENDING, DONE, GONE = 0, 1, 2
ONLINE_PURPOSE = 9  # hashed-uniform purpose of an online form's processing time
TRIAGE_DELAY, TRIAGE_RESOLVED = 10, 11  # ... of the wait for triage, and of its outcome
NAVIGATION = 12  # ... of the care navigator's decision
NHS111 = 13  # ... of a closed day's urgent request being referred by NHS 111
TEAM = 14  # ... of the care navigator booking a contact with the team member who fits


@dataclass
class FrontDoorState:
    """The front door of a run: each request's channel and contact, the carried redials, daily records."""

    cfg: FrontDoor
    seed: int
    channel: np.ndarray  # per request: first channel (index into CHANNELS)
    out_of_hours: np.ndarray  # per request: an online form sent in the evening or at the weekend
    progress: np.ndarray  # per request: PENDING, DONE or GONE
    attempts: np.ndarray  # per request: telephone attempts made
    first_ok: np.ndarray  # per request: answered at the first telephone attempt
    answer_wait: np.ndarray  # per request: minutes to answer of the call that got through (NaN: none)
    handled_day: np.ndarray  # per request: internal day handled (-1: not yet)
    handled_minute: np.ndarray  # per request: minute of that day it was handled (booked in its batch)
    redirected: np.ndarray  # per request: an online form over the cap that phoned instead
    queue_positions: np.ndarray  # per practice (levers: cloud telephony)
    callback: np.ndarray  # per practice
    next_working: np.ndarray  # internal day -> the next working day
    hours: np.ndarray  # hours of the demand profile and their cumulative shares (redials next day)
    hour_cum: np.ndarray
    handlers_per_fte: np.ndarray  # (24,) handlers per reception FTE
    stats: np.ndarray  # (n_days, n_practices, len(STATS))
    triage: np.ndarray  # per practice: total triage on (levers: the total_triage intervention)
    triage_minutes: np.ndarray  # per practice: GP minutes per request triaged
    resolved_share: np.ndarray  # per practice: share resolved at triage
    triage_delay: np.ndarray  # per practice: mean working minutes to triage
    triaged: np.ndarray  # per request: triaged already
    triage_record: np.ndarray  # (n_days, n_practices): GP minutes spent on triage
    desk_staff: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # per staff: practice admin
    carry: dict[int, list[tuple[np.ndarray, np.ndarray]]] = field(default_factory=dict)  # day -> (rids, attempts)
    due: dict[int, list[tuple[np.ndarray, np.ndarray]]] = field(default_factory=dict)  # day -> (rids, minutes)
    u_channel: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per request: the channel's uniform
    navigation: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))  # (practice, need, target) shares
    navigated_to: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))  # per request (-1: not)
    referred_111: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # per request: by NHS 111
    team: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (practice, need): share booked with the team
    to_team: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # per request: booked with the team
    team_csr: tuple | None = None  # (the options it was built from, the team's role order): team_booking


def build_front_door(model: GPSimModel) -> None:
    """Draw each request's channel and register the end-of-run hook; None when the front door is off."""
    cfg = model.scenario.front_door
    model.front_door = None
    if cfg is None:
        return
    R = model.requests
    rng = model.streams.get("front-door/channel")
    shares = np.array([cfg.channel_shares.get(c, 0.0) for c in CHANNELS])
    cum = np.cumsum(shares / shares.sum())
    u = rng.random(R.size)
    channel = np.minimum(np.searchsorted(cum, u, side="right"), len(CHANNELS) - 1).astype(np.int8)
    channel[model.walk_in_practices[R.practice]] = IN_PERSON  # walk-in practices: patients come in
    # drawn for every request (used only for online forms), so a channel changed later keeps its draw
    out_of_hours = rng.random(R.size) < cfg.online_out_of_hours_share
    n_p = len(model.practices)
    per_fte = np.zeros(24)
    for h, x in cfg.handlers_per_reception_fte.items():
        per_fte[h] = x
    hw = model.scenario.demand.hourly_arrival
    hours = np.array(sorted(hw), dtype=np.int64)
    weights = np.array([hw[h] for h in hours], dtype=float)
    model.front_door = FrontDoorState(
        cfg=cfg, seed=int(model.streams.keyed("front-door/calls").integers(2**62)), channel=channel,
        out_of_hours=out_of_hours, progress=np.zeros(R.size, dtype=np.int8),
        attempts=np.zeros(R.size, dtype=np.int8), first_ok=np.zeros(R.size, dtype=bool),
        answer_wait=np.full(R.size, np.nan, dtype=np.float32), handled_day=np.full(R.size, -1, dtype=np.int32),
        handled_minute=np.full(R.size, np.nan, dtype=np.float32),
        redirected=np.zeros(R.size, dtype=bool),
        queue_positions=np.full(n_p, cfg.queue_positions, dtype=np.int64),
        callback=np.full(n_p, cfg.callback_share), next_working=next_working_days(model.cal.is_working_day),
        hours=hours, hour_cum=np.cumsum(weights / weights.sum()), handlers_per_fte=per_fte,
        stats=np.zeros((model.n_sim_days, n_p, len(STATS))), triage=np.zeros(n_p, dtype=bool),
        triage_minutes=np.zeros(n_p), resolved_share=np.zeros(n_p), triage_delay=np.ones(n_p),
        triaged=np.zeros(R.size, dtype=bool), triage_record=np.zeros((model.n_sim_days, n_p)), u_channel=u,
        navigation=np.zeros((n_p, max(len(model.need_names), 1), len(NAVIGATION_TARGETS))),
        navigated_to=np.full(R.size, -1, dtype=np.int8), referred_111=np.zeros(R.size, dtype=bool),
        team=np.zeros((n_p, max(len(model.need_names), 1))), to_team=np.zeros(R.size, dtype=bool))
    model.phases.on(Phase.FINISH, _still_trying)


def _still_trying(model: GPSimModel) -> None:
    """At the end of the run, contacts not yet handled are waiting (still trying to get through)."""
    fd = model.front_door
    model.state[(fd.progress == PENDING) & (model.state == BOOKED) & (model.appt_day < 0)] = WAITING


def handlers_today(model: GPSimModel, t: int) -> np.ndarray:
    """(practice, hour) call handlers on day ``t``: reception FTE in post and present x handlers per FTE."""
    fd = model.front_door
    table = model.staff_table()
    active, fte = model.staff_status()
    n, n_p = len(model.staff), len(model.practices)
    if fd.desk_staff.size != n:  # practice admin staff (not hub or cover posts); rebuilt when staff join
        hub = np.array([s.hub_post or s.cover_post for s in model.staff], dtype=bool)
        fd.desk_staff = ~table["clinician"] & (table["unit"] < n_p) & ~hub
    admin = fd.desk_staff & active & ~model.absent[:n, t]
    reception = np.bincount(table["unit"][admin], weights=fte[admin], minlength=n_p) * fd.cfg.reception_share_of_admin
    on = fd.handlers_per_fte > 0
    return np.where(on[None, :], np.maximum(1, np.rint(reception[:, None] * fd.handlers_per_fte[None, :])),
                    0).astype(np.int64)


def _later(fd: FrontDoorState, store: dict, t: int, *arrays: np.ndarray) -> None:
    """Keep ``arrays`` (rids and one more column) for the next working day after ``t``."""
    if arrays[0].size:
        store.setdefault(int(fd.next_working[t]), []).append(arrays)


def _take(store: dict, t: int) -> tuple[np.ndarray, np.ndarray]:
    """The (rids, column) kept for day ``t``, concatenated."""
    parts = store.pop(t, [])
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def front_door_day(model: GPSimModel, d: int) -> None:
    """Day ``d`` at the front door: today's contacts are handled, then booked in batches of handling time."""
    fd, cfg, R = model.front_door, model.front_door.cfg, model.requests
    new = np.arange(model.day_start[d], model.day_start[d + 1], dtype=np.int64)
    if not model.cal.is_working_day[d]:  # closed: today's contacts come tomorrow (phones ring again)
        if cfg.out_of_hours is not None:  # ... except urgent ones NHS 111 refers to a hub today
            new = _refer_111(model, d, new)
        phone = fd.channel[new] == PHONE  # forms are processed and visitors come in when it opens
        _later(fd, fd.carry, d, new[phone], np.zeros(int(phone.sum()), dtype=np.int64))
        _later(fd, fd.due, d, new[~phone], np.full(int((~phone).sum()), float(cfg.open_minute)))
        return
    due_rids, due_minute = _take(fd.due, d)
    carried, carried_att = _take(fd.carry, d)
    cap = cfg.online_daily_cap_per_1000
    lists = np.array([pr.list_size for pr in model.practices], dtype=float) if cap is not None else np.zeros(0)
    (desk, desk_at, online, done, late, late_at, redirected, callers, rings, before) = contacts_today(
        int(model.day_start[d]), int(model.day_start[d + 1]), fd.channel, fd.out_of_hours, R.minute, R.practice,
        len(model.practices), -1.0 if cap is None else float(cap), lists, carried, carried_att.astype(np.int64),
        fd.seed, fd.hours, fd.hour_cum, float(cfg.open_minute), float(cfg.close_minute),
        float(cfg.online_processing_minutes_mean), ONLINE_PURPOSE, PHONE, ONLINE, IN_PERSON)
    fd.redirected[redirected] = True
    _later(fd, fd.due, d, late, late_at)
    handled = [(desk, desk_at), (online, done)]
    handled.append(_phone(model, d, callers, rings, before))
    handled.append((due_rids, due_minute))
    rids = np.concatenate([h[0] for h in handled]).astype(np.int64)
    at = np.concatenate([h[1] for h in handled])
    if fd.navigation.any() or fd.team.any():
        rids, at = navigate(model, d, rids, at)
    if fd.triage.any():
        rids, at = triage(model, d, rids, at)
    fd.progress[rids] = DONE
    fd.handled_day[rids] = d
    fd.handled_minute[rids] = at
    _book_in_batches(model, d, rids, at)


def _refer_111(model: GPSimModel, d: int, new: np.ndarray) -> np.ndarray:
    """Closed day ``d``: urgent requests NHS 111 refers are booked today (hub sessions) at their minute.

    Returns the rest (they wait for the practice to open). Walk-in practices' patients are not referred.
    A referral with no slot today is lost at booking (a walk-in hub's queue may still take it).
    """
    fd, R = model.front_door, model.requests
    u = _uniforms(new, fd.seed, NHS111)
    referred = (R.urgent[new] & (u < fd.cfg.out_of_hours.nhs111_urgent_share)
                & ~model.walk_in_practices[R.practice[new]])
    rids, at = new[referred], R.minute[new[referred]].astype(np.float64)
    fd.referred_111[rids] = True
    fd.progress[rids] = DONE
    fd.handled_day[rids] = d
    fd.handled_minute[rids] = at
    _book_in_batches(model, d, rids, at)
    return new[~referred]


def _phone(model: GPSimModel, d: int, callers: np.ndarray, rings: np.ndarray,
           before: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run today's telephone queue; return (rids, minute) of the calls answered today.

    Today's calls that are not requests are added (Poisson, ``other_calls_per_request_call`` per new
    request call); their ids come after every request's, so their hashed draws never coincide with a
    request's. They redial the same day like anyone else; their redials on later days are not followed.
    One compiled call (:func:`sim.model.front_door_queue.phone_calls`) adds them, orders the calls and
    serves them.
    """
    fd, cfg, R = model.front_door, model.front_door.cfg, model.requests
    if callers.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    ok_rid, ok_at, carried, carried_att = phone_calls(
        callers, R.practice[callers].astype(np.int64), rings, before, len(model.practices),
        float(cfg.other_calls_per_request_call), d, fd.hours, fd.hour_cum, handlers_today(model, d),
        fd.queue_positions, fd.callback, float(cfg.open_minute), float(cfg.close_minute), cfg.call_minutes_mean,
        cfg.patience_minutes_mean, cfg.redial_probability, cfg.redial_same_day_share, cfg.redial_delay_minutes_mean,
        cfg.max_attempts, fd.seed, R.size, fd.attempts, fd.first_ok, fd.answer_wait, fd.progress, model.state, GONE,
        GAVE_UP, fd.stats[d])
    _later(fd, fd.carry, d, carried, carried_att)
    return ok_rid, ok_at


def triage(model: GPSimModel, d: int, rids: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Total triage: contacts handled today at triaging practices wait for a GP, who resolves some.

    Each request is triaged once (a random number of working minutes after it was handled; past
    closing, the next working day), costing ``triage_minutes`` of GP time taken from today's GP slots.
    Returns the contacts that go on to booking today, at the minute they are triaged.
    """
    fd, cfg, R = model.front_door, model.front_door.cfg, model.requests
    p = R.practice[rids]
    tri = fd.triage[p] & ~fd.triaged[rids] & ~model.walk_in_practices[p]  # walk-in practices: patients walk in
    if not tri.any():
        return rids, at
    t_rids, t_p = rids[tri], p[tri]
    fd.triaged[t_rids] = True
    minutes = np.bincount(t_p, weights=fd.triage_minutes[t_p], minlength=len(model.practices))
    fd.triage_record[d] += minutes
    _gp_time(model, d, minutes)
    when = at[tri] + exponential_draws(t_rids, 0, fd.seed, TRIAGE_DELAY, 1.0) * fd.triage_delay[t_p]
    resolved = _uniforms(t_rids, fd.seed, TRIAGE_RESOLVED) < fd.resolved_share[t_p]
    model.state[t_rids[resolved]] = RESOLVED
    fd.progress[t_rids[resolved]] = DONE
    fd.handled_day[t_rids[resolved]] = d
    late = ~resolved & (when >= cfg.close_minute)
    _later(fd, fd.due, d, t_rids[late], cfg.open_minute + when[late] - cfg.close_minute)
    on = ~resolved & ~late
    return np.concatenate([rids[~tri], t_rids[on]]), np.concatenate([at[~tri], when[on]])


def navigate(model: GPSimModel, d: int, rids: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Care navigation: contacts handled today go to pharmacy, self-care or a social prescriber (NAVIGATED).

    Of the rest, a share (``team_shares``) is flagged to be booked with the team member who fits.
    Returns the contacts that go on (to triage or booking). A contact met again later (a form processed
    tomorrow, a triage carried over) gets the same uniform, so it is navigated at most once.
    """
    fd, R = model.front_door, model.requests
    target = navigation_targets(fd.navigation, R.practice[rids], R.need[rids], _uniforms(rids, fd.seed, NAVIGATION))
    nav = target != NOT_NAVIGATED
    gone = rids[nav]
    fd.navigated_to[gone] = target[nav]
    model.state[gone] = NAVIGATED
    fd.progress[gone] = DONE
    fd.handled_day[gone] = d
    fd.handled_minute[gone] = at[nav]
    rids, at = rids[~nav], at[~nav]
    if fd.team.any():  # the rest: some booked with the team member who fits (sim.model.team_booking)
        p, k = R.practice[rids], R.need[rids]
        fd.to_team[rids[_uniforms(rids, fd.seed, TEAM) < fd.team[p, k]]] = True
    return rids, at


def _uniforms(rids: np.ndarray, seed: int, purpose: int) -> np.ndarray:
    """Uniforms of one purpose per request (1 - exp(-E) of a unit exponential draw: the same hash)."""
    return -np.expm1(-exponential_draws(rids, 0, seed, purpose, 1.0))


def _gp_time(model: GPSimModel, t: int, minutes: np.ndarray) -> None:
    """Take ``minutes`` of each practice's GP time out of day ``t``'s free GP slots, spread over its GPs."""
    table, g = model.staff_table(), model.diaries
    n = g.free_sd.shape[0]
    for p in np.flatnonzero(minutes > 0).tolist():
        gps = np.flatnonzero(table["gp"][:n] & (table["unit"][:n] == p) & (g.staff_rd[:n] >= 0))
        free = g.free_sd[gps, t] + g.free_rt[gps, t]
        gps, free = gps[free > 0], free[free > 0]
        if gps.size == 0:
            continue
        slots = int(np.ceil(minutes[p] / table["slot"][gps].mean()))
        share = np.minimum(free, np.floor(slots / gps.size)).astype(np.int64)
        left = slots - int(share.sum())
        for j in np.argsort(-(free - share), kind="stable").tolist():  # the rest from those with most left
            if left <= 0:
                break
            if free[j] > share[j]:
                share[j] += 1
                left -= 1
        take_slots(model, t, gps, share)


def take_slots(model: GPSimModel, t: int, who: np.ndarray, count: np.ndarray) -> None:
    """Take ``count`` free slots of day ``t`` from clinicians ``who`` (same-day pool first), keeping the indexes."""
    g = model.diaries
    keep = count > 0
    who, count = who[keep], count[keep]
    if who.size == 0:
        return
    from_sd = np.minimum(count, g.free_sd[who, t]).astype(np.int32)
    from_rt = (count - from_sd).astype(np.int32)
    rd = g.staff_rd[who]
    g.free_sd[who, t] -= from_sd
    g.free_rt[who, t] -= from_rt
    np.add.at(g.cap_sd[:, t], rd, -from_sd)
    np.add.at(g.cap_rt[:, t], rd, -from_rt)
    full = who[(g.free_rt[who, t] <= 0) & (g.parent[who, t] == t)]
    g.parent[full, t] = t + 1
    rds = np.unique(rd)
    rds = rds[(g.cap_rt[rds, t] <= 0) & (g.rparent[rds, t] == t)]
    g.rparent[rds, t] = t + 1


def expire_passed(model: GPSimModel, t: int, at: float, sessions: tuple) -> None:
    """Take out of the book clinicians' free slots of day ``t`` that started before minute ``at``.

    A clinician's booked appointments fill their first slots, so of the slots started by ``at`` those
    beyond the ones booked (or already taken out) passed unused. (The compiled batches do the same.)
    """
    staff, start, minutes = sessions
    g = model.diaries
    slot = model.staff_table()["slot"][staff]
    expire_day(t, float(at), staff.astype(np.int64), start.astype(np.float64), np.floor(minutes / slot).astype(np.int64),
               slot, _offered(model, t), g.free_sd, g.free_rt, g.parent, g.cap_sd, g.cap_rt, g.rparent, g.staff_rd)


def _offered(model: GPSimModel, t: int) -> np.ndarray:
    """Slots each clinician (diary row) offered on day ``t``."""
    n = model.diaries.free_sd.shape[0]
    offered = np.zeros(n, dtype=np.int64)
    m = min(n, model.staff_days.offered_slots.shape[0])
    offered[:m] = model.staff_days.offered_slots[:m, t]
    return offered


def _book_in_batches(model: GPSimModel, d: int, rids: np.ndarray, at: np.ndarray) -> None:
    """Book handled contacts batch by batch of handling time, expiring passed slots before each batch (compiled)."""
    cfg, R, g = model.front_door.cfg, model.requests, model.diaries
    if rids.size == 0:
        return
    rids, batch_at, batch_first = handled_batches(rids, at, cfg.open_minute, cfg.booking_batch_minutes)
    staff, start, minutes = sessions_on(model, d)
    slot = model.staff_table()["slot"][staff]
    offered = _offered(model, d)
    named, mt_rules, shifted = request_levers(model, rids)
    shift_csr = model.shift_csr
    if model.front_door.team.any():  # navigated to the team member who fits: booked in the team's role order
        shifted, shift_csr = shifted | model.front_door.to_team[rids], team_options(model)
    walk_out = np.zeros(rids.size, dtype=bool)
    staff_out, day_out = book_handled(
        d, rids, batch_at, batch_first, staff.astype(np.int64), start.astype(np.float64),
        np.floor(minutes / slot).astype(np.int64), slot, offered, R.practice, R.need, R.urgent, R.lead, R.tolerance,
        R.patient, model.population.usual_gp, named, shifted, model.walk_in_practices, model.need_continuity,
        len(model.need_names), *model.options_csr, *shift_csr, rules_array(model.rules), mt_rules, g.free_sd,
        g.free_rt, g.parent, g.cap_sd, g.cap_rt, g.rparent, g.staff_rd, g.rd_role, g.rd_ptr, g.rd_members, g.extras,
        model.appt_staff, model.appt_day, model.appt_pool, model.state, LOST, walk_out)
    booked = staff_out >= 0
    model.day_book.add(rids[booked], day_out[booked])
    if walk_out.any():
        practice_walk_in(model, d, rids[walk_out].tolist())


__all__ = ["FrontDoorState", "build_front_door", "expire_passed", "front_door_day", "navigate", "take_slots", "triage"]
