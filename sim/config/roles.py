"""Roles: what each kind of clinician or admin post does, with units and sources (part of the scenario schema)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from sim.config.types import (
    Fraction,
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
    # patient contacts per clinician per day: 0 (no extras) to 100 (beyond any day's work)
    safe_contacts_per_day: Annotated[int, Field(ge=0, le=100)] = Field(
        0, description=("safe working limit: once every slot is gone, a clinician working that day takes same-day "
                        "extras (duty-doctor 'extras', run past the session end as overtime) until their slots "
                        "plus extras reach this many contacts; a day already rostered at or above it takes none, "
                        "and demand beyond it is lost (GP 25: BMA, Safe working in general practice, 2016, "
                        "guidance updated 2024; 0: the role takes no extras)")
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
                       safe_contacts_per_day=25),
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
