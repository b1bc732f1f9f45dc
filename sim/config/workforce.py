"""The workforce: background turnover, vacancies, burnout and supervision (part of the scenario schema)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from sim.config.labour_market import LabourMarket
from sim.config.training import Training
from sim.config.types import (
    Fraction,
    GpContract,
    Strict,
)

StrainPart = Literal["overtime", "burnout", "turnover"]  # the parts of a practice's strain (Turnover.strain_weights)


class Turnover(Strict):
    """Background turnover and vacancy filling: the stock and flow that keeps a baseline workforce steady.

    Every staff member (hub and cover posts aside) leaves with an annual hazard by role, scaled by
    age band and contract; a leaver either moves to another practice or leaves general practice.
    A leaver gives notice (months by role and GP contract) and their post is advertised from the
    notice date, again and again until filled: each advert takes a time to fill (gamma, mean by role)
    and fills with the labour market's probability, lowered by the practice's strain (overtime,
    burnout and turnover). Vacancies and notices open at the start in proportion to their
    stationary stocks, so a baseline neither grows nor collapses.
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
    gp_deprivation_multiplier: dict[Annotated[int, Field(ge=1, le=5)], Annotated[float, Field(ge=0.0, le=5.0)]] = \
        Field(default_factory=lambda: {1: 1.09},
              description=("national IMD quintile of the practice (1 = most deprived) -> multiplier on GPs' annual "
                           "rate: GP turnover is higher in deprived practices, incidence rate ratio 1.09 for the "
                           "most deprived quintile against the least (Parisi et al., BMJ Open 2021;11:e049827, "
                           "practice-level GP turnover 2007-2019); quintiles not listed and practices without "
                           "an IMD score: 1"))
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
        0.5, description=("fill probability x (1 - sensitivity x practice strain), strain (0-1) the weighted "
                          "combination of overtime, burnout and turnover (strain_weights): hard-to-recruit "
                          "practices (assumption)"),
    )
    strain_weights: dict[StrainPart, Annotated[float, Field(ge=0.0, le=1.0)]] = Field(
        default_factory=lambda: {"overtime": 1 / 3, "burnout": 1 / 3, "turnover": 1 / 3},
        description=("component -> weight (dimensionless; strain is capped at 1) of a practice's strain: overtime "
                     "(clinicians' overtime above their usual, relative to contracted hours), burnout (mean 0-1), "
                     "turnover (leavers in the last 12 months per post above the expected rate); equal weights "
                     "(assumption: no published decomposition of why a practice is hard to recruit to)"),
    )
    # fraction of contracted hours (37.5 h a week per FTE): 1 is a second full-time job of overtime
    strain_overtime_full: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.2, description=("overtime above the clinicians' usual, as a fraction of contracted hours, at which the "
                          "overtime part of strain is 1: 7.5 hours a week per FTE, 1.5 hours a working day (assumption)"),
    )
    # leavers per post per year above the expected rate: 1 is every post turning over once more a year
    strain_turnover_full: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.14, description=("leavers in the last 12 months per post (in post or vacant) above the area's expected "
                           "rate at which the turnover part of strain is 1: 0.14 a year, twice the 75th percentile "
                           "practice GP turnover of 14% in 2019 against a 12% mean (Parisi et al., BMJ Open "
                           "2021;11:e049827); scale an assumption"),
    )
    # months of notice: a year's notice is beyond any contract in general practice
    notice_months: dict[str, Annotated[float, Field(ge=0.0, le=12.0)]] = Field(
        default_factory=lambda: {"GP": 3.0, "Nurse": 2.0, "Pharmacist": 2.0, "Paramedic": 2.0,
                                 "PhysicianAssociate": 2.0, "Physiotherapist": 2.0, "HCA": 1.0, "Admin": 1.0},
        description=("role -> months between a leaver giving notice and leaving; the post is advertised from the "
                     "notice date, so the time to fill overlaps the notice. Salaried GPs: 3 months (BMA salaried "
                     "GP model contract, minimum terms agreed 2003; secondary, see docs/sources.md); Agenda for Change staff "
                     "(practice and PCN nurses, pharmacists, paramedics, physician associates, physiotherapists: "
                     "bands 5-7): 2 months, HCAs and admin (bands 2-4): 1 month, notice being set locally "
                     "(NHS Terms and Conditions of Service Handbook, 'other terms agreed locally'; typical "
                     "trust rules 1 month for bands 1-4, 2 months for bands 5-6, 3 months for bands 7-9, "
                     "University Hospitals Birmingham, notice periods, 2024); roles not listed: "
                     "other_roles_notice_months"),
    )
    other_roles_notice_months: Annotated[float, Field(ge=0.0, le=12.0)] = Field(
        1.0, description="months of notice of roles not in notice_months (assumption: the shortest AfC notice)")
    contract_notice_months: dict[GpContract, Annotated[float, Field(ge=0.0, le=12.0)]] = Field(
        default_factory=lambda: {"partner": 6.0, "locum": 1.0},
        description=("GP contract -> months of notice, over the role's: partners retire or leave on the notice "
                     "their partnership agreement requires, often six months (Porter Dodson, Retirement planning "
                     "for GP partners, 2025; a planned handover); sessional locums' notice an assumption"),
    )


class Closures(Strict):
    """Practices that fail: a practice whose GP FTE per 1,000 patients stays below a threshold closes or merges.

    Its registered list moves to the other open practices of its PCN (then of the LGPO) in proportion
    to their GP FTE in post ("close"), or whole to the PCN practice with the most GP FTE ("merge"): the
    cascade that took England from 8,044 practices in 2013 to 6,419 in 2023 (NHS Digital, *Patients
    Registered at a GP Practice*, secondary). Off unless a scenario turns it on: closing a practice is
    the commissioner's decision, not a law of the model (see docs/model.md).
    """

    enabled: bool = Field(False, description="practices close or merge when their GP FTE stays too low")
    # GP FTE per 1,000 registered patients: 5 (200 patients per GP) is beyond any English practice
    gp_fte_per_1000_threshold: Annotated[float, Field(ge=0.0, le=5.0)] = Field(
        0.18, description=("GP FTE per 1,000 registered patients below which a practice is failing: 0.18 is 5,559 "
                           "patients per FTE GP, the 95th percentile across English practices in 2024 (England "
                           "mean 2,291 per FTE GP, i.e. 0.44 per 1,000; NHS Digital, secondary)"),
    )
    # months: ten years below the threshold is a practice that is already gone
    months_below: Annotated[int, Field(ge=1, le=120)] = Field(
        6, description=("consecutive months below the threshold before the practice closes (assumption: about "
                        "the notice an ICB gives before a contract is handed back or merged)"),
    )
    merge_or_close: Literal["close", "merge"] = Field(
        "close", description=("close: the list is dispersed to the PCN's practices in proportion to GP FTE and the "
                              "staff leave; merge: list and staff move to the PCN practice with the most GP FTE"),
    )


class Workforce(Strict):
    """Workforce feedback: sustained overtime raises burnout, which raises leaving and session cuts.

    The vicious circle the seed documents describe (Londonwide LMCs 2014; Next Steps 2018): pressure ->
    burnout -> leavers -> more pressure. Burnout is a 0-1 state per clinician updated monthly.
    """

    feedback: bool = Field(True, description="turn the burnout -> attrition feedback on or off")
    # hours per FTE-week: a week has 168 hours
    overtime_threshold_hours_per_fte_week: Annotated[float, Field(ge=0.0, le=168.0)] = Field(
        2.0, description=("overtime (hours per FTE-week, last month) above the clinician's usual overtime beyond "
                          "which burnout builds: a rise of about half an hour a working day (assumption; the "
                          "absolute threshold when overtime_reference_months is 0)")
    )
    # months: the trailing mean's time constant; 0 turns the reference off (an absolute threshold)
    overtime_reference_months: Annotated[int, Field(ge=0, le=120)] = Field(
        24, description=("months over which a clinician's usual overtime is averaged (exponential trailing mean, "
                         "started at their practice's usual for the role): burnout follows hours that rose, the "
                         "exposure the leaving response is calibrated to (51% of Wessex GPs worked more hours than "
                         "2 years before, mostly for workload; Fletcher et al., BMJ Open 2019;9:e026048); the "
                         "observed year's own overtime is in the background hazards (calibration/README.md, "
                         "'Burnout and leaving'); 0: burnout from overtime above the threshold alone")
    )
    # burnout (0-1) per hour: 1 fills it in one month from a single hour of overtime
    burnout_gain_per_hour: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.08, description="burnout added per month for each hour per FTE-week above the threshold"
    )
    burnout_recovery_per_month: Fraction = Field(0.05, description="burnout lost per month below the threshold")
    leave_probability_at_full_burnout: Fraction = Field(
        0.0043, description=("monthly probability of leaving at burnout 1, on top of background turnover: the rise in "
                             "GPs intending to leave within 2 years from 13% (2014) to 18% (2017) as 51% worked more "
                             "hours for workload (Fletcher et al., BMJ Open 2019), i.e. +9.8 pp over 24 months for "
                             "a GP whose workload rose (calibration/README.md, 'Burnout and leaving')"),
    )
    reduce_sessions_probability_at_full_burnout: Fraction = Field(
        0.0184, description=("monthly probability of dropping one session a week at burnout 1: 0.2 cuts a year "
                             "(1 - 0.8^(1/12)), the fall in GPs' mean sessions a week from 7.3 (2010) to 6.2 (2021), "
                             "0.1 a GP a year (GP Worklife Surveys; Hutchinson et al., BJGP 2024;74:e652), put on "
                             "the 51% whose hours rose for workload (Fletcher et al., BMJ Open 2019): an upper "
                             "bound (calibration/README.md, 'Burnout and leaving')")
    )
    # burnout (0-1): a clinician below it for a month is recovering and takes back cut sessions
    session_recovery_burnout_threshold: Fraction = Field(
        0.1, description=("burnout below which a clinician's burnout session cuts start to come back, one step a "
                          "month, and no new cut is made (assumption: a cut is a response to overload, so it is not kept "
                          "once the overload has gone; no published rate of return; calibration/README.md, "
                          "'Burnout and leaving')")
    )
    # sessions a week given back per month of recovery: the size of one burnout cut (one session a week)
    sessions_restored_per_month: Annotated[float, Field(ge=0.0, le=14.0)] = Field(
        1.0, description="sessions a week a recovering clinician takes back each month, up to their contract (assumption)"
    )
    min_sessions_per_week: Annotated[float, Field(ge=0.0, le=14.0)] = Field(2.0, description="sessions below which nobody cuts further")
    turnover: Turnover = Field(default_factory=Turnover)
    labour_market: LabourMarket = Field(default_factory=LabourMarket)
    training: Training = Field(default_factory=Training)
    closures: Closures = Field(default_factory=Closures)
    supervised_roles: list[str] = Field(
        default_factory=lambda: ["Pharmacist", "Paramedic", "PhysicianAssociate", "Physiotherapist"],
        description="roles whose appointments cost GP supervision time whenever they are in post",
    )
    # GP minutes per appointment: an hour of supervision per appointment is beyond any model of supervision
    gp_supervision_minutes_per_appointment: Annotated[float, Field(ge=0.0, le=60.0)] = Field(
        2.0, description=("GP minutes per bookable slot of a supervised role, taken from the supervising GPs' "
                          "sessions (Health Foundation 2022, secondary; assumption)")
    )
