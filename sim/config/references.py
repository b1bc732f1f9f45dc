"""Cross-references of interventions: every role, need type, PCN and practice an intervention names exists.

A schema check on a validated scenario (no model is built), run by :func:`sim.config.loading.scenario_from_mapping`
so that ``gpsim validate`` needs only the configuration layer.
"""

from __future__ import annotations

from collections.abc import Callable

from sim.config.interventions import (
    ExtendedAccess,
    InternationalRecruitment,
    PooledCover,
    Recruitment,
    Retention,
    Retirement,
    SkillMix,
    TrainingExpansion,
)
from sim.config.scenario import Scenario


def check_intervention_references(scenario: Scenario, fail: Callable[[tuple, str], None]) -> None:
    """Every role, need, PCN and practice an intervention names must exist."""
    roles = set(scenario.roles)
    needs = set(scenario.demand.need_types)
    pcns = {p.code for p in scenario.area.pcns}
    practices = {pr.code for _, _, pr in scenario.iter_practices()}

    def role_ok(loc: tuple, role: str) -> None:
        if role not in roles:
            fail(loc, f"unknown role '{role}'; allowed roles: {', '.join(sorted(roles))}")

    for k, iv in enumerate(scenario.interventions):
        base = ("interventions", k)
        if isinstance(iv.scope, list):
            for j, code in enumerate(iv.scope):
                if code not in practices:
                    fail((*base, "scope", j), f"unknown practice '{code}'")
        elif iv.scope not in ("lgpo", scenario.area.code) and iv.scope not in pcns and iv.scope not in practices:
            fail((*base, "scope"), f"unknown scope '{iv.scope}'; allowed: lgpo, a PCN code ({', '.join(sorted(pcns))}) "
                                   "or a list of practice codes")
        if isinstance(iv, Retirement):
            for role in (iv.hazard_by_age or {}):
                role_ok((*base, "hazard_by_age", role), role)
            if iv.wave:
                role_ok((*base, "wave", "role"), iv.wave.role)
        if isinstance(iv, Recruitment):
            for role in iv.fill_probability:
                role_ok((*base, "fill_probability", role), role)
        if isinstance(iv, SkillMix):
            for j, add in enumerate(iv.add):
                role_ok((*base, "add", j, "role"), add.role)
            for need, rs in iv.eligibility.items():
                if need not in needs:
                    fail((*base, "eligibility", need), f"unknown need type '{need}'; allowed: {', '.join(sorted(needs))}")
                for j, r in enumerate(rs):
                    role_ok((*base, "eligibility", need, j), r)
            if iv.shift:
                for j, n in enumerate(iv.shift.needs):
                    if n not in needs:
                        fail((*base, "shift", "needs", j), f"unknown need type '{n}'; allowed: {', '.join(sorted(needs))}")
                for j, r in enumerate(iv.shift.to_roles):
                    role_ok((*base, "shift", "to_roles", j), r)
        if isinstance(iv, ExtendedAccess):
            employed = _roles_in_scope(scenario, iv.scope) | {
                a.role for other in scenario.interventions if isinstance(other, SkillMix)
                for a in other.add if a.level == "practice"}
            for j, hs in enumerate(iv.staff):
                role_ok((*base, "staff", j, "role"), hs.role)
                if iv.staffed_from == "member_practices" and hs.role in roles and hs.role not in employed:
                    fail((*base, "staff", j, "role"),
                         f"no member practice in scope employs a '{hs.role}' to work the hub; they employ: "
                         f"{', '.join(sorted(employed))}")
        if isinstance(iv, PooledCover):
            for j, r in enumerate(iv.roles):
                role_ok((*base, "roles", j), r)
        if isinstance(iv, Retention):
            for j, r in enumerate(iv.roles):
                role_ok((*base, "roles", j), r)
        if isinstance(iv, TrainingExpansion | InternationalRecruitment):
            gp_role_ok(scenario, (*base, "type"), iv.type, fail)
    training = scenario.workforce.training
    if training.enabled:
        gp_role_ok(scenario, ("workforce", "training", "enabled"), "GP training", fail)
    for j, code in enumerate(training.practices or []):
        if code not in practices:
            fail(("workforce", "training", "practices", j),
                 f"unknown practice '{code}'; allowed: {', '.join(sorted(practices))}")


def gp_role_ok(scenario: Scenario, loc: tuple, what: str, fail: Callable[[tuple, str], None]) -> None:
    """Trainees and recruited GPs are staff of the role 'GP', which must be a GP role (kind gp)."""
    spec = scenario.roles.get("GP")
    if spec is None or spec.kind != "gp":
        fail(loc, f"{what} adds staff of the role 'GP', but the scenario has no role 'GP' of kind gp")


def _roles_in_scope(scenario: Scenario, scope: str | list[str]) -> set[str]:
    """Roles employed by the practices an intervention's scope covers (for hub rota checks)."""
    out = set()
    for pcn in scenario.area.pcns:
        for pr in pcn.practices:
            if (scope in ("lgpo", scenario.area.code) or scope == pcn.code or scope == pr.code
                    or (isinstance(scope, list) and pr.code in scope)):
                out |= {g.role for g in pr.staff}
    return out
