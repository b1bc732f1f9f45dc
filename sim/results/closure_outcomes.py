"""Practice closures (sim.model.closures) as outcomes: closures and patients moved by level, and the closures table.

Rows appear only when ``workforce.closures`` is enabled, so scenarios without it keep their summary.
A practice's rows count the practice itself: 1 if it closed, the patients it lost and received; a
PCN's its practices (patients moved between two of its practices count out and in); the LGPO's all.
``patients_moved_out_of_pcn`` counts patients re-registered in another PCN (no practice of their own
PCN could take them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from sim.model.model import GPSimModel

CLOSURE_COLUMNS = ["day", "practice", "pcn", "mode", "gp_fte_per_1000", "list_size", "to_practice", "to_pcn",
                   "to_level", "patients_moved", "staff_left", "staff_transferred"]


def closures_frame(model: GPSimModel) -> pd.DataFrame:
    """One row per closed practice and practice receiving its patients (reporting day of the closure)."""
    return pd.DataFrame(model.closures, columns=CLOSURE_COLUMNS)


def closure_rows(model: GPSimModel) -> list[tuple[str, str, str, float]]:
    """(level, unit, metric, value) rows: practices closed, patients moved out, in and out of their PCN."""
    if not model.scenario.workforce.closures.enabled:
        return []
    moves = [r for r in model.closures if r["day"] >= 0]  # closures in the reporting horizon
    closed = {r["practice"]: r for r in moves}
    units = [("practice", p.code, {p.code}) for p in model.practices]
    for c in model.pcns:
        units.append(("pcn", c.code, {model.practices[p].code for p in c.practices}))
    units.append(("lgpo", model.lgpo.code, {p.code for p in model.practices}))
    rows: list[tuple[str, str, str, float]] = []
    for level, code, codes in units:
        rows += [
            (level, code, "practices_closed", float(sum(c in codes for c in closed))),
            (level, code, "patients_moved_out", float(sum(r["patients_moved"] for r in moves if r["practice"] in codes))),
            (level, code, "patients_moved_in", float(sum(r["patients_moved"] for r in moves if r["to_practice"] in codes))),
            (level, code, "patients_moved_out_of_pcn",
             float(sum(r["patients_moved"] for r in moves if r["practice"] in codes and r["pcn"] != r["to_pcn"]))),
            (level, code, "practices_open_end",
             float(sum(p.code in codes and p.index not in model.closed_practices for p in model.practices))),
        ]
    return rows
