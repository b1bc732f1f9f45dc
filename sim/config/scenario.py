"""Scenario configuration: closed, validated pydantic models loaded from YAML.

Every field carries its unit in its name or description and the source of its default. Unknown keys
are errors (``extra="forbid"``); :mod:`sim.config.loading` turns validation errors into messages that
name the file, the YAML path and the allowed values.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from sim.config.back_office import BackOffice
from sim.config.ensemble import EnsembleMember, check_members, member_mapping
from sim.config.interventions import Intervention
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

# --------------------------------------------------------------------------------------------
# Roles
# --------------------------------------------------------------------------------------------


class RoleSpec(Strict):
    """How one staff role works: slot length, sessions, admin time. Units in the field names."""

    kind: RoleKind = Field(description="agent class: gp, nurse, pharmacist, other_dpc or admin")
    # minutes: 1 (the admin role's bookkeeping unit) to 240 (a half-day procedure list); GP slots are 10-15
    # minutes in practice. Below 1 the day holds thousands of slots nobody can fill (slot_minutes: 1e-9
    # reported 0% utilisation and 25% lost)
    slot_minutes: Annotated[float, Field(ge=1.0, le=240.0)] = Field(
        10.0, description="minutes per booked appointment slot (GP 10: Hobbs et al. 2016, 9.2 min mean)"
    )
    # minutes: a clinical session lasts 1 hour to a whole day (a GP session is about 3 h of clinics;
    # 1,440 allows a 24-hour service such as the analytic tier's all-day walk-in queue)
    session_minutes: Annotated[float, Field(ge=60.0, le=1440.0)] = Field(
        180.0, description="clinical minutes in one session (a GP session is about 4h10m of which ~3h clinics)"
    )
    # sessions a week for 1.0 FTE: at most two a day, seven days (14); full time is 8-10
    sessions_per_fte_week: Annotated[float, Field(gt=0.0, le=14.0)] = Field(
        8.0, description="clinical sessions a week for 1.0 FTE (37.5 h a week, NHS Digital methodology)"
    )
    # minutes of admin per session: up to 12 hours (GPs report 1-2 h per session)
    admin_minutes_per_session: Annotated[float, Field(ge=0.0, le=720.0)] = Field(
        60.0, description="minutes of clinical admin (results, letters, prescriptions) per clinical session"
    )
    # dimensionless: consultation lengths have a CV about 0.3-0.6; 5 is already absurd
    duration_cv: Annotated[float, Field(ge=0.0, le=5.0)] = Field(
        0.35, description="coefficient of variation of consultation length around the slot length"
    )
    same_day_slot_share: Fraction = Field(
        0.45, description="share of this role's slots held back for booking on the day (the rest bookable ahead)"
    )
    extra_slots_per_session: Annotated[int, Field(ge=0, le=10)] = Field(
        0, description=("same-day extras a clinician adds per session when every slot is gone (duty-doctor "
                        "'extras'); they run past the session end and become overtime")
    )
    absence_share: Fraction = Field(
        0.10, description=("share of working days lost to annual leave, study leave and sickness (about "
                           "5 weeks' leave plus 3% sickness; an assumption to calibrate)")
    )
    # days: one absence spell lasts 1 day to a year (long-term sickness beyond a year ends employment)
    absence_spell_days: Annotated[float, Field(ge=1.0, le=365.0)] = Field(5.0, description="mean length of one absence spell in days")


def default_roles() -> dict[str, RoleSpec]:
    """Default roles. Slot lengths follow common practice rotas; see docs/sources.md (Hobbs 2016)."""
    return {
        "GP": RoleSpec(kind="gp", slot_minutes=10, session_minutes=180, sessions_per_fte_week=8,
                       admin_minutes_per_session=75, same_day_slot_share=0.5,
                       extra_slots_per_session=2),
        "Nurse": RoleSpec(kind="nurse", slot_minutes=15, session_minutes=210, sessions_per_fte_week=9,
                          admin_minutes_per_session=30, same_day_slot_share=0.15),
        "Pharmacist": RoleSpec(kind="pharmacist", slot_minutes=20, session_minutes=210,
                               sessions_per_fte_week=9, admin_minutes_per_session=45, same_day_slot_share=0.1),
        "HCA": RoleSpec(kind="other_dpc", slot_minutes=15, session_minutes=210, sessions_per_fte_week=9,
                        admin_minutes_per_session=15, same_day_slot_share=0.15),
        "Paramedic": RoleSpec(kind="other_dpc", slot_minutes=20, session_minutes=210,
                              sessions_per_fte_week=9, admin_minutes_per_session=30, same_day_slot_share=0.8),
        "PhysicianAssociate": RoleSpec(kind="other_dpc", slot_minutes=15, session_minutes=210,
                                       sessions_per_fte_week=9, admin_minutes_per_session=30,
                                       same_day_slot_share=0.6),
        "Physiotherapist": RoleSpec(kind="other_dpc", slot_minutes=20, session_minutes=210,
                                    sessions_per_fte_week=9, admin_minutes_per_session=20,
                                    same_day_slot_share=0.2),
        "Admin": RoleSpec(kind="admin", slot_minutes=1, session_minutes=210, sessions_per_fte_week=10,
                          admin_minutes_per_session=0),
    }


# --------------------------------------------------------------------------------------------
# Area: LGPO -> PCNs -> practices, staff groups
# --------------------------------------------------------------------------------------------


class StaffGroup(Strict):
    """A group of identical staff in one practice, PCN or LGPO (``count`` people of one role)."""

    role: str = Field(description="a key of `roles` (e.g. GP, Nurse, Pharmacist, HCA, Admin)")
    # people: 10,000 in one group is over a quarter of England's GPs (about 38,000 headcount, 2024);
    # a group of 100 million grew memory without end
    count: Annotated[int, Field(ge=1, le=10_000)] = Field(1, description="headcount in this group")
    fte: Annotated[float, Field(gt=0.0, le=1.5)] = Field(
        1.0, description="FTE per person; 1.0 = 37.5 hours a week (NHS Digital workforce methodology)"
    )
    # sessions a week per person: at most two a day, seven days
    sessions_per_week: Annotated[float, Field(ge=0.0, le=14.0)] | None = Field(
        None, description="clinical sessions a week per person; default fte x role.sessions_per_fte_week"
    )
    age: Annotated[int, Field(ge=18, le=80)] | list[Annotated[int, Field(ge=18, le=80)]] = Field(
        45, description="age in years, one value for the group or one per person"
    )
    contract: GpContract | None = Field(None, description="GPs only: partner, salaried, locum, ...")

    @model_validator(mode="after")
    def _ages_match_count(self) -> StaffGroup:
        if isinstance(self.age, list) and len(self.age) != self.count:
            raise ValueError(f"age lists {len(self.age)} values but count is {self.count}")
        return self

    def ages(self) -> list[int]:
        """One age per person."""
        return list(self.age) if isinstance(self.age, list) else [self.age] * self.count


class Practice(Strict):
    """A GP practice: its registered list, its age mix and its own staff."""

    code: str = Field(description="ODS practice code (e.g. F84003) or a synthetic code")
    name: str = ""
    # patients: the largest single practices in England hold about 100,000-130,000 registered patients;
    # 2,000,000 leaves room for a merged super-practice and stops 10 billion (37 GiB of arrays) at once
    list_size: Annotated[int, Field(ge=0, le=2_000_000)] = Field(description="registered patients")
    age_mix: dict[AgeBand, NonNegFloat] | None = Field(
        None, description="share of the list in each age band; default demand.default_age_mix"
    )
    # dimensionless: practices' LTC prevalence varies about 0.5-2 times the national mean
    ltc_multiplier: Annotated[float, Field(gt=0.0, le=10.0)] = Field(
        1.0, description="practice multiplier on the mean number of long-term conditions per patient"
    )
    staff: list[StaffGroup] = Field(default_factory=list)
    access_mode: Literal["booked", "walk_in"] = Field(
        "booked", description="how same-day requests are served: booked slots or a walk-in queue"
    )
    # IMD 2019 score: practices' scores run 3.4-68.7 (OHID Fingertips 93553); the index is bounded by 100
    imd_score: Annotated[float, Field(ge=0.0, le=100.0)] | None = Field(
        None, description=("IMD 2019 score of the practice's patients (OHID Fingertips 93553; higher = more "
                           "deprived); `area build` fills it; for outcomes by national IMD quintile"))

    @field_validator("age_mix")
    @classmethod
    def _mix_sums_to_one(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is not None:
            total = sum(v.values())
            if not 0.98 <= total <= 1.02:
                raise ValueError(f"age_mix shares must sum to 1 (got {total:.3f})")
        return v


class PCN(Strict):
    """A Primary Care Network: member practices plus PCN-employed staff who serve all of them."""

    code: str
    name: str = ""
    practices: list[Practice] = Field(min_length=1)
    staff: list[StaffGroup] = Field(
        default_factory=list, description="PCN-employed roles (ARRS): bookable by every member practice"
    )


class Area(Strict):
    """A larger-scale GP organisation (LGPO / federation) and its PCNs."""

    code: str = "LGPO"
    name: str = "Example federation"
    pcns: list[PCN] = Field(min_length=1)
    staff: list[StaffGroup] = Field(default_factory=list, description="LGPO-employed staff (back office)")

    @model_validator(mode="after")
    def _someone_registered(self) -> Area:
        if sum(pr.list_size for pcn in self.pcns for pr in pcn.practices) < 1:
            raise ValueError("no practice has any registered patients (list_size); at least one needs a list")
        return self


# --------------------------------------------------------------------------------------------
# Demand
# --------------------------------------------------------------------------------------------


class NeedType(Strict):
    """One kind of need: its share of requests, urgency, eligible roles and booking behaviour."""

    share: Fraction = Field(description="share of all requests")
    eligible_roles: list[str] = Field(min_length=1, description="roles that may see it, in order of preference")
    same_day_share: Fraction = Field(description="share of these requests that want to be seen today")
    continuity: bool = Field(False, description="patient prefers their usual GP (continuity)")
    # days: reviews are booked at most about a year ahead
    lead_days_mean: Annotated[float, Field(ge=0.0, le=365.0)] = Field(
        3.0, description="routine requests: mean preferred days ahead (follow-ups, reviews), geometric"
    )
    mode_shares: dict[Mode, Annotated[float, Field(ge=0.0, le=1.0)]] = Field(
        default_factory=lambda: {"face_to_face": 0.66, "telephone": 0.30, "video_online": 0.02,
                                 "home_visit": 0.02},
        description="appointment mode shares (Appointments in GP, Apr-Jun 2024: about 65% face to face)",
    )
    # relative weights: 100 times another month's share is already far beyond any seasonal pattern
    monthly_share_factor: list[Annotated[float, Field(gt=0.0, le=100.0)]] | None = Field(
        None, min_length=12, max_length=12,
        description=("relative weight (dimensionless) of this need's share in requests made in each calendar "
                     "month, January..December; each day's need mix is renormalised, so the total demand keeps "
                     "demand.monthly_seasonality. None (default, the original model): the same share every "
                     "month. gpsim calibrate sets it on the non-GP-first needs from other areas' GPAD GP share "
                     "by month (the autumn vaccination dip)"),
    )

    @field_validator("mode_shares")
    @classmethod
    def _some_mode(cls, v: dict[str, float]) -> dict[str, float]:
        if v and sum(v.values()) <= 0:
            raise ValueError("mode_shares are all 0; at least one mode needs a share above 0")
        return v


def default_need_types() -> dict[str, NeedType]:
    """Default need mix. Shares chosen so GP share of appointments is about half (docs/sources.md, 2018: 52%)."""
    return {
        # minor illness goes to other roles first: care navigation / active signposting (docs/sources.md, 10 HIAs)
        "acute_minor": NeedType(share=0.30, eligible_roles=["Paramedic", "PhysicianAssociate", "Nurse", "GP"],
                                same_day_share=0.75, lead_days_mean=1.0),
        "acute_complex": NeedType(share=0.18, eligible_roles=["GP"], same_day_share=0.55,
                                  continuity=True, lead_days_mean=3.0),
        "ltc_review": NeedType(share=0.14, eligible_roles=["Nurse", "GP"], same_day_share=0.02,
                               continuity=True, lead_days_mean=12.0),
        "medication_review": NeedType(share=0.07, eligible_roles=["Pharmacist", "GP"],
                                      same_day_share=0.05, lead_days_mean=10.0,
                                      mode_shares={"face_to_face": 0.3, "telephone": 0.7}),
        "procedure": NeedType(share=0.21, eligible_roles=["HCA", "Nurse"], same_day_share=0.10,
                              lead_days_mean=8.0, mode_shares={"face_to_face": 1.0}),
        "mental_health": NeedType(share=0.05, eligible_roles=["GP"], same_day_share=0.30,
                                  continuity=True, lead_days_mean=4.0),
        "musculoskeletal": NeedType(share=0.05, eligible_roles=["GP", "Physiotherapist"],
                                    same_day_share=0.20, lead_days_mean=4.0),
    }


class HolidayBooking(Strict):
    """Routine booking around a holiday window (Christmas to New Year): preferred days move after it.

    Patients rarely book routine care into the Christmas week: a routine request whose preferred
    appointment day falls in the window avoids it with probability ``avoid_share`` (``action``
    says how). Same-day requests are unaffected, so December's booking mix moves
    towards same-day appointments (GPAD: December same-day share 3-4 points above November's and
    January's in every London STP, 2019).
    """

    first_day: tuple[Annotated[int, Field(ge=1, le=12)], Annotated[int, Field(ge=1, le=31)]] = Field(
        (12, 24), description="(month, day) the window starts, inclusive (default 24 December: Christmas Eve)"
    )
    last_day: tuple[Annotated[int, Field(ge=1, le=12)], Annotated[int, Field(ge=1, le=31)]] = Field(
        (1, 1), description=("(month, day) the window ends, inclusive; before first_day means it wraps the year "
                             "end (default 1 January: New Year's Day)")
    )
    avoid_share: Fraction = Field(
        1.0, description=("share (0-1) of routine requests preferring a day in the window that avoid it "
                          "(assumption; gpsim calibrate estimates it from other areas' December same-day lift)")
    )
    action: Literal["drop_request", "defer_request", "move_preferred_day"] = Field(
        "drop_request", description=("what an avoiding request does (an assumption): drop_request (default: the "
                                     "patient does not ask; the calibrated monthly profile restores December's "
                                     "total), defer_request (asks on the first working day after the window, "
                                     "wanting the same days ahead) or move_preferred_day (asks now for the first "
                                     "working day after the window). On East London 2019 only drop_request kept "
                                     "January's booking mix: the other two crowd early January")
    )

    @model_validator(mode="after")
    def _real_days(self) -> HolidayBooking:
        for month, day in (self.first_day, self.last_day):
            dt.date(2000, month, day)  # a leap year: 29 February is allowed; raises on 31 April
        return self


class Demand(Strict):
    """Requests for appointments: per-patient rates, calendar profiles and the need mix.

    Age-band tables given in part (say only ``"85+"``) override those bands and keep the defaults
    for the rest; ``need_types``, if given, replaces the whole mix (its shares must sum to 1).
    """

    @model_validator(mode="before")
    @classmethod
    def _fill_age_bands(cls, data):
        if isinstance(data, dict):
            data = dict(data)
            for name in ("rate_per_patient_year", "ltc_mean_by_age", "default_age_mix"):
                given = data.get(name)
                if isinstance(given, dict):
                    default = cls.model_fields[name].default_factory()
                    data[name] = {**default, **given}
        return data

    # requests per patient a year: band means run from 3 (children) to 13.5 (85+); 100 is beyond any band
    rate_per_patient_year: dict[AgeBand, Annotated[float, Field(ge=0.0, le=100.0)]] = Field(
        default_factory=lambda: {"0-4": 6.5, "5-14": 3.0, "15-24": 4.0, "25-44": 4.8, "45-64": 6.0,
                                 "65-74": 8.5, "75-84": 11.0, "85+": 13.5},
        description=("appointment requests per patient per year by age band; highest at 0-4 and 85+ "
                     "(Hobbs et al., Lancet 2016); about 5.8 overall on the default mix (domain.md: "
                     "367.1m appointments / 63.4m patients, year to June 2024)"),
    )
    # dimensionless: calibration searches 0.3-1.6; 10 allows a stress test, and .inf or 1e9 fail in sampling or
    # need terabytes
    rate_multiplier: Annotated[float, Field(gt=0.0, le=10.0)] = Field(
        1.0, description="multiplier on every rate (calibrated)")
    default_age_mix: dict[AgeBand, NonNegFloat] = Field(
        default_factory=lambda: {"0-4": 0.053, "5-14": 0.120, "15-24": 0.115, "25-44": 0.280,
                                 "45-64": 0.250, "65-74": 0.095, "75-84": 0.063, "85+": 0.024},
        description="share of registered patients by age band (England, Patients Registered at a GP Practice, 2024)",
    )
    # conditions per patient: the 85+ mean is about 3; 20 per patient on average is beyond any population
    ltc_mean_by_age: dict[AgeBand, Annotated[float, Field(ge=0.0, le=20.0)]] = Field(
        default_factory=lambda: {"0-4": 0.05, "5-14": 0.12, "15-24": 0.2, "25-44": 0.4, "45-64": 0.9,
                                 "65-74": 1.6, "75-84": 2.3, "85+": 2.9},
        description="mean long-term conditions per patient by age band (Poisson), an assumption",
    )
    # dimensionless: each condition adds about a quarter; 5 (six-fold per condition) is beyond any study
    ltc_rate_ratio_per_condition: Annotated[float, Field(ge=0.0, le=5.0)] = Field(
        0.25, description="relative rise in a patient's request rate per long-term condition, within band"
    )
    # dimensionless gamma shape: 0.05 is already extreme concentration in a few patients, 1000 no variation
    propensity_shape: Annotated[float, Field(ge=0.05, le=1000.0)] = Field(
        1.5, description="gamma shape of individual demand propensity (mean 1): frequent attenders"
    )
    # relative weights (dimensionless); the profile is normalised, so only ratios matter: 100 bounds typing slips
    day_of_week: list[Annotated[float, Field(ge=0.0, le=100.0)]] = Field(
        default_factory=lambda: [1.25, 1.02, 0.96, 0.95, 0.90, 0.0, 0.0],
        min_length=7, max_length=7,
        description="relative demand Monday..Sunday (practices closed at weekends; Monday peak)",
    )
    monthly_seasonality: list[Annotated[float, Field(ge=0.0, le=100.0)]] = Field(
        default_factory=lambda: [1.08, 1.05, 1.04, 0.97, 0.97, 0.98, 0.97, 0.88, 0.97, 1.05, 1.06, 0.98],
        min_length=12, max_length=12,
        description="relative demand January..December (winter peak, August trough), normalised to mean 1",
    )
    # shares (or relative weights) by hour; all 0 gave 'Probabilities contain NaN' mid-run
    hourly_arrival: dict[Annotated[int, Field(ge=0, le=23)], Annotated[float, Field(ge=0.0, le=100.0)]] = Field(
        default_factory=lambda: {8: 0.32, 9: 0.14, 10: 0.10, 11: 0.08, 12: 0.07, 13: 0.08, 14: 0.07,
                                 15: 0.06, 16: 0.05, 17: 0.03},
        description="share of the day's requests by hour of arrival (the 8 a.m. peak)",
    )
    need_types: dict[str, NeedType] = Field(default_factory=default_need_types)
    # dimensionless: 1 is geometric; beyond 1000 the lead is the mean every time
    lead_shape: Annotated[float, Field(ge=0.01, le=1000.0)] = Field(
        1.0, description=("shape (dimensionless) of the negative binomial (gamma-Poisson) preferred days ahead of "
                          "routine requests, mean each need's lead_days_mean; 1 (default, the original model) is "
                          "the geometric distribution; above 1 leads gather around the mean (a hump at 1-3 weeks "
                          "and a thinner tail past 28 days, as in GPAD's booking intervals). Fitted by calibration")
    )
    next_day_share: Fraction = Field(
        0.0, description=("share (0-1, dimensionless) of routine requests that ask for the next working day "
                          "(preferred days ahead = days to the next working day: 1 Monday-Thursday, 3 on a Friday) "
                          "instead of drawing from the lead distribution: 'book me in for tomorrow', call-backs and "
                          "slots released a day ahead. A geometric or negative binomial lead has no extra mass at one "
                          "day, but GPAD's '1 Day' bin is 8-9% of appointments against 20-23% for '2 to 7 Days' "
                          "(East London, 2019). 0 (default, the original model): no such requests and the original "
                          "random draws. Fitted by calibration (the '1 Day' share of the fit months)")
    )
    holiday_booking: HolidayBooking | None = Field(
        None, description=("routine booking around the Christmas-New Year window; None (default, the original "
                           "model): booked like any other days")
    )

    @field_validator("day_of_week", "monthly_seasonality", "hourly_arrival")
    @classmethod
    def _some_weight(cls, v, info):
        values = v.values() if isinstance(v, dict) else v
        if not v or sum(values) <= 0:
            raise ValueError(f"{info.field_name} needs at least one weight above 0 (requests must arrive some time)")
        return v

    @field_validator("need_types")
    @classmethod
    def _shares_sum(cls, v: dict[str, NeedType]) -> dict[str, NeedType]:
        total = sum(n.share for n in v.values())
        if v and not 0.98 <= total <= 1.02:
            raise ValueError(f"need type shares must sum to 1 (got {total:.3f})")
        return v


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


class Turnover(Strict):
    """Background turnover and vacancy filling: the stock and flow that keeps a baseline workforce steady.

    Every staff member (hub and cover posts aside) leaves with an annual hazard by role, scaled by
    age band and contract; a leaver either moves to another practice or leaves general practice.
    Their post becomes a vacancy, advertised again and again: each advert takes a time to fill
    (gamma, mean by role) and fills with the labour market's probability, lowered by the practice's
    strain (mean burnout of its clinicians). Vacancies open at the start in proportion to the
    expected vacancy stock, so a baseline neither grows nor collapses.
    """

    enabled: bool = Field(True, description="background leaving and vacancy filling on or off")
    annual_leaving_rate: dict[str, Fraction] = Field(
        default_factory=lambda: {"GP": 0.12, "Nurse": 0.10, "Pharmacist": 0.12, "HCA": 0.12},
        description=("role -> share of staff leaving their post a year (GP: between the national 9.9% leaving "
                     "the NHS, DHSC answer 2023 from NHS Digital, 3,681 of ~37,000 GPs in 2022-23, and the 75th "
                     "percentile practice turnover of 14% in 2019, Parisi et al., BMJ Open 2021; other roles: "
                     "assumption); roles not listed use other_roles_rate"),
    )
    other_roles_rate: Fraction = Field(0.12, description="annual leaving rate of roles not listed (assumption)")
    # multipliers on the annual rate by age band (lower bound, years): 5 is a hazard five times the role's
    age_multiplier: dict[int, Annotated[float, Field(ge=0.0, le=5.0)]] = Field(
        default_factory=lambda: {0: 1.0, 50: 1.2, 60: 2.0},
        description=("age band lower bound (years, age as it advances during the run) -> multiplier on the "
                     "annual rate (intention to quit rises sharply from age 52, Fletcher et al., BMJ Open 2017; "
                     "sizes an assumption)"),
    )
    contract_multiplier: dict[GpContract, Annotated[float, Field(ge=0.0, le=5.0)]] = Field(
        default_factory=lambda: {"partner": 0.7, "salaried": 1.1, "locum": 1.5, "retainer": 1.0, "trainee": 1.0},
        description="GP contract -> multiplier on the annual rate (assumption: partners most settled)",
    )
    share_leaving_general_practice: Fraction = Field(
        0.8, description=("share of leavers leaving general practice rather than moving to another practice "
                          "(9.9% national leaving rate / 12% practice turnover; DHSC 2023, Parisi 2021)"),
    )
    # months: a vacancy open ten years is no longer a vacancy
    time_to_fill_months: dict[str, Annotated[float, Field(gt=0.0, le=120.0)]] = Field(
        default_factory=lambda: {"GP": 4.0, "Nurse": 3.0, "Pharmacist": 2.0, "HCA": 1.5},
        description="role -> mean months from advert to start (gamma, shape 2; assumption as recruitment's)",
    )
    other_roles_time_to_fill_months: Annotated[float, Field(gt=0.0, le=120.0)] = Field(
        3.0, description="mean months to fill for roles not listed (assumption)")
    fill_probability: dict[str, Fraction] = Field(
        default_factory=lambda: {"GP": 0.8, "Nurse": 0.85, "Pharmacist": 0.9, "HCA": 0.95},
        description=("role -> probability an advert fills in the local labour market (assumption; an "
                     "unfilled post is advertised again); roles not listed: 0.9"),
    )
    strain_sensitivity: Fraction = Field(
        0.5, description=("fill probability x (1 - sensitivity x practice strain), strain = mean burnout (0-1) "
                          "of the practice's clinicians: hard-to-recruit practices (assumption)"),
    )


class Workforce(Strict):
    """Workforce feedback: sustained overtime raises burnout, which raises leaving and session cuts.

    The vicious circle the seed documents describe (Londonwide LMCs 2014; Next Steps 2018): pressure ->
    burnout -> leavers -> more pressure. Burnout is a 0-1 state per clinician updated monthly.
    """

    feedback: bool = Field(True, description="turn the burnout -> attrition feedback on or off")
    # hours per FTE-week: a week has 168 hours
    overtime_threshold_hours_per_fte_week: Annotated[float, Field(ge=0.0, le=168.0)] = Field(
        2.0, description="overtime (hours per FTE-week, last month) above which burnout builds (assumption)"
    )
    # burnout (0-1) per hour: 1 fills it in one month from a single hour of overtime
    burnout_gain_per_hour: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.08, description="burnout added per month for each hour per FTE-week above the threshold"
    )
    burnout_recovery_per_month: Fraction = Field(0.05, description="burnout lost per month below the threshold")
    leave_probability_at_full_burnout: Fraction = Field(
        0.05, description="monthly probability of leaving at burnout 1 (37% of SW GPs likely to quit in 5 years, Fletcher 2017)"
    )
    reduce_sessions_probability_at_full_burnout: Fraction = Field(
        0.08, description="monthly probability of dropping one session a week at burnout 1"
    )
    min_sessions_per_week: Annotated[float, Field(ge=0.0, le=14.0)] = Field(2.0, description="sessions below which nobody cuts further")
    turnover: Turnover = Field(default_factory=Turnover)
    supervised_roles: list[str] = Field(
        default_factory=lambda: ["Pharmacist", "Paramedic", "PhysicianAssociate", "Physiotherapist"],
        description="roles whose appointments cost GP supervision time whenever they are in post",
    )
    # GP minutes per appointment: an hour of supervision per appointment is beyond any model of supervision
    gp_supervision_minutes_per_appointment: Annotated[float, Field(ge=0.0, le=60.0)] = Field(
        2.0, description=("GP minutes per bookable slot of a supervised role, taken from the supervising GPs' "
                          "sessions (Health Foundation 2022, secondary; assumption)")
    )


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
