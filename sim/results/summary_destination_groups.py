"""Summary rows for where unmet demand went, by national IMD quintile and by age band (group "Equity").

Each destination row of :mod:`sim.results.summary_destinations` (``ae_attendances_unmet_per_1000_year``
...) gets one row per group, ``<metric>_imd:Qk`` (PCN and LGPO, where practices can differ in quintile;
a practice's own row is its quintile's) and ``<metric>_age:BAND`` (every level): lost requests of the
horizon made by the group's patients that ended at the destination, per 1,000 of the group's patients
a year. A group's patients are the unit's registered list (as the destination rows use) split in the
shares of the model's population: by the practice's quintile (:func:`sim.config.types.imd_quintile_of`
of its ``imd_score``) and by the patient's age band. So the group rows, weighted by the group's
patients, add up to the unit's destination row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.config.destinations import DESTINATIONS
from sim.config.types import AGE_BANDS, imd_quintile_of
from sim.results.ledger_codes import LedgerCodes
from sim.results.metrics import Organisation
from sim.results.summary_destinations import DESTINATION_METRICS
from sim.results.summary_equity import QUINTILES, practice_imd
from sim.results.summary_rows import rows_frame

if TYPE_CHECKING:
    from sim.model.model import GPSimModel


def practice_codes(column: pd.Series, practices: list[str]) -> np.ndarray:
    """Each ledger row's practice position in ``practices`` (-1 if not one of them)."""
    cat = column if isinstance(column.dtype, pd.CategoricalDtype) else column.astype("category")
    lookup = np.append(pd.Index(practices).get_indexer([str(c) for c in cat.cat.categories]), -1)
    return lookup[cat.cat.codes.to_numpy()]


def lost_rows(ledger: pd.DataFrame, practices: list[str],
              codes: LedgerCodes | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, practice position, destination code) of each request of the horizon lost to a destination.

    ``codes``: the ledger's :func:`~sim.results.ledger_codes.ledger_codes` when the caller has them.
    """
    if "destination" not in ledger or not len(ledger):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    dest = ledger["destination"]
    dest_codes = dest.cat.codes.to_numpy() if isinstance(dest.dtype, pd.CategoricalDtype) else \
        pd.Categorical(dest, categories=list(DESTINATIONS)).codes
    if codes is None:
        practice, request = practice_codes(ledger["practice"], practices), ledger["day"].to_numpy() >= 0
    else:
        practice, request = codes.positions(practices), codes.request
    row = np.flatnonzero(request & (dest_codes >= 0) & (practice >= 0))
    return row, practice[row].astype(np.int64), dest_codes[row].astype(np.int64)


def _cells(practice: np.ndarray, dest: np.ndarray, group: np.ndarray, n_practices: int, n_groups: int) -> np.ndarray:
    """Counts by practice, group and destination (practices x groups x destinations); group -1 left out."""
    k = len(DESTINATIONS)
    ok = group >= 0
    flat = (practice[ok] * n_groups + group[ok]) * k + dest[ok]
    return np.bincount(flat, minlength=n_practices * n_groups * k).reshape(n_practices, n_groups, k)


def destination_cells(ledger: pd.DataFrame, practices: list[str], group: np.ndarray, n_groups: int) -> np.ndarray:
    """Lost requests of the horizon by practice, group and destination (practices x groups x destinations).

    ``group``: each ledger row's group index (-1 leaves the row out).
    """
    row, practice, dest = lost_rows(ledger, practices)
    return _cells(practice, dest, np.asarray(group)[row].astype(np.int64), len(practices), n_groups)


def group_patients(model: GPSimModel, org: Organisation) -> tuple[np.ndarray, np.ndarray]:
    """Registered patients by practice and age band, and by practice and IMD quintile (practices x groups).

    Each practice's list in ``org`` split in its population's age-band shares; all of it in its quintile.
    """
    n_p = len(org.practices)
    pop = model.population
    counts = np.bincount(pop.practice.astype(np.int64) * len(AGE_BANDS) + pop.age_band.astype(np.int64),
                         minlength=n_p * len(AGE_BANDS)).reshape(n_p, len(AGE_BANDS)).astype(float)
    total = counts.sum(axis=1, keepdims=True)
    lists = np.asarray(org.list_size, dtype=float)[:, None]
    by_age = np.divide(counts, total, out=np.zeros_like(counts), where=total > 0) * lists
    scores = practice_imd(model)
    by_imd = np.zeros((n_p, len(QUINTILES)))
    for i, code in enumerate(org.practices):
        if code in scores:
            by_imd[i, imd_quintile_of(scores[code]) - 1] = lists[i, 0]
    return by_age, by_imd


def _rows(level: str, unit: str, family: str, keys: tuple[str, ...], n: np.ndarray, patients: np.ndarray,
          years: float) -> list[tuple[str, str, str, float]]:
    """Per-1,000-a-year rows of each destination for each group with patients (n: groups x destinations)."""
    rows = []
    for g, key in enumerate(keys):
        if patients[g] <= 0 or years <= 0:
            continue
        per_k_year = 1000.0 / patients[g] / years
        rows += [(level, unit, f"{DESTINATION_METRICS[d]}_{family}:{key}", float(n[g, j]) * per_k_year)
                 for j, d in enumerate(DESTINATIONS)]
    return rows


def destination_group_summary(model: GPSimModel, ledger: pd.DataFrame, org: Organisation,
                              codes: LedgerCodes | None = None) -> pd.DataFrame:
    """Rows (level, unit, metric, value, units): each destination of unmet demand per 1,000 a year by group.

    ``codes``: the ledger's :func:`~sim.results.ledger_codes.ledger_codes` when the caller has them.
    """
    practices = list(org.practices)
    years = org.horizon_days / 365.25
    scores = practice_imd(model)
    quint_of = np.array([imd_quintile_of(scores[c]) - 1 if c in scores else -1 for c in practices] + [-1],
                        dtype=np.int64)
    # the lost rows once, and each one's age band and quintile only: a few in a hundred of the ledger
    row, practice, dest = lost_rows(ledger, practices, codes)
    age = model.population.age_band[ledger["patient"].to_numpy()[row]].astype(np.int64)
    by_age = _cells(practice, dest, age, len(practices), len(AGE_BANDS))
    by_imd = _cells(practice, dest, quint_of[practice], len(practices), len(QUINTILES))
    pat_age, pat_imd = group_patients(model, org)
    pcns = list(org.pcns)
    units = [("lgpo", org.lgpo, list(range(len(practices))))]
    units += [("pcn", c, [i for i, p in enumerate(org.practice_pcn) if p == c]) for c in pcns]
    units += [("practice", c, [i]) for i, c in enumerate(practices)]
    rows: list[tuple[str, str, str, float]] = []
    for level, unit, members in units:
        rows += _rows(level, unit, "age", AGE_BANDS, by_age[members].sum(axis=0), pat_age[members].sum(axis=0), years)
        if level != "practice":
            rows += _rows(level, unit, "imd", QUINTILES, by_imd[members].sum(axis=0), pat_imd[members].sum(axis=0),
                          years)
    return rows_frame(rows)
