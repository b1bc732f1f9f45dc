"""Dashboard controls as scenario interventions: pure functions from control values to mappings.

A trainer's controls split in two. The *common* levers (GP retirements, added roles, hub hours,
demand growth, micro-teams) are the same on both sides of the split view. The *collaboration*
levers (one pooled hub instead of the same hours split across practices, cover held by the PCN
instead of each practice, a pooled back office) are what "collaborating at scale" means: the
standalone side has them all off. Both sides keep the scenario's seed, so with the same replication
they see the same demand (common random numbers) and any difference on screen is collaboration.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

from sim.config.scenario import default_roles

Side = Literal["standalone", "collaborating"]
SIDES: tuple[Side, Side] = ("standalone", "collaborating")

# Types the dashboard owns: a scenario's own interventions of these types are replaced by the controls.
# coordinator hours a week per 1,000 patients added with the pooled back office (assumption, as Sunderland's scenario)
COORDINATOR_HOURS_PER_1000 = 3.5
CONTROLLED_TYPES = frozenset({"retirement", "skill_mix", "pooled_back_office", "extended_access",
                              "demand_growth", "micro_teams", "pooled_cover"})
COLLABORATION_TYPES = frozenset({"extended_access", "pooled_cover", "pooled_back_office"})

# Hub sessions added one by one as the slider moves: weekday evenings and weekend mornings first
# (the extended-access pattern of sim.config.interventions.ExtendedAccess), then weekend afternoons.
HUB_SESSION_ORDER: tuple[tuple[str, str, str], ...] = (
    ("Mon", "18:30", "20:00"), ("Sat", "09:00", "13:00"), ("Tue", "18:30", "20:00"),
    ("Wed", "18:30", "20:00"), ("Thu", "18:30", "20:00"), ("Fri", "18:30", "20:00"),
    ("Sun", "09:00", "13:00"), ("Sat", "13:00", "17:00"), ("Sun", "13:00", "17:00"),
    ("Mon", "08:00", "08:30"), ("Wed", "08:00", "08:30"), ("Fri", "08:00", "08:30"),
)
MAX_HUB_SESSIONS = len(HUB_SESSION_ORDER)
OTHER_ROLES = ("Paramedic", "PhysicianAssociate")  # both take minor acute requests (sim.config.scenario)
COVER_DAYS_PER_WEEK_PER_10K = 1.5  # the same total cover on both sides (PooledCover's default)


@dataclass(frozen=True)
class Controls:
    """The values of the dashboard's controls.

    Attributes:
        gp_retirement_pct: Percent of GPs aged 55 and over who retire (a wave from the start date).
        retirement_months: Months over which the retirement wave is spread.
        pharmacists_per_10k: Extra clinical pharmacist FTE per 10,000 patients, employed by the PCN.
        other_roles_per_10k: Extra paramedic and physician-associate FTE per 10,000 (half each), PCN-employed.
        hub_sessions: Extended-access hub sessions a week (one GP each); 0 for none.
        demand_growth_pct: List growth in percent a year, with ageing and rising long-term conditions; 0 for none.
        micro_teams: Patients with a long-term condition get a named GP (and wait longer for them).
        pooled_hub: Collaboration lever: one PCN hub, rather than the same hours split across practices.
        pooled_cover: Collaboration lever: sickness and leave cover held by the PCN, rather than each practice.
        pooled_back_office: Collaboration lever: pooled back office and workflow coordinators.
    """

    gp_retirement_pct: float = 0.0
    retirement_months: int = 3
    pharmacists_per_10k: float = 0.0
    other_roles_per_10k: float = 0.0
    hub_sessions: int = 6
    demand_growth_pct: float = 0.0
    micro_teams: bool = False
    pooled_hub: bool = True
    pooled_cover: bool = True
    pooled_back_office: bool = True

    def __post_init__(self) -> None:
        """Reject values outside the ranges the controls offer."""
        checks = {
            "gp_retirement_pct": 0 <= self.gp_retirement_pct <= 100,
            "retirement_months": 1 <= self.retirement_months <= 120,
            "pharmacists_per_10k": 0 <= self.pharmacists_per_10k <= 20,
            "other_roles_per_10k": 0 <= self.other_roles_per_10k <= 20,
            "hub_sessions": 0 <= self.hub_sessions <= MAX_HUB_SESSIONS,
            "demand_growth_pct": 0 <= self.demand_growth_pct <= 50,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"control value out of range: {', '.join(f'{b}={getattr(self, b)!r}' for b in bad)}")

    def standalone(self) -> Controls:
        """The same controls with every collaboration lever off."""
        return replace(self, pooled_hub=False, pooled_cover=False, pooled_back_office=False)

    def as_dict(self) -> dict[str, Any]:
        """Plain values, e.g. for a URL or a log line."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Controls:
        """Controls from a mapping; unknown keys are an error."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ValueError(f"unknown control(s): {', '.join(unknown)}; allowed: {', '.join(sorted(names))}")
        return cls(**values)


def hub_sessions(n: int) -> list[dict[str, Any]]:
    """The first ``n`` hub sessions of :data:`HUB_SESSION_ORDER` as ExtendedAccess session mappings."""
    if not 0 <= n <= MAX_HUB_SESSIONS:
        raise ValueError(f"hub sessions must be 0..{MAX_HUB_SESSIONS}, got {n}")
    return [{"days": [day], "start": start, "end": end} for day, start, end in HUB_SESSION_ORDER[:n]]


def hub_hours(n: int) -> float:
    """Clinician hours a week of ``n`` hub sessions."""
    total = 0
    for _, start, end in HUB_SESSION_ORDER[:n]:
        (h0, m0), (h1, m1) = (map(int, start.split(":")), map(int, end.split(":")))
        total += (h1 * 60 + m1) - (h0 * 60 + m0)
    return total / 60.0


def interventions(controls: Controls, roles: set[str] | None = None) -> list[dict[str, Any]]:
    """Intervention mappings for one model, in the order they are applied.

    Args:
        controls: Control values (collaboration levers included).
        roles: Roles the scenario defines; added roles it lacks are left out. None keeps them all.
    """
    c = controls
    out: list[dict[str, Any]] = []
    if c.gp_retirement_pct > 0:
        out.append({"type": "retirement", "wave": {"role": "GP", "min_age": 55, "share": c.gp_retirement_pct / 100,
                                                   "over_months": c.retirement_months}})
    add = []
    if c.pharmacists_per_10k > 0:
        add.append({"role": "Pharmacist", "per_10k_patients": c.pharmacists_per_10k, "level": "pcn"})
    if c.other_roles_per_10k > 0:
        others = [r for r in OTHER_ROLES if roles is None or r in roles]
        add += [{"role": r, "per_10k_patients": c.other_roles_per_10k / len(others), "level": "pcn"} for r in others]
    if roles is not None:
        add = [a for a in add if a["role"] in roles]
    if add:
        out.append({"type": "skill_mix", "add": add})
    if c.hub_sessions > 0:
        out.append({"type": "extended_access", "level": "pcn", "pooled": c.pooled_hub,
                    "sessions": hub_sessions(c.hub_sessions), "staff": [{"role": "GP", "count": 1}]})
    out.append({"type": "pooled_cover", "level": "pcn" if c.pooled_cover else "practice",
                "cover_days_per_week_per_10k": COVER_DAYS_PER_WEEK_PER_10K})
    if c.pooled_back_office:
        # workflow coordinators from the start (the released-hours rule needs months of pooling to show)
        out.append({"type": "pooled_back_office", "coordinators": {"added_hours_per_1000_week": COORDINATOR_HOURS_PER_1000}})
    if c.demand_growth_pct > 0:
        out.append({"type": "demand_growth", "list_growth_per_year": c.demand_growth_pct / 100})
    if c.micro_teams:
        out.append({"type": "micro_teams"})
    return out


def scenario_mapping(base: dict[str, Any], controls: Controls) -> dict[str, Any]:
    """A copy of the scenario mapping ``base`` with the controls' interventions in place.

    The base's own interventions of the types the dashboard controls are replaced; others (for
    example recruitment) are kept. The seed and everything else are untouched.
    """
    out = copy.deepcopy(base)
    kept = [iv for iv in out.get("interventions") or [] if iv.get("type") not in CONTROLLED_TYPES]
    roles = set(default_roles()) | set(out.get("roles") or ())  # a scenario's roles merge into the defaults
    out["interventions"] = kept + interventions(controls, roles)
    return out


def pair(base: dict[str, Any], controls: Controls) -> dict[Side, dict[str, Any]]:
    """The split view's two scenario mappings: standalone practices and the collaborating PCN.

    Both keep the base's seed, so the same replication draws the same demand for both; only the
    collaboration levers differ (all off for the standalone side, as set for the collaborating side).
    """
    return {"standalone": scenario_mapping(base, controls.standalone()),
            "collaborating": scenario_mapping(base, controls)}


def lever_summary(controls: Controls) -> str:
    """One line naming the collaboration levers that are on, for a panel title."""
    on = [name for name, flag in (("pooled hub", controls.pooled_hub and controls.hub_sessions > 0),
                                  ("PCN cover", controls.pooled_cover),
                                  ("pooled back office", controls.pooled_back_office)) if flag]
    return ", ".join(on) if on else "no pooling: each practice alone"


def _snap(value: float, step: float, lo: float, hi: float) -> float:
    """``value`` rounded to a slider's step and kept within its range."""
    return min(hi, max(lo, round(value / step) * step))


def controls_from(base: dict[str, Any]) -> tuple[Controls, list[str]]:
    """The levers a scenario's own interventions set, and notes on what the levers cannot express.

    A library scenario arriving in the app starts with its levers where its interventions put them
    (rounded to the sliders' steps), so choosing ``gp-retirement-wave.yaml`` shows its retirements.
    The notes name what is lost when the controls replace the scenario's interventions.
    """
    ivs = [iv for iv in base.get("interventions") or [] if isinstance(iv, dict)]
    c, notes = Controls(), []  # the teaching defaults where the scenario says nothing
    if any(iv.get("type") in COLLABORATION_TYPES for iv in ivs):  # the scenario's own collaboration, else none
        c = replace(c, hub_sessions=0, pooled_hub=False, pooled_cover=False, pooled_back_office=False)
    values: dict[str, Any] = {}
    for iv in ivs:
        kind = iv.get("type")
        if kind == "retirement" and isinstance(iv.get("wave"), dict):
            wave = iv["wave"]
            values["gp_retirement_pct"] = float(_snap(100 * float(wave.get("share", 0)), 5, 0, 100))
            values["retirement_months"] = int(_snap(float(wave.get("over_months", 3)), 1, 1, 12))
            if wave.get("role", "GP") != "GP" or wave.get("min_age", 55) != 55:
                notes.append("retirement wave: the lever retires GPs aged 55+ only")
        elif kind == "skill_mix":
            added = {a.get("role"): float(a.get("per_10k_patients", 0)) for a in iv.get("add") or []}
            values["pharmacists_per_10k"] = float(_snap(added.pop("Pharmacist", 0.0), 0.5, 0, 5))
            values["other_roles_per_10k"] = float(_snap(sum(added.pop(r, 0.0) for r in OTHER_ROLES), 0.5, 0, 5))
            if added or iv.get("shift") or iv.get("eligibility"):
                notes.append("skill mix: only added pharmacists, paramedics and PAs are levers "
                             f"(not {', '.join(sorted(added)) or 'its changes to who sees what'})")
        elif kind == "extended_access":
            n = sum(len(s.get("days") or []) for s in iv.get("sessions") or [])
            values["hub_sessions"] = min(MAX_HUB_SESSIONS, n)
            values["pooled_hub"] = bool(iv.get("pooled", True))
            if iv.get("mode") == "walk_in" or iv.get("staffed_from", "own") != "own" or iv.get("level") == "lgpo":
                notes.append("hub: the lever's hub is booked, PCN-level and staffed by its own GPs")
        elif kind == "pooled_cover":
            values["pooled_cover"] = iv.get("level", "pcn") != "practice"
        elif kind == "pooled_back_office":
            values["pooled_back_office"] = True
            if set(iv) - {"type", "start", "end"}:
                notes.append("back office: the lever uses the default pooled back office")
        elif kind == "demand_growth":
            values["demand_growth_pct"] = float(_snap(100 * float(iv.get("list_growth_per_year", 0.0137)), 1, 0, 20))
            if set(iv) - {"type", "list_growth_per_year", "start", "end"}:
                notes.append("demand growth: the lever sets list growth (with the default ageing and LTC rise)")
        elif kind == "micro_teams":
            values["micro_teams"] = True
    return replace(c, **values), notes
