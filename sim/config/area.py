"""The area: practices, PCNs and their staff groups (part of the scenario schema)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from sim.config.types import (
    AgeBand,
    GpContract,
    NonNegFloat,
    Strict,
)

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

    # patients: the Carr-Hill need index (weighted / registered) runs about 0.6-2 across English practices
    weighted_patients: Annotated[float, Field(ge=0.0, le=4_000_000)] | None = Field(
        None, description=("Carr-Hill (Global Sum) weighted patients: the list weighted for age, sex, morbidity, "
                           "list turnover and rurality; `area build --payments` fills it as list_size x the "
                           "practice's weighted / registered patients in NHS Payments to General Practice; for "
                           "appointments per 1,000 weighted patients (need-adjusted access)"))

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
