"""Demand: need types, rates, calendars and holiday booking (part of the scenario schema)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from sim.config.destinations import UnmetDestinations
from sim.config.types import (
    AgeBand,
    Fraction,
    Mode,
    NonNegFloat,
    Strict,
)

# --------------------------------------------------------------------------------------------
# Demand
# --------------------------------------------------------------------------------------------

#: Relative request-rate gap, most vs least deprived national IMD quintile (dimensionless): 0.36 more
#: consultations a person-year, age and sex adjusted, 2018-19, over a mean of 4.92 (Vestesson et al., JMIR
#: Public Health Surveill 2023;9:e44944).
DEPRIVATION_GRADIENT_2018_19 = round(0.36 / 4.92, 4)


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
                     "(Hobbs et al., Lancet 2016); about 5.8 overall on the default mix (docs/sources.md: "
                     "367.1m appointments / 63.4m patients, year to June 2024)"),
    )
    # dimensionless: calibration searches 0.3-1.6; 10 allows a stress test, and .inf or 1e9 fail in sampling or
    # need terabytes
    rate_multiplier: Annotated[float, Field(gt=0.0, le=10.0)] = Field(
        1.0, description="multiplier on every rate (calibrated)")
    # dimensionless: the 2018-19 age-sex adjusted gap is 0.073 of the mean rate; 0.5 is beyond any English study
    deprivation_gradient: Annotated[float, Field(ge=-0.5, le=0.5)] = Field(
        DEPRIVATION_GRADIENT_2018_19,
        description=("relative difference in the request rate between patients of practices in the most deprived "
                     "national IMD 2019 quintile (Q1) and the least deprived (Q5), linear across quintiles and "
                     "centred on Q3: rate x (1 + gradient x (3 - q) / 4); 0 = flat; practices without imd_score "
                     "count as Q3. Default 0.36 more consultations a person-year in the most than the least "
                     "deprived quintile, age and sex adjusted, 2018-19, over 4.92 overall (Vestesson et al., "
                     "JMIR Public Health Surveill 2023;9:e44944, CPRD Aurum); 0.18 / 5.66 = 0.032 in 2021-22"),
    )
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

    unmet_destinations: UnmetDestinations = Field(
        default_factory=UnmetDestinations,
        description=("where a request that finds no appointment ends (A&E, NHS 111, urgent treatment centre, "
                     "community pharmacy, not pursued): shares of unmet requests by urgency, optionally by need "
                     "type (docs/sources.md, 'Where unmet demand goes')"),
    )

    @model_validator(mode="after")
    def _destination_needs_known(self) -> Demand:
        unknown = sorted(set(self.unmet_destinations.by_need) - set(self.need_types))
        if unknown:
            raise ValueError(f"unmet_destinations.by_need names need types not in need_types: {unknown}; "
                             f"known: {sorted(self.need_types)}")
        return self

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
