"""Checks of the labour market and recruitment drives against the area: codes, roles, and drives that add nothing.

Run with the other cross-reference checks (:func:`sim.config.loading.check_references`), so ``gpsim
validate`` reports a misspelt practice, an unknown role, a market set twice or a recruitment drive
used to block recruitment, with the file and YAML path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.config.interventions import Recruitment
from sim.config.labour_market import market_for
from sim.config.scenario import Scenario

Fail = Callable[[tuple[Any, ...], str], None]


def _targets(scenario: Scenario, scope: str | list[str], loc: tuple, fail: Fail) -> list[str]:
    """Practice or PCN codes a local market names (a PCN code alone, or practice codes)."""
    pcns = {p.code for p in scenario.area.pcns}
    practices = [pr.code for _, _, pr in scenario.iter_practices()]
    if isinstance(scope, str):
        if scope not in pcns and scope not in practices:
            fail((*loc, "scope"), f"unknown PCN or practice '{scope}'; allowed: a PCN code ({', '.join(sorted(pcns))}), "
                                  "a practice code or a list of practice codes")
        return [scope]
    if not scope:
        fail((*loc, "scope"), "an empty list: name the practices (or give a PCN code)")
    for j, code in enumerate(scope):
        if code not in practices:
            fail((*loc, "scope", j), f"unknown practice '{code}'; allowed: {', '.join(sorted(practices))}")
    return list(scope)


def check_labour_market(scenario: Scenario, fail: Fail) -> None:
    """Local markets name existing practices or PCNs and roles, set something, and set no role twice for a place."""
    roles = scenario.roles
    seen: dict[tuple[str, str, str], int] = {}
    for k, local in enumerate(scenario.workforce.labour_market.local):
        loc = ("workforce", "labour_market", "local", k)
        targets = _targets(scenario, local.scope, loc, fail)
        if not local.fill_probability and not local.time_to_fill_months:
            fail(loc, "a local market that sets neither fill_probability nor time_to_fill_months changes nothing")
        for field in ("fill_probability", "time_to_fill_months"):
            for role in getattr(local, field):
                if role not in roles:
                    fail((*loc, field, role), f"unknown role '{role}'; allowed roles: {', '.join(sorted(roles))}")
                for code in targets:
                    if (code, field, role) in seen:
                        fail((*loc, field, role), f"{role} in '{code}' is already set by workforce.labour_market."
                                                  f"local[{seen[(code, field, role)]}]; give it once")
                    seen[(code, field, role)] = k


def _markets_in_scope(scenario: Scenario, scope: str | list[str], role: str) -> list[tuple[float, float]]:
    """(fill probability, months) of ``role`` in each market a drive's scope covers (its practices and PCNs)."""
    wf = scenario.workforce
    out = []
    for pcn in scenario.area.pcns:
        members = [pr.code for pr in pcn.practices
                   if scope in ("lgpo", scenario.area.code, pcn.code, pr.code) or (isinstance(scope, list) and pr.code in scope)]
        out += [market_for(wf, role, code, pcn.code) for code in members]
        if members:
            out.append(market_for(wf, role, None, pcn.code))
    return out


def check_recruitment_drives(scenario: Scenario, fail: Fail) -> None:
    """A recruitment drive that could only lower the market (a fill probability below it everywhere) is an error.

    Such a drive would do nothing (a drive adds to the market); it was once the way to block recruitment.
    """
    for k, iv in enumerate(scenario.interventions):
        if not isinstance(iv, Recruitment):
            continue
        for role, p in iv.fill_probability.items():
            if role not in scenario.roles:
                continue  # reported by the reference checks
            markets = _markets_in_scope(scenario, iv.scope, role)
            if not markets:
                continue
            lowest = min(m[0] for m in markets)
            # a shorter time to fill the scenario gives (the default's alone does not excuse a lower probability)
            faster = ("delay_months" in iv.model_fields_set and role in iv.delay_months
                      and iv.delay_months[role] < max(m[1] for m in markets))
            if p < lowest and not faster and not (iv.gp_contract_mix and role == "GP"):
                fail(("interventions", k, "fill_probability", role),
                     f"{p:g} per advert is below the labour market's ({lowest:g} or more in the scope) and the drive "
                     "sets no shorter time to fill: a recruitment drive adds to the market and cannot lower it. "
                     "For a hard-to-recruit practice give it a local market: workforce.labour_market.local: "
                     f"[{{scope: [CODE], fill_probability: {{{role}: {p:g}}}}}]")
        for role in iv.delay_months:
            if role in scenario.roles and role not in iv.fill_probability and "delay_months" in iv.model_fields_set:
                fail(("interventions", k, "delay_months", role),
                     f"the drive covers the roles of fill_probability ({', '.join(iv.fill_probability)}); "
                     f"give {role} a fill_probability too (the market's, {_area_p(scenario, role):g}, to change only "
                     "the time to fill)")


def _area_p(scenario: Scenario, role: str) -> float:
    return market_for(scenario.workforce, role, None, None)[0]


__all__ = ["check_labour_market", "check_recruitment_drives"]
