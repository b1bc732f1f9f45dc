"""PCN-employed staff of a built area from the PCN workforce individual-level file (the additional roles).

:func:`add_pcn_staff` gives each PCN of a built area the staff the Primary Care Networks workforce
file records for it (:mod:`sim.nhsdata.pcn_workforce`): records grouped by published
``STAFF_ROLE``, each group mapped to the model role of the skill-mix matrix (``roles`` and the need
types' ``eligible_roles``) whose competencies it has, FTE summed and headcount the records with an
FTE. The mapping (:data:`PCN_ROLE_TO_MODEL`) is the published role's closest model role:

* pharmacists and advanced pharmacist practitioners -> ``Pharmacist``;
* paramedics and advanced paramedic practitioners -> ``Paramedic``;
* physician associates -> ``PhysicianAssociate``;
* physiotherapists and advanced physiotherapist practitioners -> ``Physiotherapist``;
* nursing associates, trainee nursing associates and health support workers -> ``HCA`` (Agenda for
  Change bands 3-4: the health care assistant's competencies, not a registered nurse's);
* "Other Direct Patient Care" (detailed role "Other": the file does not say which profession) ->
  ``HCA``, the broadest direct patient care competence (procedures), an assumption;
* the additional roles of :mod:`sim.config.pcn_roles`: pharmacy technicians -> ``PharmacyTechnician``;
  social prescribing link workers -> ``SocialPrescriber``; health and wellbeing coaches ->
  ``HealthCoach``; care coordinators -> ``CareCoordinator``; dieticians and advanced dietician
  practitioners -> ``Dietitian``; podiatrists and advanced podiatrist practitioners -> ``Podiatrist``;
  therapists and advanced occupational therapist practitioners -> ``OccupationalTherapist``; mental
  health practitioners (a role the 2022 file may name) -> ``MentalHealthPractitioner``.

A PCN staffed with any of the additional roles makes :func:`sim.nhsdata.area.build_area` write their
role specs (``roles``) and the need types they serve (``demand.need_types``; see
:func:`sim.config.pcn_roles.need_types_for`) into the scenario. Clinical directors, managers and
admin are not staffed (the model's admin staff are practice staff); the area's notes list their FTE
by PCN so a planner sees what the model leaves out. PCN codes the file lacks are noted too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.config.demand import default_need_types
from sim.config.pcn_roles import ADDITIONAL_ROLES, need_types_for, roles_for
from sim.nhsdata.csv_read import PathLike
from sim.nhsdata.pcn_workforce import pcn_role_fte, read_pcn_workforce
from sim.nhsdata.staffing import staff_group

#: Published ``STAFF_ROLE`` (PCN workforce, September 2022) -> model role (see the module docstring).
PCN_ROLE_TO_MODEL: dict[str, str] = {
    "Pharmacists": "Pharmacist",
    "Advanced Pharmacist Practitioners": "Pharmacist",
    "Paramedics": "Paramedic",
    "Advanced Paramedic Practitioners": "Paramedic",
    "Physician Associates": "PhysicianAssociate",
    "Physiotherapists": "Physiotherapist",
    "Advanced Physiotherapist Practitioners": "Physiotherapist",
    "Nursing Associates": "HCA",
    "Trainee Nursing Associates": "HCA",
    "Health Support Workers": "HCA",
    "Other Direct Patient Care": "HCA",
    "Pharmacy Technicians": "PharmacyTechnician",
    "Social Prescribing Link Workers": "SocialPrescriber",
    "Health and Wellbeing Coaches": "HealthCoach",
    "Care Coordinators": "CareCoordinator",
    "Dieticians": "Dietitian",
    "Advanced Dietician Practitioners": "Dietitian",
    "Podiatrists": "Podiatrist",
    "Advanced Podiatrist Practitioners": "Podiatrist",
    "Therapists": "OccupationalTherapist",
    "Advanced Occupational Therapist Practitioners": "OccupationalTherapist",
    "Mental Health Practitioners": "MentalHealthPractitioner",
}

#: Model roles in the order PCN staff groups are written.
PCN_MODEL_ROLES: tuple[str, ...] = ("Pharmacist", "Paramedic", "PhysicianAssociate", "Physiotherapist", "HCA",
                                     *ADDITIONAL_ROLES)


def pcn_staff_groups(by_role: dict[str, tuple[float, int]], where: str,
                     notes: list[str]) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Staff groups of one PCN from {published role: (FTE, records)}; and the FTE of roles not modelled."""
    fte: dict[str, float] = {}
    heads: dict[str, int] = {}
    left_out: dict[str, float] = {}
    for role, (f, n) in sorted(by_role.items()):
        model_role = PCN_ROLE_TO_MODEL.get(role)
        if model_role is None:
            if f > 0:
                left_out[role] = f
            continue
        fte[model_role] = fte.get(model_role, 0.0) + f
        heads[model_role] = heads.get(model_role, 0) + n
    groups = []
    for role in PCN_MODEL_ROLES:
        if role in fte:
            group = staff_group(role, heads[role], fte[role], notes=notes, where=where)
            if group is not None:
                groups.append(group)
    return groups, left_out


def add_pcn_staff(pcns: list[dict[str, Any]], pcn_workforce_file: PathLike, sources: list[str],
                  notes: list[str]) -> set[str]:
    """Staff each PCN of ``pcns`` (scenario mappings) with its own additional roles from the PCN workforce file.

    Returns the model roles staffed anywhere in the area.
    """
    workforce = read_pcn_workforce(pcn_workforce_file)
    workforce = workforce[workforce["fte"].notna()]
    census = workforce["census"].max()
    sources.append(f"PCN staff from {Path(pcn_workforce_file).name} ({census:%B %Y}, NHS Digital PCN workforce, "
                   "additional roles mapped to model roles)")
    table = pcn_role_fte(workforce)
    by_pcn: dict[str, dict[str, tuple[float, int]]] = {}
    for code, role, fte, records in zip(table["pcn_code"], table["role"], table["fte"], table["records"],
                                        strict=True):
        by_pcn.setdefault(str(code), {})[str(role)] = (float(fte), int(records))
    absent = []
    staffed: set[str] = set()
    for pcn in pcns:
        roles = by_pcn.get(pcn["code"])
        if roles is None:
            if not str(pcn["code"]).startswith("U-"):
                absent.append(pcn["code"])
            continue
        groups, left_out = pcn_staff_groups(roles, pcn["code"], notes)
        if groups:
            pcn["staff"] = groups
            staffed.update(g["role"] for g in groups)
        if left_out:
            listed = ", ".join(f"{r} {f:.1f}" for r, f in sorted(left_out.items()))
            notes.append(f"{pcn['code']}: PCN staff not modelled (directors, managers, admin), FTE: {listed}")
    if absent:
        notes.append(f"no staff in {Path(pcn_workforce_file).name} for PCN(s) {', '.join(absent)}")
    return staffed


def additional_role_settings(staffed: set[str]) -> dict[str, Any]:
    """The scenario keys (``roles``, ``demand.need_types``) that put the staffed additional roles to work; {} if none."""
    specs = roles_for(staffed)
    if not specs:
        return {}
    needs = need_types_for(default_need_types(), specs)
    return {"roles": {name: spec.model_dump(exclude_defaults=True) for name, spec in specs.items()},
            "demand": {"need_types": {name: need.model_dump(exclude_defaults=True) for name, need in needs.items()}}}
