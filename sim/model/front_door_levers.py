"""Front-door interventions: ``cloud_telephony``, ``total_triage``, ``care_navigation``, ``online_consultation``.

Cloud telephony: from its start day to its end day the practices' phone queues hold more callers
(fewer hear engaged) and callers who would hang up take a callback with a probability, keeping their
place (:func:`sim.model.front_door_queue.phone_day`). Total triage: every contact handled is triaged
by a GP before booking (:func:`sim.model.front_door.triage`). At the end the practices' own settings
return. Care navigation: the scoped practices' navigators send a share of each need's handled contacts
to pharmacy, self-care or a social prescriber (:func:`sim.model.front_door.navigate`). Online
consultation: demand rises by ``new_demand`` while it runs (the ``demand_scale`` lever, before the
requests are drawn) and the scoped practices' requests of those days are online forms with the
raised share (the new demand all online), redrawn from each request's own channel uniform.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.config.front_door import CHANNELS
from sim.config.front_door_interventions import (
    NAVIGATION_TARGETS,
    CareNavigation,
    OnlineConsultation,
)
from sim.config.interventions import CloudTelephony, TotalTriage
from sim.model.care_navigation import share_array

if TYPE_CHECKING:
    from sim.model.model import GPSimModel


def _needs_front_door(model: GPSimModel, kind: str) -> None:
    """A clear error when a front-door intervention is used without the front door."""
    if model.scenario.front_door is None:
        raise ValueError(f"interventions: {kind} needs the scenario's front_door: block "
                         "(the front door it changes); add 'front_door: {}' for the defaults")


def setup_cloud_telephony(model: GPSimModel, iv: CloudTelephony, start: int, end: int, practices: list[int]) -> None:
    """Register the switch-on at ``start`` and the switch-off at ``end`` (the front door is built after set-up)."""
    _needs_front_door(model, "cloud_telephony")
    scope = np.asarray(practices, dtype=np.int64)
    kept: dict[str, np.ndarray] = {}

    def on(m: GPSimModel, d: int) -> None:
        fd = m.front_door
        kept["queue"], kept["callback"] = fd.queue_positions[scope].copy(), fd.callback[scope].copy()
        fd.queue_positions[scope] = np.maximum(fd.queue_positions[scope], iv.queue_positions)
        fd.callback[scope] = iv.callback_share

    def off(m: GPSimModel, d: int) -> None:
        if kept:
            m.front_door.queue_positions[scope], m.front_door.callback[scope] = kept["queue"], kept["callback"]

    model.phases.at(start, on)  # on day 0 too: at() hooks run before that day's contacts are handled
    if end < model.n_sim_days:
        model.phases.at(end, off)


def setup_total_triage(model: GPSimModel, iv: TotalTriage, start: int, end: int, practices: list[int]) -> None:
    """Triage every contact of the scoped practices from ``start`` to ``end``."""
    _needs_front_door(model, "total_triage")
    scope = np.asarray(practices, dtype=np.int64)

    def on(m: GPSimModel, d: int) -> None:
        fd = m.front_door
        fd.triage[scope] = True
        fd.triage_minutes[scope] = iv.triage_minutes_per_request
        fd.resolved_share[scope] = iv.resolved_share
        fd.triage_delay[scope] = iv.triage_delay_minutes_mean

    def off(m: GPSimModel, d: int) -> None:
        m.front_door.triage[scope] = False

    model.phases.at(start, on)
    if end < model.n_sim_days:
        model.phases.at(end, off)


def setup_care_navigation(model: GPSimModel, iv: CareNavigation, start: int, end: int, practices: list[int]) -> None:
    """Navigate the scoped practices' handled contacts from ``start`` to ``end``."""
    _needs_front_door(model, "care_navigation")
    unknown = sorted(set(iv.shares) - set(model.need_names))
    if unknown:
        raise ValueError(f"interventions: care_navigation.shares names need types not in demand.need_types: "
                         f"{unknown}; known: {sorted(model.need_names)}")
    unknown = sorted(set(iv.team_shares) - set(model.need_names))
    if unknown:
        raise ValueError(f"interventions: care_navigation.team_shares names need types not in demand.need_types: "
                         f"{unknown}; known: {sorted(model.need_names)}")
    scope = np.asarray(practices, dtype=np.int64)
    table = share_array(iv.shares, model.need_names, NAVIGATION_TARGETS)
    team = np.array([iv.team_shares.get(n, 0.0) for n in model.need_names]) if model.need_names else np.zeros(1)

    def on(m: GPSimModel, d: int) -> None:
        m.front_door.navigation[scope] = table
        m.front_door.team[scope] = team

    def off(m: GPSimModel, d: int) -> None:
        m.front_door.navigation[scope] = 0.0
        m.front_door.team[scope] = 0.0

    model.phases.at(start, on)
    if end < model.n_sim_days:
        model.phases.at(end, off)


def setup_online_consultation(model: GPSimModel, iv: OnlineConsultation, start: int, end: int,
                              practices: list[int]) -> None:
    """Scale the scoped practices' demand by 1 + ``new_demand`` from ``start`` to ``end`` and raise their online share."""
    cfg = model.scenario.front_door
    _needs_front_door(model, "online_consultation")
    n_days, n_p = model.n_sim_days, len(model.practices)
    scope = np.asarray(practices, dtype=np.int64)
    scale = np.ones((n_days, n_p)) if model.levers.demand_scale is None else model.levers.demand_scale
    scale[start:end, scope] *= 1.0 + iv.new_demand
    model.levers.demand_scale = scale
    # the new demand is all online: of all requests, (share + new) / (1 + new) are online forms
    new = max(iv.new_demand, 0.0)
    online = (iv.online_share + new) / (1.0 + new)
    base = np.array([cfg.channel_shares.get(c, 0.0) for c in CHANNELS])
    online_k = CHANNELS.index("online")
    rest = base.sum() - base[online_k]
    shares = base * (1.0 - online) / rest if rest > 0 else np.zeros_like(base)
    shares[online_k] = online
    cum = np.cumsum(shares / shares.sum())

    def on(m: GPSimModel, d: int) -> None:
        fd, R = m.front_door, m.requests
        mine = np.isin(R.practice, scope) & (R.day >= start) & (R.day < end) & ~m.walk_in_practices[R.practice]
        fd.channel[mine] = np.minimum(np.searchsorted(cum, fd.u_channel[mine], side="right"),
                                      len(CHANNELS) - 1).astype(np.int8)

    model.phases.at(start, on)
