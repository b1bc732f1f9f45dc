"""Practice income for a set of practices, from NHS Payments to General Practice.

:func:`area_income` takes the frame of :func:`sim.nhsdata.payments.read_payments` and the codes of
an area's practices, and returns one row per practice plus a PCN row for each PCN and an area row:
registered and weighted patients, core contract income (Global Sum + MPIG + PMS balance), QOF,
PCN participation, locum allowances, premises, total payments and total less deductions (GBP for
the financial year of the file), and total payments per registered and per weighted patient.
``need_index`` is weighted / registered patients (the Carr-Hill need adjustment).

The payments are the practices' NHS income, not their costs: against the staff cost of
:mod:`sim.costs.staff` they show how much of a practice's income its modelled staff would use.
Money the PCN receives under the Network Contract DES (ARRS, PCN support) is paid to the PCN's
nominated practice and appears in that practice's "PCN ..." columns in 2022-23 and later.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sim.nhsdata.payments import practice_income

_SUMMED = ("registered_patients", "weighted_patients", "core_contract_gbp", "qof_gbp",
           "pcn_participation_gbp", "locum_allowances_gbp", "premises_gbp", "total_payments_gbp",
           "total_minus_deductions_gbp")


def area_income(payments: pd.DataFrame, practices: Sequence[str], *,
                area: str | None = None) -> pd.DataFrame:
    """Income of ``practices`` with PCN and area totals (see the module docstring).

    Returns:
        Columns ``level`` (lgpo, pcn, practice), ``unit``, ``pcn_code`` and the columns of
        :func:`~sim.nhsdata.payments.practice_income`. Practices absent from the file have missing
        values and count as missing (not zero) in the totals' ``missing_practices``.
    """
    per = practice_income(payments, list(practices))
    per.insert(0, "unit", per["practice_code"])
    per.insert(0, "level", "practice")
    per["missing_practices"] = per["total_payments_gbp"].isna().astype(int)
    groups = []
    if area is not None:
        groups.append(("lgpo", area, per))
    for pcn, members in per.dropna(subset=["pcn_code"]).groupby("pcn_code", sort=True):
        groups.append(("pcn", str(pcn), members))
    rows = []
    for level, unit, members in groups:
        row = {"level": level, "unit": unit, "practice_code": None,
               "pcn_code": unit if level == "pcn" else None}
        for column in _SUMMED:
            row[column] = float(members[column].sum(min_count=1))
        registered, weighted = row["registered_patients"], row["weighted_patients"]
        total = row["total_payments_gbp"]
        row["total_per_registered_gbp"] = total / registered if registered else float("nan")
        row["total_per_weighted_gbp"] = total / weighted if weighted else float("nan")
        row["need_index"] = weighted / registered if registered else float("nan")
        row["missing_practices"] = int(members["missing_practices"].sum())
        rows.append(row)
    return pd.concat([pd.DataFrame(rows), per], ignore_index=True)
