"""Care navigation to the practice team member who fits: the role order a navigated contact is booked in.

A contact the care navigator books with the team (``care_navigation.team_shares``) takes its need's
eligible roles other than GP first, in their skill-mix order (``demand.need_types`` eligible_roles,
after any ``eligibility`` lever), and a GP only when none of them has a slot in tolerance. Where the
scenario has a skill-mix ``shift`` lever, its role order is the team's (the scenario's own view of who
fits). The order is compressed rows for the compiled booking loop, rebuilt when the options change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model.model import GPSimModel


def team_order(options: list[int], rd_role: np.ndarray, gp_role: int) -> list[int]:
    """Role diaries ``options`` (preference order) with every non-GP diary first, order kept otherwise."""
    return [rd for rd in options if rd_role[rd] != gp_role] + [rd for rd in options if rd_role[rd] == gp_role]


def team_options(model: GPSimModel) -> tuple[np.ndarray, np.ndarray]:
    """(row pointers, role diaries) per (practice, need) in the team's order; the shift lever's where it has one."""
    if model.levers.shift is not None:
        return model.shift_csr
    fd = model.front_door
    if fd.team_csr is not None and fd.team_csr[0] is model.options:  # model.options is rebuilt when it changes
        return fd.team_csr[1]
    gp = model.role_index.get("GP", -1)
    rows = [team_order(opts, model.diaries.rd_role, gp) for per_need in model.options for opts in per_need]
    csr = (np.cumsum([0] + [len(r) for r in rows]).astype(np.int32),
           np.asarray([rd for r in rows for rd in r], dtype=np.int32))
    fd.team_csr = (model.options, csr)
    return csr
