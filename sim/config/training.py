"""GP specialty training in training practices (``workforce.training``; part of the scenario schema).

Off unless a scenario turns it on: a training practice hosts GP specialty trainees (ST1-ST3) who see
patients in longer slots, take supervision time from the practice's GPs, move up a year at each intake
and, after ST3, join the area's practices as fully qualified GPs with the published probabilities.
"""

from __future__ import annotations

import itertools
from typing import Annotated

from pydantic import Field, model_validator

from sim.config.types import Fraction, GpContract, Strict

ST_YEARS = (1, 2, 3)
# slot minutes: a trainee's appointments are 10 minutes (a qualified GP's) to an hour
TraineeSlot = Annotated[float, Field(ge=10.0, le=60.0)]


def _by_year(values: dict[int, float], name: str) -> None:
    """A per-ST-year table must name exactly the years 1, 2 and 3."""
    if sorted(values) != list(ST_YEARS):
        raise ValueError(f"{name} must give ST years 1, 2 and 3 exactly, got {sorted(values)}")


class Training(Strict):
    """GP specialty trainees (ST1-ST3) in training practices and the qualified GPs they become.

    Each training practice takes ``intake_per_practice`` new ST1s every year in ``intake_month``; at
    each intake ST1s become ST2s, ST2s become ST3s (a new placement: a new staff member with that
    year's sessions and slot length) and ST3s complete training. A completing trainee joins a practice
    of the area as a fully qualified GP with the cumulative probabilities of ``join_within_months``,
    at a uniform time within the band they fall in; they take the oldest open GP vacancy in their
    training practice's PCN, else in the area, else a new salaried post in their training practice.
    """

    enabled: bool = Field(False, description="GP specialty trainees on or off (off: no trainees in the area)")
    practices: list[str] | None = Field(
        None, description="codes of the training practices; default a seeded share_of_practices of them")
    share_of_practices: Fraction = Field(
        0.65, description=("share of practices approved for training when practices is not given: 8,664 GPs in "
                           "training grade in GP placements in England (NHS Digital, September 2021) over about "
                           "6,500 practices is 1.3 per practice; a training practice here holds about 2 "
                           "placement-equivalents (ST1 and ST2 half-time in practice, ST3 full), so 0.65"))
    # trainees per practice per year: a practice with 20 new trainees a year is beyond any deanery
    intake_per_practice: Annotated[int, Field(ge=1, le=20)] = Field(
        1, description="new ST1s a training practice takes each intake (assumption; one GP trainer's registrar)")
    intake_month: Annotated[int, Field(ge=1, le=12)] = Field(
        8, description="month of the yearly intake and rotation (GP training starts in August, HEE)")
    # clinical sessions a week in the practice: at most 7 of a registrar's 10 (70% clinical, 30% educational)
    sessions_per_week: dict[int, Annotated[float, Field(gt=0.0, le=10.0)]] = Field(
        default_factory=lambda: {1: 3.5, 2: 3.5, 3: 7.0},
        description=("ST year -> clinical sessions a week in the practice: a full-time registrar has 7 clinical "
                     "of 10 sessions (70% clinical, 30% educational: BMA/COGPED guide to the training week, "
                     "updated November 2024); ST1 and ST2 spend about half the year in hospital posts "
                     "(assumption)"))
    slot_minutes: dict[int, TraineeSlot] = Field(
        default_factory=lambda: {1: 30.0, 2: 25.0, 3: 20.0},
        description=("ST year -> minutes per appointment slot: registrars start at 20-30 minute intervals and "
                     "build towards a minimum of 15 minutes by the end of training (BMA/COGPED guide, November "
                     "2024; deanery guidance); the sizes by year are an assumption"))
    # GP minutes per trainee slot: an hour per appointment is beyond any debrief
    supervision_minutes_per_appointment: dict[int, Annotated[float, Field(ge=0.0, le=60.0)]] = Field(
        default_factory=lambda: {1: 5.0, 2: 3.0, 3: 2.0},
        description=("ST year -> minutes of the practice's GPs' time per trainee slot (debriefs, being "
                     "available: no registrar consults without a GP present, HEE deanery guidance), taken from "
                     "their sessions by the supervision mechanism (assumption)"))
    join_within_months: dict[Annotated[int, Field(ge=1, le=120)], Fraction] = Field(
        default_factory=lambda: {6: 0.343, 12: 0.475, 24: 0.622},
        description=("months after completing training -> cumulative share who have become fully qualified NHS "
                     "GPs (34.3% within 6 months, 47.5% within a year, 62.2% within two: Human Resources for "
                     "Health 2025, doi 10.1186/s12960-025-00980-x)"))
    local_share: Fraction = Field(
        1.0, description=("share of those joiners who join a practice in this area rather than elsewhere "
                          "(assumption: all; lower it for an area that loses its trainees)"))
    # FTE: a joiner works part of a full-time contract
    joiner_fte: Annotated[float, Field(gt=0.0, le=1.5)] = Field(
        0.67, description=("FTE of a newly qualified joiner: 65-69% of a full-time contract (Human Resources for "
                           "Health 2025, doi 10.1186/s12960-025-00980-x)"))
    joiner_contract: GpContract = Field("salaried", description="contract of a newly qualified joiner (assumption)")
    # years: newly qualified GPs are in their thirties
    joiner_age: Annotated[int, Field(ge=24, le=70)] = Field(
        32, description="age of a newly qualified GP (assumption: 5-6 years of medical school, 2 foundation, 3 GP)")
    trainee_age: Annotated[int, Field(ge=22, le=65)] = Field(29, description="age of a new ST1 (assumption)")

    @model_validator(mode="after")
    def _tables(self) -> Training:
        _by_year(self.sessions_per_week, "sessions_per_week")
        _by_year(self.slot_minutes, "slot_minutes")
        _by_year(self.supervision_minutes_per_appointment, "supervision_minutes_per_appointment")
        shares = [self.join_within_months[m] for m in sorted(self.join_within_months)]
        if any(b < a for a, b in itertools.pairwise(shares)):
            raise ValueError("join_within_months must be cumulative: shares may not fall as the months rise")
        return self
