"""Levers: everything an intervention may change in the day cycle, declared in one place.

The model holds one :class:`Levers` (``model.levers``). Mechanisms in :mod:`sim.model.interventions`
and :mod:`sim.model.hubs` write it (at set-up, or in a phase of the day cycle from their ``start`` to
their ``end``); the day cycle (:mod:`sim.model.daycycle`) and the results read it. The table in
``docs/architecture.md`` ("Levers") lists who writes and who reads each one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.model.booking import BookingRules
from sim.model.staff_days import SessionOverrides, Sessions
from sim.model.workforce import CoverPool


@dataclass(frozen=True)
class Shift:
    """Skill mix triage: a share of requests for some needs go to other roles first."""

    needs: frozenset[int]  # need indices (model.need_names)
    share: float  # fraction of those requests, by each request's own triage draw (u_triage)
    to_roles: tuple[str, ...]  # roles tried first, before the need's usual eligible roles


@dataclass(frozen=True)
class MicroTeam:
    """Micro-teams: patients with at least ``min_ltc`` long-term conditions book with their named GP."""

    min_ltc: int
    rules: BookingRules  # booking rules for them (longer continuity window)


@dataclass(frozen=True)
class Supervision:
    """GP supervision of appointments seen by other roles."""

    roles: frozenset[str]  # supervised roles
    minutes_per_appointment: float  # GP minutes per appointment they see, shared by the GPs on duty


@dataclass(frozen=True)
class RetentionRule:
    """A retention scheme: a hazard ratio on background leaving for the staff it covers (sim.model.turnover)."""

    hazard_ratio: float  # multiplier (0..1) on the annual leaving hazard
    roles: frozenset[str]
    units: frozenset[int]  # booking units in scope (practices, and their PCN's pooled posts)
    min_age: float  # years, as the person ages during the run
    max_age: float
    contracts: frozenset[str] | None  # None: every contract
    start_day: int  # internal days [start_day, end_day)
    end_day: int

    def covers(self, role: str, unit: int, contract: str | None, age: float, day: int) -> bool:
        """Whether a person with these attributes on internal day ``day`` is covered."""
        return (self.start_day <= day < self.end_day and role in self.roles and unit in self.units
                and self.min_age <= age < self.max_age
                and (self.contracts is None or contract in self.contracts))


@dataclass(frozen=True)
class RecruitmentDrive:
    """A recruitment drive: better advert terms for the roles and units it covers (sim.model.labour_market)."""

    fill_probability: dict[str, float]  # role -> per-advert fill probability (the roles covered)
    mean_fill_days: dict[str, float]  # role -> mean days from advert to start (roles not listed: the market's)
    units: frozenset[int]  # booking units in scope (practices, their PCN's posts; the LGPO's when area-wide)
    start_day: int  # internal days [start_day, end_day): adverts started then
    end_day: int
    contracts: tuple[str, ...]  # GP contracts of recruits (empty: the post's own)
    contract_weights: tuple[float, ...]  # their weights, summing to 1
    sessions_by_contract: dict[str, float]  # sessions a week by contract
    key: str  # for its draws

    def covers(self, role: str, unit: int, day: int) -> bool:
        """Whether an advert for ``role`` at ``unit`` started on internal day ``day`` is the drive's."""
        return self.start_day <= day < self.end_day and role in self.fill_probability and unit in self.units


@dataclass
class Levers:
    """What interventions may change, with its type and unit; the defaults are 'no intervention'."""

    # need name -> roles that may see it, replacing the need type's eligible_roles (skill mix)
    eligibility: dict[str, list[str]] = field(default_factory=dict)
    shift: Shift | None = None  # skill-mix triage
    micro_team: MicroTeam | None = None  # named GP for patients with long-term conditions
    supervision: Supervision | None = None  # GP supervision minutes per appointment of other roles
    # per practice: share (0..1) of GP correspondence its GPs still do (pooled back office lowers it)
    correspondence_share_kept: np.ndarray = field(default_factory=lambda: np.ones(0))
    cover: CoverPool | None = None  # absence cover: clinician-days a week held by practice, PCN or LGPO
    demand_scale: np.ndarray | None = None  # (day, practice) multiplier on request rates (demand growth)
    # hub posts: staff -> weekday -> sessions, replacing the weekly half-day pattern
    custom_sessions: dict[int, dict[int, Sessions]] = field(default_factory=dict)
    # (staff, day) -> sessions replacing that day's: hub rotas and redeployed practice hours
    session_override: SessionOverrides = field(default_factory=SessionOverrides)
    hub_same_day_share: dict[int, float] = field(default_factory=dict)  # hub post -> slots held for the day
    walk_in_staff: set[int] = field(default_factory=set)  # hub posts serving a walk-in queue, not slots
    retention: list[RetentionRule] = field(default_factory=list)  # hazard ratios on background leaving
    drives: list[RecruitmentDrive] = field(default_factory=list)  # recruitment drives adding to the labour market
    # GP trainee -> GP minutes per slot of theirs, taken from their practice's GPs' sessions (sim.model.training)
    trainee_supervision: dict[int, float] = field(default_factory=dict)
