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
  Change bands 3-4: the health care assistant's competencies, not a registered nurse's).

Roles with no model counterpart (care coordinators, social prescribing link workers, health and
wellbeing coaches, pharmacy technicians, dieticians, podiatrists, therapists, other direct patient
care, clinical directors, managers and admin) are not staffed; the area's notes list their FTE by PCN
so a planner sees what the model leaves out. PCN codes the file lacks are noted too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
}

#: Model roles in the order PCN staff groups are written.
PCN_MODEL_ROLES: tuple[str, ...] = ("Pharmacist", "Paramedic", "PhysicianAssociate", "Physiotherapist", "HCA")


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
                  notes: list[str]) -> None:
    """Staff each PCN of ``pcns`` (scenario mappings) with its own additional roles from the PCN workforce file."""
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
    for pcn in pcns:
        roles = by_pcn.get(pcn["code"])
        if roles is None:
            if not str(pcn["code"]).startswith("U-"):
                absent.append(pcn["code"])
            continue
        groups, left_out = pcn_staff_groups(roles, pcn["code"], notes)
        if groups:
            pcn["staff"] = groups
        if left_out:
            listed = ", ".join(f"{r} {f:.1f}" for r, f in sorted(left_out.items()))
            notes.append(f"{pcn['code']}: PCN staff not modelled (no model role), FTE: {listed}")
    if absent:
        notes.append(f"no staff in {Path(pcn_workforce_file).name} for PCN(s) {', '.join(absent)}")
