"""Workforce schemes as mechanisms: international GP recruitment and retention (interventions).

``international_recruitment``: GPs arrive evenly through the year into the scope; each takes the oldest
open GP vacancy there (and the leaver's patients) or, without one, a new post at the scope's practice
with the most patients per GP FTE. While settling in (supervised induction) a recruit's appointments
take longer, so they see ``settling_in_capacity`` of a settled GP's patients in the same sessions, and
they add no duty extras.

``retention``: a hazard ratio on background leaving (``workforce.turnover``) for the staff it covers
(:class:`sim.model.levers.RetentionRule`, applied in :func:`sim.model.turnover.monthly_leaving`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model.levers import RetentionRule
from sim.model.training import INTERNATIONAL_RECRUIT, add_gp, place_gp
from sim.model.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    from sim.config.interventions import InternationalRecruitment, Retention
    from sim.model.model import GPSimModel

DAYS_PER_YEAR = 365.25


def international_recruitment(model: GPSimModel, iv: InternationalRecruitment, start: int, end: int,
                              practices: list[int]) -> None:
    """Schedule the arrivals: one every 365.25 / gps_per_year days from ``start`` (half a gap in) to ``end``."""
    gap = DAYS_PER_YEAR / iv.gps_per_year
    last = min(end, model.n_sim_days)
    gp_slot = model.scenario.roles["GP"].slot_minutes
    settling = round(iv.settling_in_months * DAYS_PER_MONTH)
    k = 0
    while (day := start + int((k + 0.5) * gap)) < last:
        key = f"ir{start}/{k}"

        def arrive(m: GPSimModel, d: int, key: str = key) -> None:
            unit, leaver = place_gp(m, practices, practices, fallback=None)
            slow = settling > 0 and iv.settling_in_capacity < 1.0
            slot = gp_slot / max(iv.settling_in_capacity, 1e-3) if slow else None
            gp = add_gp(m, unit, leaver, d, fte=iv.fte, contract=iv.contract, age=iv.age, key=key,
                        event=INTERNATIONAL_RECRUIT, slot_minutes=slot)
            if slow and d + settling < m.n_sim_days:
                m.phases.at(d + settling, lambda mm, dd, s=gp.index: settled(mm, s))

        model.phases.at(day, arrive)
        k += 1


def settled(model: GPSimModel, s: int) -> None:
    """A recruit's induction ends: days opened from now on have a settled GP's slots."""
    agent = model.staff[s]
    agent.slot_minutes = None
    spec = model.role_specs[model.role_index[agent.role]]
    table = model.staff_table()
    table["slot"][s], table["limit"][s] = spec.slot_minutes, spec.safe_contacts_per_day


def retention(model: GPSimModel, iv: Retention, start: int, end: int, practices: list[int]) -> None:
    """A hazard ratio on background leaving for the roles, ages and contracts covered in scope, start to end."""
    units = set(practices) | {model.pcns[model.practices[p].pcn].unit for p in practices}
    if len(practices) == len(model.practices):
        units.add(model.lgpo_unit)
    model.levers.retention.append(RetentionRule(
        hazard_ratio=iv.hazard_ratio, roles=frozenset(iv.roles), units=frozenset(units),
        min_age=float("-inf") if iv.min_age is None else float(iv.min_age),
        max_age=float("inf") if iv.max_age is None else float(iv.max_age),
        contracts=None if iv.contracts is None else frozenset(iv.contracts), start_day=start, end_day=end))


__all__ = ["international_recruitment", "retention", "settled"]
