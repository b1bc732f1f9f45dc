"""The labour market a vacancy is advertised in: the area's, a local market's, and recruitment drives on top.

Each advert of a vacancy (sim.model.turnover) takes its terms when it starts: the fill probability
per advert and the mean time to fill of the post's role in its practice's market (a local market of
``workforce.labour_market`` for the practice, else for its PCN, else the area's ``workforce.turnover``).
A recruitment drive covering the advert (the ``recruitment`` intervention: role, scope, window) adds
to the market: the higher fill probability and the shorter time of the two, and its recruits' contract.
So on the same random numbers a drive never fills a post later, or less often, than the market alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.config.labour_market import market_for
from sim.model.levers import RecruitmentDrive
from sim.model.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    from sim.config.interventions import Recruitment
    from sim.model.model import GPSimModel

@dataclass(frozen=True)
class AdvertTerms:
    """One advert's terms: fill probability (before the practice's strain), mean days to fill, the drive running it."""

    fill_probability: float
    mean_days: float
    drive: RecruitmentDrive | None


def _codes(model: GPSimModel, unit: int) -> tuple[str | None, str | None]:
    """(practice code, PCN code) of a booking unit; None where the unit is not at that level."""
    if unit < len(model.practices):
        pr = model.practices[unit]
        return pr.code, model.pcns[pr.pcn].code
    if unit < model.lgpo_unit:
        return None, model.pcns[unit - len(model.practices)].code
    return None, None


def market_terms(model: GPSimModel, role: str, unit: int) -> tuple[float, float]:
    """(fill probability per advert, mean days to fill) of ``role`` in ``unit``'s market, drives aside."""
    p, months = market_for(model.scenario.workforce, role, *_codes(model, unit))
    return p, months * DAYS_PER_MONTH


def advert_terms(model: GPSimModel, role: str, unit: int, day: int, drives: bool = True,
                 market: bool = True) -> AdvertTerms | None:
    """Terms of an advert for ``role`` at ``unit`` starting on internal day ``day`` (None: nobody advertises).

    ``drives``: whether recruitment drives may run it (False for an advert already running at the start).
    Without background turnover (``workforce.turnover.enabled`` false) there is no market: only a drive
    advertises, on its own terms; nor for a post the market does not refill (``market`` false: a
    retirement wave's posts in a scenario without recruitment, sim.model.interventions).
    """
    market_on = model.scenario.workforce.turnover.enabled and market
    p, mean = market_terms(model, role, unit)
    covering = [d for d in model.levers.drives if d.covers(role, unit, day)] if drives else []
    if not covering:
        return AdvertTerms(p, mean, None) if market_on else None
    p_drive = max(d.fill_probability[role] for d in covering)
    mean_drive = min(d.mean_fill_days.get(role, mean) for d in covering)
    if not market_on:
        return AdvertTerms(p_drive, mean_drive, covering[0])
    return AdvertTerms(max(p, p_drive), min(mean, mean_drive), covering[0])


def drive_contract(model: GPSimModel, drive: RecruitmentDrive, post: dict) -> tuple[str | None, float, float]:
    """(contract, sessions a week, FTE) of a drive's recruit to ``post``: the post's unless the drive sets a GP mix."""
    spec = model.scenario.roles[post["role"]]
    if spec.kind != "gp" or not drive.contracts:
        return post["contract"], post["sessions"], post["fte"]
    u = model.streams.keyed("recruit", drive.key, post["key"], post["adverts"]).random()
    k = min(int(np.searchsorted(np.cumsum(drive.contract_weights), u)), len(drive.contracts) - 1)
    contract = drive.contracts[k]
    sessions = drive.sessions_by_contract.get(contract, post["sessions"])
    return contract, sessions, sessions / spec.sessions_per_fte_week


def recruitment(model: GPSimModel, iv: Recruitment, start: int, end: int, practices: list[int]) -> None:
    """A recruitment drive over ``practices`` (and their PCNs' posts) for adverts started from ``start`` to ``end``."""
    units = set(practices) | {model.pcns[model.practices[p].pcn].unit for p in practices}
    if len(practices) == len(model.practices):
        units.add(model.lgpo_unit)
    contracts = tuple(iv.gp_contract_mix)
    weights = np.array([iv.gp_contract_mix[c] for c in contracts], dtype=float)
    if contracts:
        weights = weights / weights.sum() if weights.sum() > 0 else np.full(len(contracts), 1 / len(contracts))
    model.levers.drives.append(RecruitmentDrive(
        fill_probability=dict(iv.fill_probability),
        mean_fill_days={r: m * DAYS_PER_MONTH for r, m in iv.delay_months.items()},
        units=frozenset(units), start_day=start, end_day=end, contracts=contracts,
        contract_weights=tuple(float(w) for w in weights), sessions_by_contract=dict(iv.gp_sessions_by_contract),
        key=f"drive{len(model.levers.drives)}"))


__all__ = ["AdvertTerms", "advert_terms", "drive_contract", "market_terms", "recruitment"]
