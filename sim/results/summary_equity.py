"""Equity rows of the run summary: access by national IMD quintile and by age band (group "Equity").

Where practices carry Carr-Hill ``weighted_patients`` (``area build --payments``): the weighted
list, the need index (weighted / registered), GP FTE in post at the end per 10,000 weighted patients
(as ``gp_fte_end``) and appointments per 1,000 weighted patients a year, by unit and (PCN and LGPO) by IMD quintile: access against need, the inverse care law's measure.

A patient's IMD quintile is their practice's: the national IMD 2019 quintile of the practice's
score (``imd_score`` on the practice in the scenario; :func:`sim.config.types.imd_quintile_of`),
Q1 the most deprived fifth of English practices. Practices without a score are left out of the
quintile rows. Age bands are the patient's band in the model's population.

For each group, at each level where it can differ (quintiles: PCN and LGPO, where practices can
differ; age bands: every level): requests made in the horizon, the share of them lost, the mean
wait of the appointments in the horizon, and continuity (UPC of the group's patients with a
long-term condition and at least two GP appointments, as ``continuity_upc``). Requests by group
add up to the unit's ``requests``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.config.types import AGE_BANDS, imd_quintile_of
from sim.results.cells import equity_counts
from sim.results.ledger_codes import LedgerCodes, ledger_codes
from sim.results.metrics import usual_provider_of_care
from sim.results.summary_rows import rows_frame

if TYPE_CHECKING:
    from sim.model.model import GPSimModel

QUINTILES = ("Q1", "Q2", "Q3", "Q4", "Q5")


def practice_imd(model: GPSimModel) -> dict[str, float]:
    """IMD 2019 score by practice code, for the practices whose scenario entry has one."""
    return {p.code: float(p.imd_score) for pcn in model.scenario.area.pcns for p in pcn.practices
            if p.imd_score is not None}


def _codes_in(column: pd.Series, index_of: dict[str, int]) -> np.ndarray:
    """Each row's position in ``index_of`` (categorical columns through their categories: fast)."""
    cat = column if isinstance(column.dtype, pd.CategoricalDtype) else column.astype("category")
    lookup = np.array([index_of.get(str(c), -1) for c in cat.cat.categories] + [-1], dtype=np.int64)
    return lookup[cat.cat.codes.to_numpy()]


def _cells(practice: np.ndarray, group: np.ndarray, n_practices: int, n_groups: int,
           weights: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Sums of each weight per (practice, group) cell, as (practices x groups) arrays; rows with group < 0 left out."""
    ok = group >= 0
    cell = practice[ok] * n_groups + group[ok]
    return {k: np.bincount(cell, weights=w[ok], minlength=n_practices * n_groups).reshape(n_practices, n_groups)
            for k, w in weights.items()}


def _rows(level: str, unit: str, family: str, keys: tuple[str, ...], sums: dict[str, np.ndarray]
          ) -> list[tuple[str, str, str, float]]:
    """Requests, lost %, mean wait and continuity of each group of one unit (sums over its practices)."""
    rows = []
    for k, key in enumerate(keys):
        req, lost, appts = sums["requests"][k], sums["lost"][k], sums["appointments"][k]
        if req == 0 and appts == 0:
            continue
        rows += [(level, unit, f"requests_{family}:{key}", float(req)),
                 (level, unit, f"lost_pct_{family}:{key}", 100.0 * lost / req if req else np.nan),
                 (level, unit, f"mean_wait_days_{family}:{key}", sums["wait_days"][k] / appts if appts else np.nan)]
        if sums["upc_n"][k] > 0:
            rows.append((level, unit, f"continuity_upc_{family}:{key}", sums["upc_sum"][k] / sums["upc_n"][k]))
    return rows


def practice_weighted(model: GPSimModel) -> dict[str, float]:
    """Carr-Hill weighted patients by practice code, for the practices whose scenario entry has them."""
    return {p.code: float(p.weighted_patients) for pcn in model.scenario.area.pcns for p in pcn.practices
            if p.weighted_patients is not None}


def _weighted_rows(model: GPSimModel, units: list[tuple[str, str, list[int]]], appts: np.ndarray,
                   appts_by_imd: np.ndarray, quint_of: np.ndarray) -> list[tuple[str, str, str, float]]:
    """Weighted patients, need index and appointments per 1,000 weighted patients a year (and by quintile).

    Only for units whose every practice has ``weighted_patients``; the quintile rows (PCN and LGPO)
    for each quintile present.
    """
    weighted = practice_weighted(model)
    if not weighted:
        return []
    years = model.scenario.horizon_days / 365.25
    codes = [p.code for p in model.practices]
    w = np.array([weighted.get(c, np.nan) for c in codes])
    lists = np.array([float(p.list_size) for p in model.practices])
    rota_posts = {p.agent for hub in model.hubs if hub.member for p in hub.posts}  # shifts, not people
    gp_fte: dict[str, float] = {}
    for st in model.staff:
        if st.kind == "gp" and st.active and not st.cover_post and st.index not in rota_posts:
            code = model.unit_level(st.unit)[1]
            gp_fte[code] = gp_fte.get(code, 0.0) + st.fte
    rows: list[tuple[str, str, str, float]] = []
    for level, unit, members in units:
        if np.isnan(w[members]).any():
            continue
        total_w = float(w[members].sum())
        own = {codes[m] for m in members} | ({unit} if level != "practice" else set())
        if level == "lgpo":
            own |= {pcn.code for pcn in model.pcns}
        if total_w > 0:
            rows.append((level, unit, "gp_fte_per_10k_weighted", 1e4 * sum(gp_fte.get(c, 0.0) for c in own) / total_w))
        rows += [(level, unit, "weighted_patients", total_w),
                 (level, unit, "need_index", total_w / lists[members].sum() if lists[members].sum() else np.nan)]
        if total_w > 0:
            rows.append((level, unit, "appointments_per_1000_weighted_year",
                         1000.0 * float(appts[members].sum()) / total_w / years))
        if level == "practice":
            continue
        for k, key in enumerate(QUINTILES):
            in_q = [m for m in members if quint_of[m] == k]
            wq = float(w[in_q].sum())
            if in_q and wq > 0:
                rows.append((level, unit, f"appointments_per_1000_weighted_imd:{key}",
                             1000.0 * float(appts_by_imd[in_q, k].sum()) / wq / years))
    return rows


def equity_summary(model: GPSimModel, ledger: pd.DataFrame, role_kind: dict[str, str],
                   upc: pd.DataFrame | None = None, codes: LedgerCodes | None = None) -> pd.DataFrame:
    """Equity rows (level, unit, metric, value, units) for the run summary; see the module docstring.

    ``upc``: per-patient continuity already computed for the summary (``usual_provider_of_care`` with
    GP role kinds, as ``sim.results.summary.patient_continuity``); computed here when not given.
    ``codes``: the ledger's :func:`~sim.results.ledger_codes.ledger_codes`, likewise.
    """
    scores = practice_imd(model)
    lc = ledger_codes(ledger) if codes is None else codes
    practices = [p.code for p in model.practices]
    n_p = len(practices)
    index_of = {c: k for k, c in enumerate(practices)}
    practice = lc.positions(practices)
    lost = lc.request & lc.is_state("lost", "gave_up")
    quint_of = np.array([imd_quintile_of(scores[c]) - 1 if c in scores else -1 for c in practices], dtype=np.int64)
    if upc is None:
        role = ledger["role"].astype("category")
        kind_names = sorted(set(role_kind.values()))
        code_of = {k: i for i, k in enumerate(kind_names)}
        lookup = np.array([code_of.get(role_kind.get(str(r)), -1) for r in role.cat.categories] + [-1],
                          dtype=np.int64)  # code -1 (no clinician, unknown role) takes the last: missing
        kinds = pd.Categorical.from_codes(lookup[role.cat.codes.to_numpy()], kind_names)
        cols = [c for c in ("practice", "patient", "staff", "state", "ltc", "day") if c in ledger]
        upc = usual_provider_of_care(ledger[cols].assign(role_kind=kinds))
    u_practice = (_codes_in(upc["practice"], index_of) if len(upc)
                  else np.zeros(0, dtype=np.int64))
    u_weights = {"upc_sum": upc["upc"].to_numpy(dtype=float), "upc_n": np.ones(len(upc))}
    u_age = model.population.age_band[upc["patient"].to_numpy(dtype=np.int64)].astype(np.int64)
    # one pass over the rows: requests, lost, appointments and wait days per (practice, age band)
    sums = equity_counts(practice, ledger["patient"].to_numpy(), model.population.age_band, lc.request, lost,
                         lc.appt, lc.wait, n_p, len(AGE_BANDS))
    by_age = (dict(zip(("requests", "lost", "appointments", "wait_days"), sums, strict=True))
              | _cells(u_practice, u_age, n_p, len(AGE_BANDS), u_weights))
    # a practice is in one quintile: its request counts there are its age cells' sums (whole numbers, so
    # exact in any order); continuity sums fractions, so it is summed per row as before
    in_quintile = (quint_of[:, None] == np.arange(len(QUINTILES))[None, :])
    by_imd = ({k: by_age[k].sum(axis=1)[:, None] * in_quintile for k in ("requests", "lost", "appointments",
                                                                         "wait_days")}
              | _cells(u_practice, quint_of[u_practice], n_p, len(QUINTILES), u_weights))

    rows: list[tuple[str, str, str, float]] = []
    units = [("lgpo", model.lgpo.code, list(range(n_p)))]
    units += [("pcn", pcn.code, list(pcn.practices)) for pcn in model.pcns]
    units += [("practice", p.code, [p.index]) for p in model.practices]
    for level, unit, members in units:
        rows += _rows(level, unit, "age", AGE_BANDS, {k: v[members].sum(axis=0) for k, v in by_age.items()})
        if level != "practice" and (quint_of[members] >= 0).any():
            rows += _rows(level, unit, "imd", QUINTILES, {k: v[members].sum(axis=0) for k, v in by_imd.items()})
    rows += _weighted_rows(model, units, by_age["appointments"].sum(axis=1), by_imd["appointments"], quint_of)
    for code, score in scores.items():
        rows += [("practice", code, "imd_score", score), ("practice", code, "imd_quintile", float(imd_quintile_of(score)))]
    return rows_frame(rows)
