"""Workforce outcomes at practice, PCN and LGPO level: movements, leavers by reason, vacancies, FTE, burnout.

A practice's rows count its own staff; a PCN's its practices' staff and the PCN's own posts; the
LGPO's everyone. Member-staffed hub rota posts and cover posts are not people and are left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.training import INTERNATIONAL_RECRUIT, QUALIFIED_JOINED
from sim.model.turnover import LEAVING_EVENTS

if TYPE_CHECKING:
    from sim.model.model import GPSimModel

# interventions whose runs report the pipeline rows (trainees, qualified joiners, international recruits); other
# runs leave them out, so their summaries are unchanged
PIPELINE_INTERVENTIONS = frozenset({"training_expansion", "international_recruitment", "retention"})
JOINING_EVENTS = ("recruited", "vacancy_filled")  # a post refilled (recruitment intervention, baseline vacancy)
__all__ = ["JOINING_EVENTS", "LEAVING_EVENTS", "units_of_levels", "workforce_rows"]


def units_of_levels(model: GPSimModel) -> list[tuple[str, str, set[str]]]:
    """(level, code, unit codes whose staff it counts) for every practice, PCN and the LGPO."""
    out = [("practice", p.code, {p.code}) for p in model.practices]
    for pcn in model.pcns:
        out.append(("pcn", pcn.code, {pcn.code} | {model.practices[p].code for p in pcn.practices}))
    out.append(("lgpo", model.lgpo.code, {model.lgpo.code} | {c for _, c, _ in out}))
    return out


def uses_pipelines(model: GPSimModel) -> bool:
    """Whether the run has GP training or an international-recruitment or retention scheme (their rows are added)."""
    return model.scenario.workforce.training.enabled or any(iv.type in PIPELINE_INTERVENTIONS
                                                            for iv in model.scenario.interventions)


def workforce_rows(model: GPSimModel) -> list[tuple[str, str, str, float]]:
    """(level, unit, metric, value) rows of the workforce outcomes over the reporting horizon."""
    w = model.cal.warm_up
    ev = [e for e in model.events if e["day"] >= w]
    rota_posts = {p.agent for hub in model.hubs if hub.member for p in hub.posts}  # shifts, not people
    people = [s for s in model.staff if not s.cover_post and s.index not in rota_posts]
    code_of = {s.index: model.unit_level(s.unit)[1] for s in people}
    roles = sorted({s.role for s in people})
    reasons = LEAVING_EVENTS  # every reason, zero where none left that way (comparable across scenarios)
    open_posts = model.open_vacancies
    pipelines = uses_pipelines(model)
    rows: list[tuple[str, str, str, float]] = []
    for level, code, codes in units_of_levels(model):
        mine = [e for e in ev if e["unit"] in codes and e["staff"] in code_of]
        rows.append((level, code, "leavers", float(sum(e["event"] in LEAVING_EVENTS for e in mine))))
        for reason in reasons:
            rows.append((level, code, f"leavers_by_reason:{reason}", float(sum(e["event"] == reason for e in mine))))
        rows.append((level, code, "retirements", float(sum(e["event"] == "retired" for e in mine))))
        rows.append((level, code, "recruits", float(sum(e["event"] in JOINING_EVENTS for e in mine))))
        rows.append((level, code, "vacancies_end", float(sum(p["unit_code"] in codes for p in open_posts.values()))))
        in_post = [s for s in people if code_of[s.index] in codes and s.active]
        if pipelines:
            rows.append((level, code, "trainees_end", float(sum(1 for s in in_post if s.trainee_year))))
            rows.append((level, code, "qualified_joiners", float(sum(e["event"] == QUALIFIED_JOINED for e in mine))))
            rows.append((level, code, "international_recruits",
                         float(sum(e["event"] == INTERNATIONAL_RECRUIT for e in mine))))
        staff_here = [s for s in in_post if not s.trainee_year]  # FTE of qualified staff: trainees are counted apart
        for role in roles:
            rows.append((level, code, f"fte_end:{role}", float(sum(s.fte for s in staff_here if s.role == role))))
        gps = [s for s in staff_here if s.kind == "gp"]
        rows.append((level, code, "gp_fte_end", float(sum(s.fte for s in gps))))
        rows.append((level, code, "gp_burnout_mean", float(np.mean([s.burnout for s in gps])) if gps else np.nan))
    return rows
