"""Front-door interventions' schema: cloud telephony, total triage, care navigation, online consultation.

Each needs the scenario's ``front_door:`` block (the front door it changes); mechanisms in
:mod:`sim.model.front_door_levers`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from sim.config.intervention_base import Base
from sim.config.types import Fraction


class CloudTelephony(Base):
    """Cloud-based telephony at the front door: more lines (callers queue, not engaged) and callbacks.

    Needs the scenario's ``front_door:`` block. NHS England's Delivery plan for recovering access to
    primary care (May 2023) moves practices from analogue lines to cloud-based telephony with call
    queueing and call-back, so patients are not met with an engaged tone and keep their place.
    """

    type: Literal["cloud_telephony"]
    # callers: 1000 waiting in one practice's queue is beyond any practice
    queue_positions: Annotated[int, Field(ge=0, le=1000)] = Field(
        100, description="callers who can wait in the queue beyond those being answered (assumption: nobody hears engaged)")
    callback_share: Fraction = Field(
        0.7, description="share of callers who would hang up that take a callback and keep their place (assumption)")


class TotalTriage(Base):
    """Total triage: every request is triaged by a GP before booking; some are resolved there.

    Needs the scenario's ``front_door:`` block. Each handled contact waits for triage, costs GP
    minutes (taken out of the day's GP slots) and is either resolved at triage or goes on to booking.
    """

    type: Literal["total_triage"]
    # GP minutes: an hour per request would be a consultation, not triage
    triage_minutes_per_request: Annotated[float, Field(gt=0.0, le=60.0)] = Field(
        2.5, description="GP minutes to triage one request (assumption)")
    resolved_share: Fraction = Field(
        0.3, description=("share of triaged requests resolved without an appointment (assumption informed by "
                          "Salisbury et al., JMIR 2020: about 30% of e-consultations completed without follow-up)"))
    # working minutes: a day's delay at most
    triage_delay_minutes_mean: Annotated[float, Field(gt=0.0, le=1440.0)] = Field(
        60.0, description="mean working minutes from contact handled to triaged (exponential; assumption)")


NavigationTarget = Literal["pharmacy", "self_care", "social_prescriber"]
NAVIGATION_TARGETS: tuple[str, ...] = ("pharmacy", "self_care", "social_prescriber")


class CareNavigation(Base):
    """Care navigation: reception staff trained as care navigators send some handled contacts elsewhere.

    Needs the scenario's ``front_door:`` block. A share of each need type's contacts, when handled at
    the front door, goes to community pharmacy (Pharmacy First), self-care or a social prescriber
    instead of a practice appointment (ledger state ``navigated``). Shares are by need type (names
    must be ``demand.need_types`` keys; needs not named are not navigated).
    """

    type: Literal["care_navigation"]
    # share of a need's handled contacts by target; each need's shares sum to at most 1
    shares: dict[str, dict[NavigationTarget, Fraction]] = Field(
        default_factory=lambda: {
            # NHS England, Pharmacy First (31 Jan 2024): seven common conditions; with the May 2023 recovery plan's
            # estimate of up to 10 million appointments a year freed (of about 350 million), about 3% of all
            # appointments, a tenth of acute minor illness (30% of requests); self-care 5% (assumption)
            "acute_minor": {"pharmacy": 0.10, "self_care": 0.05},
            # social prescribing (GP Forward View 2016 high impact action); 10% of mental health, 5% of MSK (assumption)
            "mental_health": {"social_prescriber": 0.10},
            "musculoskeletal": {"social_prescriber": 0.05, "self_care": 0.05},
        },
        description="share of each need type's handled contacts navigated by target (see docs/sources.md; assumptions)")
    # share of a need's contacts that stay at the practice (not navigated elsewhere); none by default
    team_shares: dict[str, Fraction] = Field(
        default_factory=dict,
        description="share of each need type's contacts kept at the practice that the navigator books with the "
                    "team member who fits: the need's eligible roles other than GP first, in skill-mix order "
                    "(demand.need_types eligible_roles; the skill-mix shift's roles where the scenario has one), "
                    "a GP only if none is free (NHS England GP Forward View 2016, high impact action 1: active "
                    "signposting; shares are the scenario's assumption)")

    @field_validator("shares")
    @classmethod
    def _at_most_one(cls, v: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for need, row in v.items():
            if sum(row.values()) > 1.0 + 1e-9:
                raise ValueError(f"care navigation shares of need {need!r} sum to {sum(row.values()):.3f} (at most 1)")
        return v


class OnlineConsultation(Base):
    """Online consultation: the online channel raised, and the new demand online access brings.

    Needs the scenario's ``front_door:`` block. From ``start`` to ``end`` the scoped practices' requests
    are online forms with probability ``online_share`` (other channels scaled down), and demand rises by
    ``new_demand`` (all of it online): Salisbury et al., JMIR 2020, 10% new demand in the base case,
    range -10% to +30%.
    """

    type: Literal["online_consultation"]
    online_share: Fraction = Field(
        0.35, description="share of existing requests sent as online forms while it runs (assumption)")
    # relative: -0.1 is 10% less demand, 0.3 is 30% more (Salisbury et al., JMIR 2020 range)
    new_demand: Annotated[float, Field(ge=-0.5, le=1.0)] = Field(
        0.10, description="new demand from online access, relative (Salisbury et al., JMIR 2020: 0.10, -0.10 to 0.30)")

