"""Local labour markets: per-practice and per-PCN fill probability and time to fill (``workforce.labour_market``).

The area's market is ``workforce.turnover``'s ``fill_probability`` (per advert) and ``time_to_fill_months``
(mean months from advert to start), with their published or assumed sources. A local market overrides
them, role by role, for some practices or a PCN: a hard-to-recruit practice (fill probability 0: nobody
applies), a PCN where adverts take longer. A ``recruitment`` intervention adds to the market in its
scope and window; it never replaces it (sim.model.labour_market).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from sim.config.types import Fraction, Strict

if TYPE_CHECKING:
    from sim.config.workforce import Workforce

DEFAULT_FILL_PROBABILITY = 0.9  # roles without a fill probability in workforce.turnover (assumption, as it says)

# months: a vacancy open ten years is no longer a vacancy (as workforce.turnover.time_to_fill_months)
FillMonths = Annotated[float, Field(gt=0.0, le=120.0)]


class LocalMarket(Strict):
    """One local market: roles' fill probability and time to fill in the practices (or PCN) of ``scope``."""

    scope: str | list[str] = Field(
        description=("a PCN code (its practices and its PCN-employed staff), a practice code or a list of practice "
                     "codes; an entry naming a practice takes precedence over its PCN's entry"))
    fill_probability: dict[str, Fraction] = Field(
        default_factory=dict,
        description=("role -> probability an advert fills here (0-1, per advert; an unfilled post is advertised "
                     "again); roles not listed: the area's (workforce.turnover.fill_probability)"))
    time_to_fill_months: dict[str, FillMonths] = Field(
        default_factory=dict,
        description=("role -> mean months from advert to start here (gamma, shape 2); roles not listed: the "
                     "area's (workforce.turnover.time_to_fill_months)"))
    note: str = Field("", description="why this market differs (evidence or assumption), for the report")


class LabourMarket(Strict):
    """Local overrides of the area's labour market (``workforce.turnover``), role by role."""

    local: list[LocalMarket] = Field(
        default_factory=list,
        description=("local markets: practices or PCNs whose adverts fill with another probability or take "
                     "another time than the area's; none by default (every practice in the area's market)"))


def market_for(wf: Workforce, role: str, practice: str | None, pcn: str | None) -> tuple[float, float]:
    """(fill probability per advert, mean months to fill) of ``role`` in the market of a practice or PCN post.

    ``practice``: the practice's code (None for a PCN's or the area's own post); ``pcn``: its PCN's code
    (None for the area's). A local market naming the practice wins over one naming its PCN; either,
    for the roles it lists, over the area's (``workforce.turnover``).
    """
    cfg = wf.turnover
    p = cfg.fill_probability.get(role, DEFAULT_FILL_PROBABILITY)
    months = cfg.time_to_fill_months.get(role, cfg.other_roles_time_to_fill_months)
    for specific in (False, True):  # the PCN's entries first, then the practice's over them
        for local in wf.labour_market.local:
            scope = local.scope if isinstance(local.scope, list) else [local.scope]
            if (practice in scope) if specific else (pcn is not None and local.scope == pcn):
                p = local.fill_probability.get(role, p)
                months = local.time_to_fill_months.get(role, months)
    return p, months


__all__ = ["DEFAULT_FILL_PROBABILITY", "LabourMarket", "LocalMarket", "market_for"]
