"""Where unmet demand goes: the shares of lost requests that end at each destination (schema part).

A request that finds no appointment is not simply gone: the patient goes to A&E, calls NHS 111,
attends an urgent treatment centre, asks a community pharmacist, or does not pursue it. The shares
come from what patients say they did when they could not get a GP appointment (docs/sources.md,
"Where unmet demand goes"); Pilbery et al., BMJ Open 2023 (doi 10.1136/bmjopen-2023-076203) is the
reference model of this kind of pathway between NHS 111 and primary care.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from sim.config.types import Fraction, Strict

# codes 0..4 in this order in the ledger's `destination` column (sim.model.destinations)
DESTINATIONS: tuple[str, ...] = ("a_and_e", "nhs_111", "utc", "pharmacy", "not_pursued")
Destination = Literal["a_and_e", "nhs_111", "utc", "pharmacy", "not_pursued"]
DESTINATION_LABELS = {"a_and_e": "A&E", "nhs_111": "NHS 111", "utc": "Urgent treatment centre",
                      "pharmacy": "Community pharmacy", "not_pursued": "Not pursued"}

# Shares (dimensionless, of unmet requests; each set sums to 1). All unmet requests together: A&E 12.2%
# (GP Patient Survey 2023, NHS England/Ipsos, 13 July 2023: of patients who could not get an appointment,
# 12.2% went to A&E; BMJ 2023;382:p1629, 14 July 2023, secondary); NHS 111 10% and urgent treatment centre
# or minor injuries unit 5% (Healthwatch Brighton and Hove GP access survey, 15 February 2023: of people who
# did not see a GP, 10% called NHS 111, 9% went to A&E, 5% to a UTC/MIU; secondary, local); community
# pharmacy 10% (assumption: no published single-destination share found); the rest not pursued. The split
# by urgency is an assumption: a lost same-day request goes to A&E, NHS 111 or a UTC three times as often as a
# lost routine one, scaled so that lost requests 30% urgent (29% on scenarios/small.yaml) give the survey
# shares above (A&E 0.3 x 0.229 + 0.7 x 0.076 = 0.122).
URGENT_DEFAULT = {"a_and_e": 0.229, "nhs_111": 0.188, "utc": 0.094, "pharmacy": 0.10, "not_pursued": 0.389}
ROUTINE_DEFAULT = {"a_and_e": 0.076, "nhs_111": 0.062, "utc": 0.031, "pharmacy": 0.10, "not_pursued": 0.731}


def _check_shares(v: dict[str, float], where: str) -> dict[str, float]:
    """Shares must sum to 1 (within 0.001): every unmet request ends in exactly one destination."""
    total = sum(v.values())
    if abs(total - 1.0) > 1e-3:
        raise ValueError(f"{where} shares must sum to 1 (got {total:.4f}); destinations missing from it count 0")
    return v


class DestinationShares(Strict):
    """Shares of unmet requests by destination, for urgent (same-day) and routine requests."""

    urgent: dict[Destination, Fraction] = Field(
        default_factory=lambda: dict(URGENT_DEFAULT),
        description=("share (0-1, dimensionless) of unmet same-day requests ending at each destination; must sum "
                     "to 1; destinations not named count 0. Default: GP Patient Survey 2023 and Healthwatch "
                     "Brighton and Hove 2023, three times as likely to go to urgent services as routine requests (docs/sources.md)"))
    routine: dict[Destination, Fraction] = Field(
        default_factory=lambda: dict(ROUTINE_DEFAULT),
        description=("share (0-1, dimensionless) of unmet routine requests ending at each destination; must sum "
                     "to 1; destinations not named count 0 (docs/sources.md)"))

    @field_validator("urgent", "routine")
    @classmethod
    def _sum_to_one(cls, v: dict[str, float], info) -> dict[str, float]:
        return _check_shares(v, info.field_name)


class UnmetDestinations(DestinationShares):
    """Destination shares of unmet requests; ``by_need`` gives a need type its own shares."""

    by_need: dict[str, DestinationShares] = Field(
        default_factory=dict,
        description=("need type -> its own urgent and routine shares (say minor illness: more community "
                     "pharmacy); needs not named use the shares above. Names must be demand.need_types keys"))
