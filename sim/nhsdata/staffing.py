"""Staff groups of an area's practices: from the workforce file where it has them, else assumed.

:func:`staff_from_workforce` turns one General Practice Workforce record into the scenario's staff
groups (GPs by age band); :func:`assumed_staff` staffs a practice from national ratios per 10,000
registered patients (:data:`NATIONAL_FTE_PER_10K`), for practices or roles the file leaves out.

Staffing from ratios (assumed):

* GP: 2,291 registered patients per FTE GP, June 2024 (NHS Digital, secondary; docs/sources.md), i.e.
  4.4 FTE per 10,000; headcount at 0.73 FTE per GP (27,966 FTE / 38,124 headcount fully qualified
  GPs, September 2024; docs/sources.md).
* Other roles, FTE per 10,000 patients: nurse 2.5, HCA 1.2, pharmacist 0.8, paramedic 0.3,
  physician associate 0.3, physiotherapist 0.2, admin 11.8. These follow the FTE shares (docs/sources.md) of
  general practice (GPs 19%, other direct patient care 19%, admin 51%, nurses the rest; BMJ Open
  2024;14:e081535, secondary) scaled to the GP figure above (4.4 / 0.19 ~ 23 FTE per 10,000 in
  all), with the direct-patient-care share split over the modelled roles; the rest of DPC (about
  1.6 per 10,000: dispensers, pharmacy technicians, link workers, ...) is not modelled.
* Non-GP headcount: the smallest whole number of people with at most 1.0 FTE each.
* GP ages: a national profile (about 37% of fully qualified GPs aged 50+, 23% 55+, 10% 60+;
  GPonline/Medscape analyses of NHS Digital GPW, quoted in data/formats.md), spread over the GPs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from sim.nhsdata.workforce import GP_AGE_BAND_MIDPOINTS, GP_AGE_BANDS

#: Model roles, in the order staff groups are written.
MODEL_ROLES: tuple[str, ...] = ("GP", "Nurse", "Pharmacist", "HCA", "Paramedic",
                                "PhysicianAssociate", "Physiotherapist", "Admin")

#: Registered patients per FTE GP, June 2024 (docs/sources.md, "Workforce").
PATIENTS_PER_FTE_GP = 2_291

#: The list size the national ratios are quoted per (patients).
RATIO_LIST_SIZE = 10_000

#: National staffing ratios, FTE per 10,000 registered patients (see the module docstring).
NATIONAL_FTE_PER_10K: dict[str, float] = {
    "GP": round(RATIO_LIST_SIZE / PATIENTS_PER_FTE_GP, 3),
    "Nurse": 2.5,
    "Pharmacist": 0.8,
    "HCA": 1.2,
    "Paramedic": 0.3,
    "PhysicianAssociate": 0.3,
    "Physiotherapist": 0.2,
    "Admin": 11.8,
}

#: FTE per GP headcount: 27,966 FTE / 38,124 headcount, fully qualified GPs, Sep 2024 (docs/sources.md).
GP_FTE_PER_HEAD = round(27_966 / 38_124, 3)

#: Assumed GP age profile (age in years, share of GPs); 37% 50+, 23% 55+, 10% 60+ (module doc).
ASSUMED_GP_AGE_PROFILE: tuple[tuple[int, float], ...] = (
    (32, 0.15), (42, 0.48), (52, 0.14), (57, 0.13), (62, 0.10),
)

#: Roles whose ratio-based FTE falls below this are left out of a practice (noted).
MIN_ASSUMED_FTE = 0.05

#: Most FTE one person may hold (sim.config.scenario.StaffGroup.fte upper bound).
MAX_FTE_PER_HEAD = 1.5

#: Age (years) given to every GP of a practice whose age bands are missing or do not add up: an
#: assumption, near the middle of :data:`ASSUMED_GP_AGE_PROFILE`.
UNKNOWN_GP_AGE = 45

#: GP age-band headcounts must add up to the GP headcount within this many people.
BAND_HEADCOUNT_TOLERANCE = 0.5

#: GP FTE by age band must add up to the GP FTE within this much (FTE); else the total is shared.
BAND_FTE_TOLERANCE = 0.05


def ratio_assumption_text() -> str:
    """How ratio-based staff were assumed, with the sources: for the scenario's description."""
    ratios = ", ".join(f"{r} {v:g}" for r, v in NATIONAL_FTE_PER_10K.items())
    return (f"national FTE per 10,000 patients ({ratios}; GP = 2,291 patients per FTE GP, "
            "June 2024; other roles scaled from the 2022 FTE shares of general practice, "
            "BMJ Open 2024;14:e081535; both listed in docs/sources.md) with GP "
            f"headcount at {GP_FTE_PER_HEAD} FTE per GP (27,966 FTE / 38,124 GPs, Sep 2024) "
            "and GP ages from a national profile (37% 50+, 23% 55+, 10% 60+)")


def staff_group(role: str, count: int, fte_total: float, age: int | list[int] | None = None,
                notes: list[str] | None = None, where: str = "") -> dict[str, Any] | None:
    """One staff group of ``count`` people sharing ``fte_total``; None when it would be empty."""
    if fte_total <= 0:
        if count > 0 and notes is not None:
            notes.append(f"{where}: {count} {role} with 0 FTE left out")
        return None
    if count <= 0:
        count = max(1, math.ceil(fte_total))
        if notes is not None:
            notes.append(f"{where}: {role} FTE {fte_total:.2f} with no headcount; "
                         f"{count} people assumed")
    if fte_total / count > MAX_FTE_PER_HEAD:
        new = math.ceil(fte_total / MAX_FTE_PER_HEAD)
        if notes is not None:
            notes.append(f"{where}: {role} FTE {fte_total:.2f} over {count} people exceeds "
                         f"{MAX_FTE_PER_HEAD} each; headcount raised to {new}")
        count = new
        if isinstance(age, list):
            age = (age * new)[:new]
    group: dict[str, Any] = {"role": role, "count": int(count),
                             "fte": round(float(fte_total) / count, 4)}
    if group["fte"] <= 0:
        return None
    if age is not None:
        group["age"] = age
    return group


def assumed_gp_ages(count: int) -> list[int]:
    """Ages for ``count`` GPs spread over :data:`ASSUMED_GP_AGE_PROFILE` (deterministic)."""
    ages = []
    for i in range(count):
        q = (i + 0.5) / count  # the middle of the i-th GP's share of the profile
        cumulative = 0.0
        for age, share in ASSUMED_GP_AGE_PROFILE:
            cumulative += share
            if q <= cumulative + 1e-12:
                ages.append(age)
                break
        else:
            ages.append(ASSUMED_GP_AGE_PROFILE[-1][0])
    return sorted(ages)


def assumed_staff(list_size: int, roles: Sequence[str] = MODEL_ROLES) -> list[dict[str, Any]]:
    """Staff groups for a practice of ``list_size`` patients from :data:`NATIONAL_FTE_PER_10K`."""
    groups = []
    for role in roles:
        fte = list_size / RATIO_LIST_SIZE * NATIONAL_FTE_PER_10K[role]
        if fte < MIN_ASSUMED_FTE:
            continue
        if role == "GP":
            count = max(1, round(fte / GP_FTE_PER_HEAD))
            group = staff_group(role, count, fte, assumed_gp_ages(count))
        else:
            group = staff_group(role, math.ceil(fte - 1e-9), fte)
        if group:
            groups.append(group)
    return groups


def _is_known(value: Any) -> bool:
    """Whether a workforce figure was given (not None, not NaN or NA)."""
    return value is not None and not pd.isna(value)


def staff_from_workforce(row: pd.Series, notes: list[str]) -> tuple[list[dict[str, Any]],
                                                                      list[str]]:
    """Staff groups for one practice from a :func:`~sim.nhsdata.workforce.read_workforce` row.

    Returns:
        The groups, and the roles with no usable figures (to be filled from ratios).
    """
    code = str(row["practice_code"])
    groups: list[dict[str, Any]] = []
    missing: list[str] = []
    for role in MODEL_ROLES:
        hc, fte = row.get(f"{role}_hc"), row.get(f"{role}_fte")
        if not (_is_known(hc) and _is_known(fte)):
            missing.append(role)
            continue
        if role == "GP":
            groups += _gp_groups(row, round(float(hc)), float(fte), notes)
        else:
            group = staff_group(role, round(float(hc)), float(fte), notes=notes, where=code)
            if group:
                groups.append(group)
    return groups, missing


def _gp_groups(row: pd.Series, hc: int, fte: float, notes: list[str]) -> list[dict[str, Any]]:
    """GP groups by age band (one per band with GPs), FTE by band where published."""
    code = str(row["practice_code"])
    # bands not disclosed (or not in this edition) count as empty if the rest add up to the total
    band_hc = {b: float(v) for b in GP_AGE_BANDS if _is_known(v := row.get(f"GP_hc_{b}"))}
    band_fte = {b: row.get(f"GP_fte_{b}") for b in GP_AGE_BANDS}
    if not band_hc or abs(sum(band_hc.values()) - hc) > BAND_HEADCOUNT_TOLERANCE:
        if hc > 0:
            notes.append(f"{code}: GP age bands missing or not summing to the GP headcount; "
                         f"ages set to {UNKNOWN_GP_AGE}")
        group = staff_group("GP", hc, fte, UNKNOWN_GP_AGE, notes, code)
        return [group] if group else []
    with_fte = _band_fte_adds_up(band_hc, band_fte, fte)
    per_head = fte / hc if hc else 0.0
    groups = []
    for band, count in band_hc.items():
        n = round(count)
        if n <= 0:
            continue
        band_total = float(band_fte[band]) if with_fte else per_head * n
        group = staff_group("GP", n, band_total, GP_AGE_BAND_MIDPOINTS[band], notes, code)
        if group:
            groups.append(group)
    return groups


def _band_fte_adds_up(band_hc: dict[str, float], band_fte: dict[str, Any], fte: float) -> bool:
    """Whether every band with GPs has an FTE and they add up to the GP FTE (else share the total)."""
    if not all(_is_known(band_fte[b]) for b, n in band_hc.items() if n > 0):
        return False
    total = sum(float(band_fte[b]) for b, n in band_hc.items() if n > 0)
    return abs(total - fte) <= BAND_FTE_TOLERANCE
