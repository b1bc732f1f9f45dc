"""The ``pooled_back_office`` intervention: pools of practices' back offices, coordinators and released sessions.

The back office itself (tasks, admin teams, the pooling mechanisms and redeployment) is
:mod:`sim.model.back_office`; this module turns one intervention into its pools, adds workflow
coordinators as admin staff agents and turns GP hours released from correspondence into sessions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.config.interventions import PooledBackOffice
from sim.model.back_office import Pool, add_pool, assign_roles, coordinator_share, redeploy
from sim.model.units import DAYS_PER_MONTH, FULL_TIME_HOURS_PER_WEEK, WORKING_DAYS_PER_WEEK
from sim.model.workforce import add_staff, remove_staff

if TYPE_CHECKING:
    from sim.model.model import GPSimModel

WORKING_DAYS_PER_MONTH = 21.0  # 252 working days a year / 12


def setup_pooled_back_office(model: GPSimModel, iv: PooledBackOffice, start: int, end: int,
                             practices: list[int]) -> None:
    """Pools of practices' back offices (sim.model.back_office), each acting from its start to its end."""
    if iv.pool == "pcn":
        groups = [[p for p in model.pcns[c].practices if p in practices] for c in sorted({model.practices[p].pcn for p in practices})]
    elif iv.pool == "practice":
        groups = [[p] for p in practices]
    else:
        groups = [practices]
    tr, sh, sp = iv.transition, iv.shared_functions, iv.specialisation
    runs_from = min(end, start + round(tr.setup_months * DAYS_PER_MONTH))
    for group in groups:
        n = len(group)
        add_pool(model, Pool(
            practices=tuple(group), start=start, runs_from=runs_from, end=end,
            queue_pooling=iv.queue_pooling and n > 1,
            reduction=sp.handling_time_reduction if sp.enabled else 0.0, learning_days=sp.learning_months * DAYS_PER_MONTH,
            keep_shared=float(n ** (sh.scale_elasticity - 1.0)) if sh.enabled else 1.0,
            handoff_minutes=iv.handoff_minutes if n > 1 else 0.0,
            dip_days=tr.dip_months * DAYS_PER_MONTH, dip=tr.dip_handling_increase,
            setup_minutes_per_practice_day=tr.setup_hours_per_practice_month * 60.0 / WORKING_DAYS_PER_MONTH,
            redeploy=iv.redeploy, coordinators=iv.coordinators))
    added = iv.coordinators.added_hours_per_1000_week
    taken: dict[int, list[tuple[int, float]]] = {}  # GP -> (half-day, sessions added there)

    def switch_on(m: GPSimModel, d: int) -> None:
        if added > 0 and m.back_office is not None:
            for p in practices:
                hours = added * m.practices[p].list_size / 1000.0
                key = f"{m.practices[p].code}/Admin/coordinators-{start}"
                agent = add_staff(m, "Admin", p, d, fte=hours / FULL_TIME_HOURS_PER_WEEK, key=key, event="added")
                assign_roles(m, [agent.index], "workflow_coordinator")
                m.back_office.added_coordinator_minutes[p] += hours * 60.0 / WORKING_DAYS_PER_WEEK
        if m.back_office is not None:
            redeploy(m, d)  # coordinators take correspondence from today, not from the next month
        if not iv.released_hours_to_sessions or m.back_office is None:
            return
        for p in practices:
            lists = np.array([m.practices[p].list_size], dtype=float)
            moved = float(coordinator_share(m, iv.coordinators, lists,
                                            m.back_office.added_coordinator_minutes[[p]])[0])
            released = (m.scenario.admin.gp_correspondence_hours_per_1000_week * lists[0] / 1000
                        * moved * iv.conversion_share)
            gps = [s for s in m.practices[p].staff if m.staff[s].kind == "gp" and m.staff[s].active]
            total_sessions = sum(m.staff[s].sessions_per_week for s in gps)
            spec = m.scenario.roles[m.staff[gps[0]].role] if gps else None
            if not gps or total_sessions <= 0 or spec is None or released <= 0:
                continue
            hours_per_session = (spec.session_minutes + spec.admin_minutes_per_session) / 60.0
            for s in gps:
                extra = released * m.staff[s].sessions_per_week / total_sessions / hours_per_session
                taken[s] = add_sessions(m, s, extra)
                m.events.append({"day": d, "staff": s, "role": m.staff[s].role,
                                 "unit": m.practices[p].code, "event": "added_sessions", "fte": extra})

    def switch_off(m: GPSimModel, d: int) -> None:
        """Added coordinators leave; GPs give back the sessions their released hours had made (days not yet open)."""
        for agent in list(m.staff):
            if agent.key.endswith(f"/Admin/coordinators-{start}") and agent.active:
                remove_staff(m, agent.index, d, event="back_office_ended", notify=False)
        if m.back_office is not None:
            m.back_office.added_coordinator_minutes[practices] = 0.0
            redeploy(m, d)  # GPs take their correspondence back today
        for s, halves in taken.items():
            row = m.pattern[s]
            for h, take in halves:
                row[h] = max(0.0, row[h] - take)
            m.staff[s].sessions_per_week = float(row.sum())
            m.events.append({"day": d, "staff": s, "role": m.staff[s].role, "unit": m.unit_level(m.staff[s].unit)[1],
                             "event": "removed_sessions", "fte": sum(t for _, t in halves)})
        taken.clear()

    model.phases.at(start, switch_on)  # staff join on a simulated day, so even a start on day 0 waits for it
    if end < model.n_sim_days:
        model.phases.at(end, switch_off)


def add_sessions(model: GPSimModel, s: int, extra: float) -> list[tuple[int, float]]:
    """Fill free half-days of a clinician's week with ``extra`` sessions (applies to days not yet open).

    Returns (half-day, sessions added) for each half-day filled.
    """
    row = model.pattern[s]
    out = []
    for h in range(len(row)):
        room = 1.0 - row[h]
        if room <= 0:
            continue
        take = min(room, extra)
        row[h] += take
        out.append((h, take))
        extra -= take
        if extra <= 1e-9:
            break
    model.staff[s].sessions_per_week = float(row.sum())
    return out
