"""The PCN additional roles beyond the default eight: how each works and which needs it may serve.

The default skill-mix matrix (:func:`sim.config.roles.default_roles`, the need types'
``eligible_roles``) has eight roles. PCNs employ more under the Additional Roles Reimbursement Scheme
(NHS Digital PCN workforce, September 2022: care coordinators, social prescribing link workers,
health and wellbeing coaches, pharmacy technicians, mental health practitioners, dietitians,
podiatrists, occupational therapists). :data:`ADDITIONAL_ROLES` says how each of them works (a
:class:`~sim.config.roles.RoleSpec`) and :data:`ADDITIONAL_COMPETENCIES` which need types each may
serve, from the role outlines of the Network Contract DES (Annex B). They are opt-in: a scenario
gets them only when it lists them (``gpsim area build --pcn-workforce`` does, for the roles a PCN
employs), through :func:`roles_for` and :func:`need_types_for`, so a scenario without them runs
exactly as before.

How each takes work in the model (every number is a default with its unit and source; docs/sources.md):

* ``MentalHealthPractitioner``: the first role for ``mental_health`` (DES 2023/24 Annex B14.2(a):
  "a first point of contact in primary care for patients whose care needs are not suitable for
  Talking Therapies"); the GP remains the fallback. 30-minute slots (an assumption: brief
  psychological interventions and assessments are longer than a GP's 10 minutes).
* ``PharmacyTechnician``: ``medication_review`` after the pharmacist, before the GP (DES Annex B:
  pharmacy technicians support structured medication reviews and medicines optimisation under a
  clinical pharmacist). 20-minute slots, as the pharmacist's. The back office's repeat-prescription
  task stays with the receptionist (its admin roles are a fixed set).
* ``SocialPrescriber``, ``HealthCoach``, ``CareCoordinator`` (the personalised care roles): a new need
  type, :data:`SOCIAL_NEED`, that only they and GPs serve. Its share is
  :data:`SOCIAL_SHARE_OF_GP_ONLY_DEMAND` of the needs only GPs serve (``acute_complex``,
  ``mental_health``), taken out of them: about one GP consultation in five is mainly for a social
  problem (Citizens Advice, "A very general practice", 2015; NHS England, social prescribing,
  quoting it). They are asked for first and the GP is the fallback, so with no such staff the need is
  a GP's as before; the need exists only in scenarios that list these roles. Slot 40 minutes: a link
  worker's caseload is 200-250 people a year over 6-12 contacts each (NHS England, Social prescribing
  link workers: reference guide for PCNs, 2019/2023), about 1,800 contacts a year, i.e. about 8.5
  contacts on each of ~210 working days of 378 clinical minutes (9 sessions of 210 minutes a week).
  Health and wellbeing coaches and care coordinators work the same caseload model (DES Annex B:
  personalised care and support planning, coaching over several sessions).
* ``Dietitian``, ``Podiatrist``, ``OccupationalTherapist`` (allied health professionals, first
  contact under the DES): dietitians and podiatrists take ``ltc_review`` after the nurse (diabetes
  and weight management reviews; diabetic foot checks), podiatrists and occupational therapists take
  ``musculoskeletal`` after the physiotherapist. 30-minute slots (an assumption: first contact AHP
  appointments are 20-30 minutes, longer than the physiotherapist's 20 in the defaults only by the
  assessment they add).

Every role works 9 sessions a week of 210 clinical minutes (37.5 hours, as the default other direct
patient care roles); admin minutes per session (20-45) and same-day slot shares (0.1-0.3) are
assumptions in the range of the default roles'. The social need's booking behaviour
(:data:`SOCIAL_NEED_TYPE`: 10% same day, 7 days ahead on average, 60% face to face and 40% by
telephone) is an assumption: link-worker contacts are booked, routine appointments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sim.config.demand import NeedType
from sim.config.roles import RoleSpec

#: The need type of the personalised care roles (social prescribing, coaching, care coordination).
SOCIAL_NEED = "social_needs"

#: Need types only GPs serve by default, whose demand the social need is carved from.
GP_ONLY_NEEDS: tuple[str, ...] = ("acute_complex", "mental_health")

#: Share of GP-only demand that is mainly social (dimensionless): about 1 GP consultation in 5
#: (Citizens Advice, "A very general practice", May 2015; quoted by NHS England, "Social prescribing").
SOCIAL_SHARE_OF_GP_ONLY_DEMAND = 0.20

_PERSONALISED_CARE = ("SocialPrescriber", "HealthCoach", "CareCoordinator")

#: How each additional role works (see the module docstring for every number's source).
ADDITIONAL_ROLES: dict[str, RoleSpec] = {
    "MentalHealthPractitioner": RoleSpec(kind="other_dpc", slot_minutes=30, session_minutes=210,
                                         sessions_per_fte_week=9, admin_minutes_per_session=30,
                                         same_day_slot_share=0.3),
    "PharmacyTechnician": RoleSpec(kind="other_dpc", slot_minutes=20, session_minutes=210,
                                   sessions_per_fte_week=9, admin_minutes_per_session=45,
                                   same_day_slot_share=0.1),
    **{name: RoleSpec(kind="other_dpc", slot_minutes=40, session_minutes=210, sessions_per_fte_week=9,
                      admin_minutes_per_session=30, same_day_slot_share=0.1)
       for name in _PERSONALISED_CARE},
    **{name: RoleSpec(kind="other_dpc", slot_minutes=30, session_minutes=210, sessions_per_fte_week=9,
                      admin_minutes_per_session=20, same_day_slot_share=0.2)
       for name in ("Dietitian", "Podiatrist", "OccupationalTherapist")},
}

#: need type -> (role placed after which existing role, or first when None; the additional roles placed there).
ADDITIONAL_COMPETENCIES: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "mental_health": (None, ("MentalHealthPractitioner",)),
    "medication_review": ("Pharmacist", ("PharmacyTechnician",)),
    "ltc_review": ("Nurse", ("Dietitian", "Podiatrist")),
    "musculoskeletal": ("Physiotherapist", ("Podiatrist", "OccupationalTherapist")),
    SOCIAL_NEED: (None, _PERSONALISED_CARE),
}

#: The social need's booking behaviour: mostly routine (same-day 10%, an assumption: link-worker
#: contacts are booked), a week ahead on average, no GP continuity, mostly face to face or by phone.
SOCIAL_NEED_TYPE = NeedType(share=0.01, eligible_roles=["GP"], same_day_share=0.10, lead_days_mean=7.0,
                            mode_shares={"face_to_face": 0.6, "telephone": 0.4})


def roles_for(in_post: Iterable[str]) -> dict[str, RoleSpec]:
    """The role specs of the additional roles among ``in_post`` (others ignored), in a fixed order."""
    wanted = set(in_post)
    return {name: spec for name, spec in ADDITIONAL_ROLES.items() if name in wanted}


def _place(roles: list[str], after: str | None, new: list[str]) -> list[str]:
    """``roles`` with ``new`` inserted after ``after`` (at the front when None or absent)."""
    new = [r for r in new if r not in roles]
    if after is None or after not in roles:
        return new + roles
    k = roles.index(after) + 1
    return roles[:k] + new + roles[k:]


def need_types_for(need_types: Mapping[str, NeedType], in_post: Iterable[str]) -> dict[str, NeedType]:
    """``need_types`` with the additional roles in ``in_post`` made eligible where they are competent.

    With a personalised care role in post the social need is added: its share is
    :data:`SOCIAL_SHARE_OF_GP_ONLY_DEMAND` of the GP-only needs' shares, taken from them in
    proportion (shares still sum to 1). Without any additional role the need types come back unchanged.
    """
    wanted = set(in_post) & set(ADDITIONAL_ROLES)
    out = dict(need_types)
    if wanted & set(_PERSONALISED_CARE) and SOCIAL_NEED not in out:
        carved = 0.0
        for name in GP_ONLY_NEEDS:
            if name in out:
                take = out[name].share * SOCIAL_SHARE_OF_GP_ONLY_DEMAND
                out[name] = out[name].model_copy(update={"share": out[name].share - take})
                carved += take
        if carved > 0:
            out[SOCIAL_NEED] = SOCIAL_NEED_TYPE.model_copy(update={"share": carved})
    for need, (after, roles) in ADDITIONAL_COMPETENCIES.items():
        new = [r for r in roles if r in wanted]
        if need in out and new:
            out[need] = out[need].model_copy(
                update={"eligible_roles": _place(list(out[need].eligible_roles), after, new)})
    return out
