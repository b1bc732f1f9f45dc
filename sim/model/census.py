"""A monthly staff census: who is in post and which posts are vacant, per unit and role.

Taken as each census day begins (at the end of the day before it, so everything that happens on
the census day belongs to the month it opens): the first reporting day, each month start after it,
and the day after the last, so a monthly staff table can show stocks (headcount, FTE,
vacancies) next to the flows the workforce events record (joiners, leavers by reason).
Hub rota posts and cover posts are shifts, not people, and are left out.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from sim.model.phases import Phase

if TYPE_CHECKING:
    from sim.model.agents import Staff
    from sim.model.model import GPSimModel

__all__ = ["TRAINEE_ROLE", "record_census", "role_label", "setup_census"]

TRAINEE_ROLE = "GP trainee"  # GP specialty trainees are counted apart from qualified GPs (as in the outcomes)


def role_label(agent: Staff) -> str:
    """The role a staff table counts someone under: their role, or 'GP trainee' for a specialty trainee."""
    return TRAINEE_ROLE if agent.trainee_year else agent.role


def record_census(model: GPSimModel, day: int) -> None:
    """Append one row per (unit code, role) with staff in post or vacancies as internal day ``day`` begins."""
    rota = {p.agent for hub in model.hubs if hub.member for p in hub.posts}
    stock: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for s in model.staff:
        joined = s.joined_day < day or s.joined_day == 0  # staff in post at the start have joined_day 0
        if s.active and joined and not s.cover_post and not s.hub_post and s.index not in rota:
            row = stock[(model.unit_level(s.unit)[1], role_label(s))]
            row[0] += 1
            row[1] += s.fte
    for post in model.open_vacancies.values():
        row = stock[(post["unit_code"], post["role"])]
        row[2] += 1
        row[3] += post["fte"]
    for (code, role), (head, fte, vac, vac_fte) in sorted(stock.items()):
        model.census.append({"day": day, "unit": code, "role": role, "headcount": head, "fte": fte,
                             "vacancies": vac, "vacancy_fte": vac_fte})


def _is_census_day(model: GPSimModel, day: int) -> bool:
    w = model.cal.warm_up
    return day == w or (w < day < model.n_sim_days and model.cal.dates[day].day == 1)


def _on_day_end(model: GPSimModel, day: int) -> None:
    if _is_census_day(model, day + 1):
        record_census(model, day + 1)


def _on_finish(model: GPSimModel) -> None:
    record_census(model, model.n_sim_days)


def setup_census(model: GPSimModel) -> None:
    """Register the census on the day cycle (reads state only: changes no draw and no outcome)."""
    if model.cal.warm_up == 0:
        record_census(model, 0)
    model.phases.on(Phase.DAY_END, _on_day_end)
    model.phases.on(Phase.FINISH, _on_finish)
