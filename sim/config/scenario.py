"""Scenario configuration: closed, validated pydantic models loaded from YAML.

Every field carries its unit in its name or description and the source of its default. Unknown keys
are errors (``extra="forbid"``); :mod:`sim.config.loading` turns validation errors into messages that
name the file, the YAML path and the allowed values.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import numpy as np
from pydantic import Field, field_validator, model_validator

from sim.config.area import PCN, Area, Practice, StaffGroup  # noqa: F401  (re-exported: the schema's names)
from sim.config.back_office import BackOffice
from sim.config.demand import Demand, HolidayBooking, NeedType, default_need_types  # noqa: F401
from sim.config.ensemble import EnsembleMember, check_members, member_mapping
from sim.config.front_door import FrontDoor
from sim.config.interventions import Intervention
from sim.config.roles import RoleSpec, default_roles
from sim.config.types import (  # noqa: F401  (re-exported: the public names of the schema)
    AGE_BANDS,
    MODES,
    AgeBand,
    Fraction,
    GpContract,
    Mode,
    NonNegFloat,
    PositiveFloat,
    RoleKind,
    Strict,
)
from sim.config.workforce import Turnover, Workforce  # noqa: F401

# --------------------------------------------------------------------------------------------
# Booking rules
# --------------------------------------------------------------------------------------------


class Booking(Strict):
    """How requests become appointments: the book, same-day slots, tolerance, DNAs."""

    book_ahead_days: Annotated[int, Field(ge=0, le=120)] = Field(
        28, description="days ahead the appointment book is open"
    )
    urgent_tolerance_days: Annotated[int, Field(ge=0, le=14)] = Field(
        1, description="a same-day request accepts today or up to this many days later, else is lost"
    )
    # days: a patient waits at most about a year beyond the day they asked for
    routine_tolerance_days_mean: Annotated[float, Field(ge=0.0, le=365.0)] = Field(
        14.0, description="mean extra days beyond the preferred day a routine request waits (exponential)"
    )
    # days: beyond the 120-day book nothing changes
    preference_days_per_rank: Annotated[float, Field(ge=0.0, le=120.0)] = Field(
        2.0, description=("days sooner a less-preferred eligible role must offer a slot before triage books it "
                          "instead of the preferred role (per step down the skill-mix order)")
    )
    continuity_extra_days: Annotated[int, Field(ge=0, le=28)] = Field(
        2, description="extra days a continuity-minded patient waits for their usual GP"
    )
    dna_same_day: Fraction = Field(0.019, description="did-not-attend rate, seen the same day (GPAD ~2018, formats.md)")
    dna_next_day: Fraction = Field(0.05, description="did-not-attend rate, booked 1 day ahead (GPAD ~2018)")
    dna_2_to_7_days: Fraction = Field(0.068, description="did-not-attend rate, booked 2-7 days ahead (GPAD ~2018)")
    dna_8_plus_days: Fraction = Field(0.085, description="did-not-attend rate, booked 8+ days ahead (GPAD: 8.2-8.9%)")
    # minutes after midnight: a session starts within the day (0 = 00:00 to 1439 = 23:59), morning first
    session_start_minutes: tuple[Annotated[int, Field(ge=0, le=1439)], Annotated[int, Field(ge=0, le=1439)]] = Field(
        (510, 840), description="minutes after midnight the morning and afternoon sessions start (08:30, 14:00)"
    )

    @field_validator("session_start_minutes")
    @classmethod
    def _morning_first(cls, v: tuple[int, int]) -> tuple[int, int]:
        if v[1] < v[0]:
            raise ValueError(f"the afternoon session ({v[1]}) must not start before the morning one ({v[0]})")
        return v

    def dna_probability(self, wait_days):
        """Did-not-attend probability by days from request to appointment (scalar or array)."""
        w = np.asarray(wait_days)
        return np.select([w <= 0, w == 1, w <= 7], [self.dna_same_day, self.dna_next_day, self.dna_2_to_7_days],
                         default=self.dna_8_plus_days)


class AdminWorkload(Strict):
    """GP correspondence time and the cost of admin staff (the back office itself: ``back_office``)."""

    # GP hours a week per 1,000 patients: 40 is a whole FTE per 1,000 patients
    gp_correspondence_hours_per_1000_week: Annotated[float, Field(ge=0.0, le=40.0)] = Field(
        1.2, description="GP hours a week per 1,000 patients on clinical correspondence (letters, results) (assumption)"
    )
    # GBP a year: ten times a band 3 salary with on-costs
    admin_cost_per_fte_year_gbp: Annotated[float, Field(ge=0.0, le=300_000.0)] = Field(
        30_000.0, description="employer cost of one admin FTE a year, GBP (assumption, AfC band 3 with on-costs)"
    )


class WalkIn(Strict):
    """Walk-in queue parameters used where a practice's access_mode is walk_in."""

    # minutes after midnight (0 = 00:00, 1440 = midnight at the end of the day); the queue opens before it closes
    open_minute: Annotated[int, Field(ge=0, le=1439)] = Field(510, description="minute the walk-in queue opens (08:30)")
    close_minute: Annotated[int, Field(ge=1, le=1440)] = Field(
        1110, description="minute after which no one joins the queue (18:30)")
    # minutes: nobody queues for more than a day
    max_wait_minutes: Annotated[float, Field(gt=0.0, le=1440.0)] = Field(
        240.0, description="patients waiting longer than this give up and are lost"
    )
    later_slot: bool = Field(
        True, description="a walk-in practice's patient not seen that day (gave up waiting, still queued at close, "
                          "came after it closed) is offered the earliest bookable slot on a later day within the "
                          "book-ahead reach; with none, lost (then a destination by need and urgency). Issue 16: "
                          "a practice that runs out of clinician time offers a later slot instead of losing the "
                          "request (design rule, no published rate)")

    @model_validator(mode="after")
    def _opens_before_close(self) -> WalkIn:
        if self.close_minute <= self.open_minute:
            raise ValueError(f"close_minute ({self.close_minute}) must be after open_minute ({self.open_minute})")
        return self


# --------------------------------------------------------------------------------------------
# Scenario
# --------------------------------------------------------------------------------------------


class Scenario(Strict):
    """A complete, resolved scenario: area, parameters, horizon and seed.

    ``roles`` given in a scenario are merged into the default roles (a role named there overrides
    the fields it sets; new names add roles), so a file can tune one role without restating all.
    """

    @model_validator(mode="before")
    @classmethod
    def _merge_roles(cls, data):
        if isinstance(data, dict) and isinstance(data.get("roles"), dict):
            merged = {k: v.model_dump() for k, v in default_roles().items()}
            for name, spec in data["roles"].items():
                if isinstance(spec, dict) and name in merged:
                    merged[name] = {**merged[name], **spec}
                else:
                    merged[name] = spec
            data = {**data, "roles": merged}
        return data

    name: str = Field(description="short name used in output folder names")
    description: str = ""
    extends: str | None = Field(None, description="path of a base scenario this one overrides")
    # a date from 1950 to 2150: the NHS has existed since 1948 and bank-holiday calendars cover these years;
    # year 9999 overflowed the calendar after the horizon
    start_date: Annotated[dt.date, Field(ge=dt.date(1950, 1, 1), le=dt.date(2150, 12, 31))] = Field(
        dt.date(2025, 4, 1), description="first simulated day (reporting starts)")
    horizon_days: Annotated[int, Field(ge=1, le=3660)] = Field(365, description="simulated days reported")
    warm_up_days: Annotated[int, Field(ge=0, le=365)] = Field(
        28, description="days simulated before start_date to fill the appointment book; not reported"
    )
    # numpy seeds are non-negative; 2**63 - 1 keeps every derived stream key a 64-bit integer
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = Field(1, description="base seed of every random stream")
    area: Area
    roles: dict[str, RoleSpec] = Field(default_factory=default_roles)
    demand: Demand = Field(default_factory=Demand)
    booking: Booking = Field(default_factory=Booking)
    walk_in: WalkIn = Field(default_factory=WalkIn)
    workforce: Workforce = Field(default_factory=Workforce)
    admin: AdminWorkload = Field(default_factory=AdminWorkload)
    back_office: BackOffice = Field(default_factory=BackOffice)
    front_door: FrontDoor | None = Field(
        None, description="telephone, online and in-person contact before booking (None: requests book at day start)")
    interventions: list[Intervention] = Field(
        default_factory=list, description="scenario interventions, each with a type, start, scope and parameters"
    )
    ensemble: list[EnsembleMember] = Field(
        default_factory=list, description="calibrated parameter sets, one drawn per replication (none: fixed)")

    @model_validator(mode="after")
    def _check_ensemble(self):
        check_members(Scenario.model_validate, self.model_dump(mode="json", exclude={"ensemble"}),
                      self.ensemble)
        return self

    def member(self, k: int) -> Scenario:
        """This scenario with ensemble member ``k``'s parameters (not where it changed the fitted ones)."""
        base = self.model_dump(mode="json", exclude={"ensemble"})
        return Scenario.model_validate(member_mapping(base, self.ensemble, k))

    def iter_practices(self):
        """Yield (pcn_index, practice_index_in_pcn, practice)."""
        for i, pcn in enumerate(self.area.pcns):
            for j, pr in enumerate(pcn.practices):
                yield i, j, pr

    @property
    def list_size(self) -> int:
        """Registered patients in the whole area."""
        return sum(p.list_size for _, _, p in self.iter_practices())
