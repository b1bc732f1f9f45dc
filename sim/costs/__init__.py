"""Costs: staff cost per FTE, the additional roles scheme, practice income and discounting.

Pure functions and frozen dataclasses; nothing here changes the simulation. See ``docs/costs.md``.

* :mod:`sim.costs.rates`: published pay and on-cost rates, each with unit, source and date
  (employer NI, NHS pension, Agenda for Change 2025/26, GP earnings, locum fee, Green Book).
* :mod:`sim.costs.staff`: cost per FTE by role and contract; the cost of a run's staff table;
  cost per 1,000 patients, per appointment; present value.
* :mod:`sim.costs.arrs`: the Additional Roles Reimbursement Scheme (Network Contract DES 2025/26).
* :mod:`sim.costs.income`: practice income from NHS Payments to General Practice.
"""

from sim.costs.arrs import arrs_entitlement, arrs_funding
from sim.costs.income import area_income
from sim.costs.rates import GREEN_BOOK, OnCosts
from sim.costs.staff import (
    StaffCostModel,
    cost_per_appointment,
    present_value,
    staff_costs,
    unit_costs,
)

__all__ = [
    "GREEN_BOOK",
    "OnCosts",
    "StaffCostModel",
    "area_income",
    "arrs_entitlement",
    "arrs_funding",
    "cost_per_appointment",
    "present_value",
    "staff_costs",
    "unit_costs",
]
