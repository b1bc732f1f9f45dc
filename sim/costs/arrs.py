"""The Additional Roles Reimbursement Scheme (ARRS), Network Contract DES 2025/26.

Source: NHS England, "Network Contract Directed Enhanced Service: Contract specification 2025/26 -
PCN requirements and entitlements" (April 2025), section 10.5 and Table 2, as quoted by Pulse
("Consultant nurses added to ARRS in new network contract", 2025), The Pharmacist ("New GP
contract: what PCN pharmacists need to know", 2025) and the North Central London Training Hub:

* A PCN's Additional Roles Reimbursement Sum is GBP 26.631 times its PCN Contractor Weighted
  Population (the Carr-Hill weighted list of its member practices) at 1 January 2025
  (GBP 22.894 in 2024/25). Unspent entitlement cannot be carried forward.
* Reimbursement is of actual salary and on-costs (employer NI and pension) up to a maximum per
  whole-time equivalent per role; staff must be additional to the PCN's baseline.
* Maximum reimbursable amounts 2025/26 quoted in those sources (GBP per WTE a year, outside
  London): clinical pharmacist (band 7-8a) 66,972; advanced practitioner (8a) 73,334; pharmacy
  technician (5) 43,352; general practice nurse new to general practice (5) 43,352 and
  experienced (6) 53,319; consultant nurse 102,683; healthcare support worker (3) 32,159.
* For roles whose 2025/26 figure is not in those sources the maximum is estimated from the same
  band's verified amount (band 5 or 7-8a) or, for bands 4 and 7, as the Agenda for Change 2025/26
  top step point x 1.146, the ratio of the verified band 5 and 6 amounts to their top points
  (43,352 / 37,796 = 1.147; 53,319 / 46,580 = 1.145). Each role says which (``basis``).
  GPs became reimbursable in 2025/26 from the same sum; their maximum is not given here.

Inner and outer London maxima are higher (high cost area supplements); not modelled here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from sim.costs.rates import AFC_2025_26

#: GBP per PCN Contractor Weighted Population (patients at 1 January 2025), Network Contract DES
#: 2025/26 section 10.5 (secondary: Pulse 2025; NCL Training Hub).
ARRS_GBP_PER_WEIGHTED_PATIENT_2025_26 = 26.631

#: The 2024/25 figure, for comparison (Pulse 2025).
ARRS_GBP_PER_WEIGHTED_PATIENT_2024_25 = 22.894

_TOP_TO_MAX = 1.146  # verified band 5 and band 6 maxima / Agenda for Change 2025/26 top points


@dataclass(frozen=True)
class ArrsRole:
    """One reimbursable role: its band and maximum reimbursement (GBP per WTE a year)."""

    name: str
    band: str
    max_gbp: float | None
    basis: str  # "DES 2025/26 (quoted)", "same band as ...", "estimate: ..." or "not given"


def _est(band: str) -> float:
    return round(AFC_2025_26[band].top_gbp * _TOP_TO_MAX, 0)


_Q = "DES 2025/26 Table 2 (quoted)"

#: ARRS roles 2025/26 by name.
ARRS_ROLES_2025_26: dict[str, ArrsRole] = {r.name: r for r in (
    ArrsRole("Clinical Pharmacist", "7-8a", 66_972, _Q),
    ArrsRole("Advanced Practitioner", "8a", 73_334, _Q),
    ArrsRole("Pharmacy Technician", "5", 43_352, _Q),
    ArrsRole("General Practice Nurse (new to general practice)", "5", 43_352, _Q),
    ArrsRole("General Practice Nurse (experienced)", "6", 53_319, _Q),
    ArrsRole("Consultant Nurse", "8c", 102_683, _Q),
    ArrsRole("Healthcare Support Worker", "3", 32_159, _Q),
    ArrsRole("First Contact Physiotherapist", "7-8a", 66_972,
             "same band (7-8a) as the clinical pharmacist"),
    ArrsRole("Social Prescribing Link Worker", "5", 43_352, "same band (up to 5) as pharmacy technician"),
    ArrsRole("Health and Wellbeing Coach", "5", 43_352, "same band (up to 5) as pharmacy technician"),
    ArrsRole("Care Coordinator", "4", _est("4"), "estimate: band 4 top x 1.146"),
    ArrsRole("Nursing Associate", "4", _est("4"), "estimate: band 4 top x 1.146"),
    ArrsRole("Trainee Nursing Associate", "3", 32_159, "same band (3) as healthcare support worker"),
    ArrsRole("Physician Associate", "7", _est("7"), "estimate: band 7 top x 1.146"),
    ArrsRole("Paramedic", "7", _est("7"), "estimate: band 7 top x 1.146"),
    ArrsRole("Dietitian", "7", _est("7"), "estimate: band 7 top x 1.146"),
    ArrsRole("Podiatrist", "7", _est("7"), "estimate: band 7 top x 1.146"),
    ArrsRole("Occupational Therapist", "7", _est("7"), "estimate: band 7 top x 1.146"),
    ArrsRole("Mental Health Practitioner", "6", 53_319, "same band (6) as the experienced GPN"),
    ArrsRole("General Practitioner", "", None, "not given here (reimbursable from 2025/26)"),
)}

#: Model role -> ARRS role. Practice roles absent here (Admin) are not reimbursable.
MODEL_ROLE_ARRS: dict[str, str] = {
    "Pharmacist": "Clinical Pharmacist",
    "Paramedic": "Paramedic",
    "PhysicianAssociate": "Physician Associate",
    "Physiotherapist": "First Contact Physiotherapist",
    "Nurse": "General Practice Nurse (experienced)",
    "HCA": "Healthcare Support Worker",
    "GP": "General Practitioner",
    "PharmacyTechnician": "Pharmacy Technician",
    "SocialPrescriber": "Social Prescribing Link Worker",
    "HealthCoach": "Health and Wellbeing Coach",
    "CareCoordinator": "Care Coordinator",
    "NursingAssociate": "Nursing Associate",
    "MentalHealthPractitioner": "Mental Health Practitioner",
    "Dietitian": "Dietitian",
    "Podiatrist": "Podiatrist",
    "OccupationalTherapist": "Occupational Therapist",
}

#: ``STAFF_ROLE`` of the PCN workforce file -> ARRS role; roles absent here (clinical
#: directors, managers, admin, "Other Direct Patient Care") are not reimbursable.
WORKFORCE_ROLE_ARRS: dict[str, str] = {
    "Pharmacists": "Clinical Pharmacist",
    "Advanced Pharmacist Practitioners": "Advanced Practitioner",
    "Advanced Paramedic Practitioners": "Advanced Practitioner",
    "Advanced Physiotherapist Practitioners": "Advanced Practitioner",
    "Advanced Occupational Therapist Practitioners": "Advanced Practitioner",
    "Advanced Dietician Practitioners": "Advanced Practitioner",
    "Advanced Podiatrist Practitioners": "Advanced Practitioner",
    "Pharmacy Technicians": "Pharmacy Technician",
    "Social Prescribing Link Workers": "Social Prescribing Link Worker",
    "Health and Wellbeing Coaches": "Health and Wellbeing Coach",
    "Care Coordinators": "Care Coordinator",
    "Physician Associates": "Physician Associate",
    "Physiotherapists": "First Contact Physiotherapist",
    "Paramedics": "Paramedic",
    "Dieticians": "Dietitian",
    "Podiatrists": "Podiatrist",
    "Therapists": "Occupational Therapist",
    "Nursing Associates": "Nursing Associate",
    "Trainee Nursing Associates": "Trainee Nursing Associate",
    "Health Support Workers": "Healthcare Support Worker",
}


def arrs_entitlement(weighted_population: float,
                     gbp_per_weighted_patient: float = ARRS_GBP_PER_WEIGHTED_PATIENT_2025_26) -> float:
    """A PCN's Additional Roles Reimbursement Sum, GBP a year (weighted population x rate)."""
    if weighted_population < 0:
        raise ValueError("weighted population must be 0 or more")
    return float(weighted_population) * gbp_per_weighted_patient


def arrs_funding(fte_by_role: Mapping[str, float], weighted_population: float, *,
                 cost_per_fte: Mapping[str, float] | None = None,
                 role_map: Mapping[str, str] | None = None,
                 gbp_per_weighted_patient: float = ARRS_GBP_PER_WEIGHTED_PATIENT_2025_26,
                 ) -> tuple[pd.DataFrame, dict[str, float]]:
    """What of a PCN's additional-roles staff the scheme funds, and what it does not.

    Args:
        fte_by_role: FTE by role (model role names, or the PCN workforce file's ``STAFF_ROLE``
            with ``role_map=WORKFORCE_ROLE_ARRS``). Only staff additional to the PCN's baseline
            may be claimed: pass the PCN-employed staff.
        weighted_population: the PCN's contractor weighted population (patients).
        cost_per_fte: the employer cost per FTE-year of each role (GBP); default: the maximum
            reimbursable amount (i.e. every post costs exactly what may be claimed). A role with
            neither (not reimbursable, no cost given) has a missing ``cost_gbp``, left out of the
            cost totals.
        role_map: role -> ARRS role name (default :data:`MODEL_ROLE_ARRS`).
        gbp_per_weighted_patient: the DES rate (default 2025/26).

    Returns:
        A table with one row per role: ``fte``, ``arrs_role`` (empty if not reimbursable),
        ``max_per_fte_gbp``, ``cost_gbp`` (FTE x cost per FTE), ``claimable_gbp`` (FTE x the lesser
        of cost and maximum, 0 if not reimbursable), ``basis``; and totals: ``entitlement_gbp``,
        ``claimable_gbp``, ``funded_gbp`` (claimable capped at the entitlement), ``unfunded_gbp``
        (cost not funded), ``headroom_gbp`` (entitlement left unspent).
    """
    role_map = MODEL_ROLE_ARRS if role_map is None else role_map
    rows = []
    for role, fte in fte_by_role.items():
        arrs_name = role_map.get(role, "")
        arrs = ARRS_ROLES_2025_26.get(arrs_name) if arrs_name else None
        maximum = arrs.max_gbp if arrs is not None else None
        unit_cost = (cost_per_fte or {}).get(role, maximum if maximum is not None else float("nan"))
        cost = float(fte) * float(unit_cost)
        claim = float(fte) * min(float(unit_cost), maximum) if maximum is not None else 0.0
        rows.append({"role": role, "fte": float(fte), "arrs_role": arrs_name if arrs else "",
                     "max_per_fte_gbp": maximum, "cost_gbp": cost, "claimable_gbp": claim,
                     "basis": arrs.basis if arrs else "not reimbursable"})
    table = pd.DataFrame(rows)
    entitlement = arrs_entitlement(weighted_population, gbp_per_weighted_patient)
    claimable = float(table["claimable_gbp"].sum()) if rows else 0.0
    cost = float(table["cost_gbp"].fillna(0.0).sum()) if rows else 0.0
    funded = min(claimable, entitlement)
    totals = {"entitlement_gbp": entitlement, "claimable_gbp": claimable, "funded_gbp": funded,
              "cost_gbp": cost, "unfunded_gbp": cost - funded,
              "headroom_gbp": entitlement - funded}
    return table, totals


def arrs_for_pcn(costs: pd.DataFrame, pcn_code: str, weighted_population: float, *,
                 horizon_days: int | None = None,
                 gbp_per_weighted_patient: float = ARRS_GBP_PER_WEIGHTED_PATIENT_2025_26,
                 ) -> tuple[pd.DataFrame, dict[str, float]]:
    """:func:`arrs_funding` for the staff a PCN itself employs, from a costed staff table.

    Args:
        costs: from :func:`sim.costs.staff.staff_costs` (``level``, ``unit_code``, ``role``,
            ``fte``, ``cost_per_fte_year_gbp``; ``fte_days`` with ``horizon_days``).
        pcn_code: the PCN; only its PCN-level staff count (practice staff are not additional).
        weighted_population: its contractor weighted population (patients).
        horizon_days: when given, FTE is the mean in post over the horizon (FTE-days / days);
            otherwise the FTE in the table.
        gbp_per_weighted_patient: the DES rate (default 2025/26).

    The model's cost per FTE-year is the cost: a post costed above its role's maximum shows the
    excess as unfunded.
    """
    mine = costs[(costs["level"] == "pcn") & (costs["unit_code"] == pcn_code)]
    if horizon_days:
        fte_by_role = (mine.groupby("role")["fte_days"].sum() / float(horizon_days)).to_dict()
    else:
        fte_by_role = mine.groupby("role")["fte"].sum().to_dict()
    unit_cost = mine.groupby("role")["cost_per_fte_year_gbp"].first().to_dict()
    return arrs_funding(fte_by_role, weighted_population, cost_per_fte=unit_cost,
                        gbp_per_weighted_patient=gbp_per_weighted_patient)
