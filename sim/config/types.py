"""Shared building blocks of the configuration schema (types with units, the strict base model)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

AGE_BANDS: tuple[str, ...] = ("0-4", "5-14", "15-24", "25-44", "45-64", "65-74", "75-84", "85+")
AgeBand = Literal["0-4", "5-14", "15-24", "25-44", "45-64", "65-74", "75-84", "85+"]
RoleKind = Literal["gp", "nurse", "pharmacist", "other_dpc", "admin"]
Mode = Literal["face_to_face", "telephone", "video_online", "home_visit"]
MODES: tuple[str, ...] = ("face_to_face", "telephone", "video_online", "home_visit")
GpContract = Literal["partner", "salaried", "locum", "retainer", "trainee"]

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
PositiveFloat = Annotated[float, Field(gt=0.0)]
NonNegFloat = Annotated[float, Field(ge=0.0)]


class Strict(BaseModel):
    """Base for every config model: unknown keys are errors and instances are immutable.

    No number in a scenario may be NaN or infinite (``.nan``, ``.inf`` in YAML): none has a meaning
    in the model, and an infinite rate or count only fails deep inside the simulation.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False)

# National IMD 2019 quintile floors of GP practices' scores (OHID Fingertips 93553, 2019 release, the 6,980
# practices with a score ranked by sim.nhsdata.imd.imd_quintiles; tests/unit/test_equity.py checks them against
# the shipped file): a score at or above the first is quintile 1 (most deprived), ... below the last is 5.
IMD_2019_QUINTILE_FLOORS: tuple[float, ...] = (33.214729, 24.922722, 18.437513, 12.820422)


def imd_quintile_of(score: float) -> int:
    """National IMD 2019 quintile (1 = most deprived, 5 = least) of a practice's IMD 2019 score."""
    return next((k + 1 for k, floor in enumerate(IMD_2019_QUINTILE_FLOORS) if score >= floor), 5)
