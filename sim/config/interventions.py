"""Scenario interventions: one validated model per type, chosen by the ``type`` key.

Every intervention has a ``start`` (a date, or whole months after the scenario start), an optional
``end``, and a ``scope``: ``lgpo`` (the whole area), a PCN code, or a list of practice codes.
Mechanisms live in :mod:`sim.model.interventions`; each changes the model, never its outputs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, model_validator

from sim.config.back_office import Coordinators, SharedFunctions, Specialisation, Transition
from sim.config.front_door_interventions import (
    CareNavigation,
    CloudTelephony,
    OnlineConsultation,
    TotalTriage,
)
from sim.config.intervention_base import Base
from sim.config.types import Fraction, GpContract, Strict

if TYPE_CHECKING:
    pass

Weekday = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# GBP: an intervention's costs, up to GBP 100m (beyond any LGPO's general practice budget)
Gbp = Annotated[float, Field(ge=0.0, le=1e8)]
NO_PRICE = ("default 0: no published figure for general practice is in docs/sources.md; set the local price "
            "(sim/costs, docs/costs.md)")


# ----------------------------------------------------------------------------- workforce


def default_gp_hazard() -> dict[int, float]:
    """Annual probability a GP leaves practice by age band lower bound.

    Rises sharply from about 52 (Fletcher et al., BMJ Open 2017: 37% of South West GPs likely to
    quit direct patient care within 5 years; 61% of GPs over 50 likely to retire within 5 years,
    docs/sources.md, secondary). 61% in 5 years is about 17% a year for the over-50s.
    """
    return {0: 0.02, 45: 0.03, 50: 0.08, 55: 0.17, 60: 0.30, 65: 0.50}


class Wave(Strict):
    """An explicit retirement wave: ``share`` of ``role`` aged ``min_age``+ leave over ``over_months``."""

    role: str = "GP"
    min_age: Annotated[int, Field(ge=18, le=80)] = 55
    share: Fraction = 0.4
    over_months: Annotated[int, Field(ge=1, le=120)] = 24


class Retirement(Base):
    """Staff leave by age: an annual hazard by age band per role, or an explicit wave."""

    type: Literal["retirement"]
    hazard_by_age: dict[str, dict[int, Fraction]] | None = Field(
        None, description="role -> {age band lower bound: annual leaving probability}; default GP curve"
    )
    wave: Wave | None = None
    market_refills: bool = Field(
        True, description=("whether the labour market advertises the retirees' posts as it does any leaver's; "
                           "false: the posts stay vacant unless a recruitment drive refills them (a wave the "
                           "area cannot recruit into, the 'without recruitment' arm of a pair)"))

    @model_validator(mode="after")
    def _one_mode(self) -> Retirement:
        for role, bands in (self.hazard_by_age or {}).items():
            for lower in bands:
                if not 0 <= lower <= 100:
                    raise ValueError(f"hazard_by_age.{role}: age band {lower} must be an age in years, 0-100")
        if self.hazard_by_age is not None and self.wave is not None:
            raise ValueError("give either hazard_by_age or wave, not both")
        return self


class Recruitment(Base):
    """A recruitment drive that adds to the labour market: in scope and window, adverts fill faster or more often.

    Every vacancy is advertised by the labour market (``workforce.turnover`` and its local markets,
    ``workforce.labour_market``): adverts one after another until one fills. An advert started in the
    drive's scope and window, for a role it names in ``fill_probability``, fills with the higher of the
    drive's and the market's probability and takes the shorter of the two mean times; both are lowered by
    the practice's strain as the market's are. An advert the drive does not fill is advertised again
    (by the drive while it runs, then by the market): a drive never leaves a post vacant that the
    market would fill. Its recruits take over the leaver's registered patients.
    """

    type: Literal["recruitment"]
    fill_probability: dict[str, Fraction] = Field(
        default_factory=lambda: {"GP": 0.9, "Nurse": 0.9, "Pharmacist": 0.95, "HCA": 0.95},
        description=("role -> probability an advert of the drive fills (0-1, per advert; the roles the drive "
                     "covers; the market's applies where it is higher); default an assumption: a drive (agency, "
                     "targeted adverts) filling nine adverts in ten against the area's 0.8 for GPs (no "
                     "published per-advert figure in docs/sources.md; GP vacancies hard to fill, seed 2014)"),
    )
    # months: a vacancy open ten years is no longer a vacancy
    delay_months: dict[str, Annotated[float, Field(ge=0.0, le=120.0)]] = Field(
        default_factory=lambda: {"GP": 3.0, "Nurse": 2.0, "Pharmacist": 1.5, "HCA": 1.0},
        description=("role -> mean months from advert to start of the drive's adverts (gamma, shape 2, as the "
                     "market's; the market's where it is shorter; roles not listed: the market's); default an "
                     "assumption, a month or so shorter than the area's 4, 3, 2 and 1.5 months"),
    )
    gp_contract_mix: dict[GpContract, Fraction] = Field(
        default_factory=dict,
        description=("contracts of the GPs the drive recruits (weights), each working gp_sessions_by_contract; "
                     "empty (default): the post's own contract and sessions, as the market refills it (sessional "
                     "work 25% of GPs in 2014, seed, for a scenario that recruits sessional GPs)"),
    )
    # sessions a week: at most two a day, seven days
    cost_per_hire_gbp: dict[str, Gbp] = Field(
        default_factory=dict,
        description=("GBP per person recruited, by role (adverts, agency fee, induction), counted for each "
                     f"recruit the run makes; {NO_PRICE} (agency fees are private and vary)"))
    gp_sessions_by_contract: dict[GpContract, Annotated[float, Field(gt=0.0, le=14.0)]] = Field(
        default_factory=lambda: {"partner": 7.5, "salaried": 6.0, "locum": 4.0, "retainer": 3.0, "trainee": 5.0},
        description="clinical sessions a week of a GP the drive recruits on each contract of gp_contract_mix",
    )


class TrainingExpansion(Base):
    """More GP training places: extra ST1s each intake in the scope's practices from ``start`` to ``end``.

    The extra trainees follow the same pipeline as ``workforce.training`` (its slot lengths, sessions,
    supervision and joining probabilities, whether or not the area trains already): they see patients
    from their first placement, but qualified GPs appear only after the three-year training lag.
    """

    type: Literal["training_expansion"]
    # ST1s a year per practice: 20 is beyond any deanery
    extra_intake_per_practice: Annotated[int, Field(ge=1, le=20)] = Field(
        1, description=("extra ST1 places a year in each practice of the scope (GP training places rose from "
                        "3,538 in 2019 to 4,032 in 2022, HEE; the size of a local expansion is the scenario's)"))
    share_of_practices: Fraction = Field(
        1.0, description="share of the scope's practices that take the extra places (seeded choice)")
    cost_per_trainee_year_gbp: Gbp = Field(
        9_794.0, description=("GBP a year per extra trainee in post: the trainer grant NHS England pays the training "
                              "practice for each GP specialty trainee on placement, GBP 9,794 a year from 1 April 2023 "
                              "(NHS England Workforce, Training and Education, East Midlands, 'GP practice payments'; "
                              "GBP 7,500 + 500 educational supervision in HEE's GP trainer guidance). Counted for each "
                              "day an extra trainee is in post; their pay is costed as staff (contract 'trainee'), "
                              "their supervision as GP time"))


class InternationalRecruitment(Base):
    """GPs recruited from abroad: so many a year into the scope, each settling in at reduced capacity first."""

    type: Literal["international_recruitment"]
    # GPs a year: 500 into one area is beyond any programme (England's target was 2,000 in five years)
    gps_per_year: Annotated[float, Field(gt=0.0, le=500.0)] = Field(
        description=("GPs arriving a year, evenly spread (NHS England's International GP Recruitment programme "
                     "aimed at 2,000 GPs by 2020, General Practice Forward View 2016; the local number is the "
                     "scenario's)"))
    # months: an induction beyond two years is a training programme
    settling_in_months: Annotated[float, Field(ge=0.0, le=24.0)] = Field(
        6.0, description=("months of supervised induction at reduced capacity (the International Induction "
                          "Programme places overseas GPs under supervision before independent practice; length "
                          "an assumption)"))
    settling_in_capacity: Fraction = Field(
        0.5, description="share of their clinical sessions a recruit works while settling in (assumption)")
    fte: Annotated[float, Field(gt=0.0, le=1.5)] = Field(
        0.73, description="FTE of a recruit (England's mean 0.73 FTE per GP head, NHS Digital September 2024)")
    contract: GpContract = Field("salaried", description="contract of a recruit (assumption)")
    cost_per_recruit_gbp: Gbp = Field(
        20_000.0, description=("GBP per GP who arrives: the recruitment agencies' fee of NHS England's International "
                               "GP Recruitment programme, about GBP 20,000 for each GP placed in a practice (The "
                               "Guardian, 31 August 2017, on the GBP 100m programme for up to 3,000 GPs). Relocation "
                               "(up to GBP 18,500 a GP, Pulse, October 2018) and the induction programme are not "
                               "included: add them locally. Pay is costed as staff"))
    # years
    age: Annotated[int, Field(ge=24, le=70)] = Field(38, description="age of a recruit on arrival (assumption)")


class Retention(Base):
    """A retention scheme: a hazard ratio on background leaving for an age band and/or contract in scope.

    E.g. the GP Retention Scheme (NHS England, 2017) for GPs considering leaving, most of them over 50.
    It multiplies the ``workforce.turnover`` leaving hazard of the staff it covers while it runs.
    """

    type: Literal["retention"]
    hazard_ratio: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.8, description=("multiplier on the annual leaving hazard of the staff covered (1 = no effect); no "
                          "published hazard ratio is in docs/sources.md: 0.8 is an assumption to set locally"))
    roles: list[str] = Field(default_factory=lambda: ["GP"], min_length=1, description="roles covered")
    # years, as the person ages during the run
    min_age: Annotated[int, Field(ge=18, le=100)] | None = Field(
        50, description="lowest age covered (the scheme's over-50s); none: every age")
    max_age: Annotated[int, Field(ge=18, le=100)] | None = Field(None, description="age from which nobody is covered")
    contracts: list[GpContract] | None = Field(None, description="GP contracts covered; none: every contract")

    @model_validator(mode="after")
    def _ages(self) -> Retention:
        if self.min_age is not None and self.max_age is not None and self.max_age <= self.min_age:
            raise ValueError(f"max_age {self.max_age} must be above min_age {self.min_age}")
        return self


# ----------------------------------------------------------------------------- skill mix


class AddRole(Strict):
    """Staff added by an intervention: so many FTE per 10,000 patients, or a fixed count per unit."""

    role: str
    # FTE per 10,000 patients: England has about 6 GP FTE per 10,000; 100 of one role is far beyond any plan
    per_10k_patients: Annotated[float, Field(ge=0.0, le=100.0)] | None = Field(
        None, description="FTE per 10,000 patients in each unit")
    # people per unit: as StaffGroup.count
    count: Annotated[int, Field(ge=1, le=10_000)] | None = Field(None, description="headcount per unit instead")
    fte: Annotated[float, Field(gt=0.0, le=1.5)] = 1.0
    level: Literal["practice", "pcn", "lgpo"] = Field("pcn", description="who employs them")
    age: Annotated[int, Field(ge=18, le=80)] = 38
    allocate_by: Literal["list_size", "imd_score", "weighted_patients"] = Field(
        "list_size", description=("per_10k_patients only: how the scope's FTE (per_10k_patients x its patients) is "
                                  "shared between units: by registered patients; by patients x the practice's IMD "
                                  "2019 score (need by deprivation); or by Carr-Hill weighted patients (a practice "
                                  "without one counts its list). The total FTE is the same under each"))

    @model_validator(mode="after")
    def _amount(self) -> AddRole:
        if (self.per_10k_patients is None) == (self.count is None):
            raise ValueError("give exactly one of per_10k_patients or count")
        return self


class TriageShift(Strict):
    """Route a share of requests of some needs to other roles first (GP kept as fallback)."""

    needs: list[str] = Field(min_length=1)
    share: Fraction = Field(0.45, description="Tower Hamlets: about 45% of GP patients could see another team member")
    to_roles: list[str] = Field(min_length=1, description="roles tried first, in order")


class SkillMix(Base):
    """Add roles, change who may take which need, and pay the GP supervision cost."""

    type: Literal["skill_mix"]
    add: list[AddRole] = Field(default_factory=list)
    eligibility: dict[str, list[str]] = Field(
        default_factory=dict, description="need type -> eligible roles in order (replaces the default)"
    )
    shift: TriageShift | None = None
    supervised_roles: list[str] = Field(
        default_factory=lambda: ["Pharmacist", "Paramedic", "PhysicianAssociate", "Physiotherapist"],
        description="roles whose appointments cost GP supervision time",
    )
    # GP minutes per appointment: an hour of supervision per appointment is beyond any model of supervision
    gp_supervision_minutes_per_appointment: Annotated[float, Field(ge=0.0, le=60.0)] = Field(
        2.0, description="GP minutes per appointment by a supervised role (Health Foundation 2022, secondary; assumption)"
    )


# ----------------------------------------------------------------------------- back office


class PooledBackOffice(Base):
    """Pooled back office: admin queues, specialised staff and shared functions across practices.

    Each mechanism can be switched off on its own; released admin hours are redeployed by ``redeploy``.
    """

    type: Literal["pooled_back_office"]
    pool: Literal["scope", "pcn", "practice"] = Field(
        "scope", description="one pool for the whole scope, one per PCN in it, or none (each practice alone)")
    queue_pooling: bool = Field(True, description="one queue per admin role served by the pooled team")
    # minutes per task: passing a task between sites
    handoff_minutes: Annotated[float, Field(ge=0.0, le=60.0)] = Field(
        0.25, description="extra minutes per task passed into the pool's shared queue (assumption: 15 seconds)")
    specialisation: Specialisation = Field(default_factory=Specialisation)
    shared_functions: SharedFunctions = Field(default_factory=SharedFunctions)
    transition: Transition = Field(default_factory=Transition)
    redeploy: Literal["coordinators", "reception", "cash"] = Field(
        "coordinators", description="released admin hours become workflow coordinators taking GP correspondence, "
                                    "front-desk (reception) hours, or a cash saving (hours cut)")
    coordinators: Coordinators = Field(default_factory=Coordinators)
    released_hours_to_sessions: bool = Field(
        False, description="GP hours released from correspondence become extra clinical sessions")
    conversion_share: Fraction = Field(0.5, description="share of released GP hours turned into clinical sessions")
    # GBP a month per member practice, negative for a net saving; a practice's whole budget is below GBP 1m a month
    running_cost_gbp_per_practice_month: Annotated[float, Field(ge=-1e6, le=1e6)] = Field(
        0.0, description=("net running cost of the pooled service per member practice, GBP a month while it runs "
                          "(negative: a saving). Default 0: the one published figure, Northumbria Primary Care's "
                          "GBP 6,000 a month lower spend (seed case study, one practice), is one practice's net "
                          "saving, not a price; set it locally"))
    setup_cost_gbp: Gbp = Field(0.0, description=f"one-off set-up cost, GBP, on the start day; {NO_PRICE}")


# ----------------------------------------------------------------------------- access


class HubSession(Strict):
    """One recurring hub session."""

    days: list[Weekday] = Field(min_length=1)
    start: str = Field(description="start time HH:MM")
    end: str = Field(description="end time HH:MM")

    @model_validator(mode="after")
    def _times(self) -> HubSession:
        s, e = self.minutes()
        if e <= s:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        return self

    def minutes(self) -> tuple[int, int]:
        """(start, end) in minutes after midnight."""

        def parse(t: str) -> int:
            try:
                h, m = t.split(":")
                v = int(h) * 60 + int(m)
            except ValueError:
                raise ValueError(f"time '{t}' must be HH:MM") from None
            if not 0 <= v <= 1440:
                raise ValueError(f"time '{t}' out of range")
            return v

        return parse(self.start), parse(self.end)


class HubStaff(Strict):
    """Clinicians who work every hub session (hub-employed, or drawn from member practices on a rota)."""

    role: str = "GP"
    # people per hub session: 1,000 clinicians in one evening session is beyond any hub
    count: Annotated[int, Field(ge=1, le=1000)] = 1


class ExtendedAccess(Base):
    """PCN or LGPO hub sessions on evenings and weekends for every member practice's patients.

    Booked or walk-in (``mode``), worked by the hub's own clinicians or member practices' clinicians
    on a rota (``staffed_from``, ``member_hours``); the mechanisms are described in :mod:`sim.model.hubs`.
    """

    type: Literal["extended_access"]
    level: Literal["pcn", "lgpo"] = "pcn"
    sessions: list[HubSession] = Field(
        default_factory=lambda: [
            HubSession(days=["Mon", "Tue", "Wed", "Thu", "Fri"], start="18:30", end="20:00"),
            HubSession(days=["Sat"], start="09:00", end="13:00"),
        ],
        description="Harness / London extended access: evenings and weekend mornings (seed)",
    )
    staff: list[HubStaff] = Field(default_factory=lambda: [HubStaff()])
    pooled: bool = Field(True, description="one hub for all member practices; false splits the same hours across them")
    same_day_slot_share: Fraction = Field(0.5, description="share of hub slots held for booking on the day")
    staffed_from: Literal["own", "member_practices"] = Field(
        "own", description=("who works the hub sessions: its own clinicians (extra staff employed by the hub), or "
                            "clinicians of the member practices on a rota (Harness / London extended access hubs "
                            "are staffed either way, seed)")
    )
    member_hours: Literal["redeployed", "extra"] = Field(
        "redeployed", description=("with staffed_from member_practices: 'redeployed' takes each hub session's minutes "
                                   "out of the same clinician's practice sessions that week (total capacity "
                                   "unchanged, access spread to evenings and weekends); 'extra' works them on top, "
                                   "counted in full as that clinician's overtime (assumption)")
    )
    mode: Literal["booked", "walk_in"] = Field(
        "booked", description=("'booked': hub sessions are slots in the hub diary; 'walk_in': the hub serves member "
                               "practices' same-day requests that got no slot first come, first served (seed: "
                               "hubs are walk-in or booked)")
    )
    running_cost_gbp_per_hub_year: Gbp = Field(
        0.0, description=("premises, reception and IT of each hub, GBP a year while it is open (clinicians are "
                          "costed from the run: own hub staff as staff, member 'extra' hours as overtime); "
                          f"{NO_PRICE}. The published figures are funding for the whole service, clinicians "
                          "included (GBP 6 per head from April 2019, NHS England planning guidance 2017-19; GBP 7.46 "
                          "per patient for PCN enhanced access from October 2022, Network Contract DES 2022/23): "
                          "using them here would count the clinicians twice"))
    setup_cost_gbp_per_hub: Gbp = Field(0.0, description=f"one-off set-up cost of each hub, GBP, on its start day; {NO_PRICE}")
    # minutes: nobody queues for more than a day
    walk_in_max_wait_minutes: Annotated[float, Field(gt=0.0, le=1440.0)] | None = Field(
        None, description="walk-in hubs: minutes a patient queues before giving up; default walk_in.max_wait_minutes"
    )

    @model_validator(mode="after")
    def _consistent(self) -> ExtendedAccess:
        if "member_hours" in self.model_fields_set and self.staffed_from != "member_practices":
            raise ValueError("member_hours applies only with staffed_from: member_practices")
        if self.walk_in_max_wait_minutes is not None and self.mode != "walk_in":
            raise ValueError("walk_in_max_wait_minutes applies only with mode: walk_in")
        if "same_day_slot_share" in self.model_fields_set and self.mode == "walk_in":
            raise ValueError("same_day_slot_share applies only with mode: booked (a walk-in hub has no slots)")
        return self


# ----------------------------------------------------------------------------- demand


class DemandGrowth(Base):
    """List growth, an ageing population and rising long-term-condition prevalence."""

    type: Literal["demand_growth"]
    # growth rates a year (fractions): London grew ~1.4% a year; doubling every year is beyond any plan
    list_growth_per_year: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.0137, description="London grew over 7% in the five years to 2016 (seed): 1.37% a year"
    )
    rate_growth_per_year: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.005, description="per-patient request rate growth from ageing (assumption; Hobbs 2016: 4.67 -> 5.16 in 7 years)"
    )
    ltc_prevalence_growth_per_year: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.02, description="relative rise in long-term conditions per year (dementia +37% in four years in London, seed)"
    )
    # years: 50 years of growth ahead is beyond any projection
    years_ahead: Annotated[float, Field(ge=0.0, le=50.0)] = Field(
        0.0, description=("years of growth already accrued when the run starts (e.g. 4 to simulate 2029-30 on the "
                          "baseline's calendar, keeping common random numbers with it)")
    )


class MicroTeams(Base):
    """Patients with long-term conditions get a named GP; booking waits longer to keep them together."""

    type: Literal["micro_teams"]
    # conditions: 50 long-term conditions is beyond any patient
    min_ltc: Annotated[int, Field(ge=0, le=50)] = Field(1, description="patients with at least this many LTCs")
    extra_days: Annotated[int, Field(ge=0, le=28)] = Field(
        7, description="extra days a patient waits for their named GP (Tower Hamlets micro-teams, seed)"
    )


class PooledCover(Base):
    """Sickness and leave cover from a shared pool versus each practice alone."""

    type: Literal["pooled_cover"]
    level: Literal["practice", "pcn", "lgpo"] = Field(
        "pcn", description="who holds the cover: each practice alone, the PCN, or the LGPO"
    )
    roles: list[str] = Field(default_factory=lambda: ["GP", "Nurse"])
    # clinician-days a week per 10,000 patients: 100 is 20 full-time clinicians of cover per 10,000
    cover_days_per_week_per_10k: Annotated[float, Field(ge=0.0, le=100.0)] = Field(
        1.5, description="clinician-days of cover a week per 10,000 patients (bank / locum pool; assumption)"
    )


Intervention = Annotated[
    (Retirement | Recruitment | SkillMix | PooledBackOffice | ExtendedAccess | DemandGrowth | MicroTeams | PooledCover
     | TrainingExpansion | InternationalRecruitment | Retention | CloudTelephony | TotalTriage
     | CareNavigation | OnlineConsultation),
    Field(discriminator="type"),
]
INTERVENTION_TYPES = {
    "retirement": Retirement, "recruitment": Recruitment, "skill_mix": SkillMix,
    "pooled_back_office": PooledBackOffice, "extended_access": ExtendedAccess, "demand_growth": DemandGrowth,
    "micro_teams": MicroTeams, "pooled_cover": PooledCover, "training_expansion": TrainingExpansion,
    "international_recruitment": InternationalRecruitment, "retention": Retention,
    "cloud_telephony": CloudTelephony, "total_triage": TotalTriage,
    "care_navigation": CareNavigation, "online_consultation": OnlineConsultation,
}
