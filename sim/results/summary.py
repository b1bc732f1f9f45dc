"""The run summary: one row per (level, unit, metric) over the reporting horizon, units from the registry."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.results.ledger_codes import LedgerCodes
from sim.results.metrics import (
    WAIT_BINS,
    Organisation,
    access_columns,
    continuity_by_unit,
    fte_weeks,
    usual_provider_of_care,
    workload_counts,
)
from sim.results.outcomes import by_level
from sim.results.summary_rows import rows_frame


def _role_kinds(role: pd.Series, role_kind: dict[str, str]) -> pd.Categorical:
    """The kind (gp, nurse ...) of each row's role, as a categorical; missing where there is no role or it is unknown."""
    if not isinstance(role.dtype, pd.CategoricalDtype):
        role = role.astype("category")
    kinds = sorted({k for k in role_kind.values() if k is not None})
    code_of = {k: i for i, k in enumerate(kinds)}
    codes = np.array([code_of.get(role_kind.get(str(c)), -1) for c in role.cat.categories] + [-1], dtype=np.int64)
    return pd.Categorical.from_codes(codes[role.cat.codes.to_numpy()], kinds)


def gp_rows(role: pd.Series, role_kind: dict[str, str]) -> np.ndarray:
    """Whether each row's clinician is a GP (kind 'gp'), looked up once per role category."""
    if not isinstance(role.dtype, pd.CategoricalDtype):
        role = role.astype("category")
    hit = np.array([role_kind.get(str(c)) == "gp" for c in role.cat.categories] + [False], dtype=bool)
    return hit[role.cat.codes.to_numpy()]  # code -1 (no clinician) takes the last: False


def patient_continuity(ledger: pd.DataFrame, role_kind: dict[str, str],
                       codes: LedgerCodes | None = None) -> pd.DataFrame:
    """UPC per qualifying patient (GP appointments only), computed once for the summary and the equity rows.

    ``codes``: the ledger's :func:`~sim.results.ledger_codes.ledger_codes`; with them nothing is copied.
    """
    if codes is not None:
        return usual_provider_of_care(ledger, codes=codes, gp=gp_rows(ledger["role"], role_kind))
    # only the columns continuity needs (copying a ledger of millions of rows is slow)
    cols = [c for c in ("practice", "patient", "staff", "state", "ltc", "day") if c in ledger]
    return usual_provider_of_care(ledger[cols].assign(role_kind=_role_kinds(ledger["role"], role_kind)))


def summarise(ledger: pd.DataFrame, staff: pd.DataFrame, staff_days: pd.DataFrame,
              org: Organisation, upc: pd.DataFrame | None = None,
              codes: LedgerCodes | None = None) -> pd.DataFrame:
    """Headline outcomes per practice, PCN and LGPO over the horizon: columns level, unit, metric, value, units.

    ``upc``: :func:`patient_continuity` of this ledger when the caller has it already (not recomputed);
    ``codes``: its :func:`~sim.results.ledger_codes.ledger_codes`, likewise.
    """
    years = org.horizon_days / 365.25
    weeks = org.horizon_days / 7.0
    _, acc_units, acc_columns = access_columns(ledger, org, "all", codes)
    acc_values = {c: v.tolist() for c, v in acc_columns.items()}  # Python numbers, as a table's to_dict gave
    sizes = org.list_sizes()
    role_kind = dict(zip(staff["role"], staff["kind"], strict=False))
    rows: list[tuple[str, str, str, float]] = []
    for i, (level, unit) in enumerate(acc_units):
        a = {c: v[i] for c, v in acc_values.items()}
        n_list = sizes.get((level, unit), 0)
        per_k = 1000.0 / n_list if n_list else np.nan
        appts = a["appointments"]
        rows += [
            (level, unit, "list_size", n_list),
            (level, unit, "requests", a["requests"]),
            (level, unit, "requests_per_1000_year", a["requests"] * per_k / years),
            (level, unit, "appointments", appts),
            (level, unit, "appointments_per_1000_year", appts * per_k / years),
            (level, unit, "lost", a["lost"]),
            (level, unit, "lost_pct", 100.0 * a["lost"] / a["requests"] if a["requests"] else np.nan),
            (level, unit, "unmet_per_1000", a["lost"] * per_k),
            (level, unit, "unmet_per_1000_year", a["lost"] * per_k / years),
            (level, unit, "waiting_at_end", a["waiting_at_end"]),
            (level, unit, "dna_pct", 100.0 * a["dna"] / appts if appts else np.nan),
            (level, unit, "mean_wait_days", a["wait_days_sum"] / appts if appts else np.nan),
            (level, unit, "p90_wait_days", a["p90_wait_days"] if appts else np.nan),
        ]
        gp_appts = sum(a.get(f"appointments_role:{r}", 0.0) for r, k in role_kind.items() if k == "gp")
        rows.append((level, unit, "gp_share_pct", 100.0 * gp_appts / appts if appts else np.nan))
        for label in WAIT_BINS:
            rows.append((level, unit, f"wait_bin_pct:{label}",
                         100.0 * a[f"wait_bin:{label}"] / appts if appts else np.nan))
        for col in a:
            if col.startswith("appointments_mode:"):
                rows.append((level, unit, "mode_pct:" + col.split(":", 1)[1],
                             100.0 * a[col] / appts if appts else np.nan))
    cont = continuity_by_unit(None, org, patient_continuity(ledger, role_kind, codes) if upc is None else upc)
    for c in cont.to_dict("records"):
        rows.append((c["level"], c["unit"], "continuity_upc", c["upc"]))

    wl = workload_counts(staff_days, staff, org, "all")
    ftes = fte_weeks(staff, org).set_index(["level", "unit", "role"])["fte_weeks"].to_dict()
    tot = wl.groupby(["level", "unit"])[["offered_slots", "booked_slots", "overtime_minutes"]].sum()
    for (level, unit), t in tot.to_dict("index").items():
        rows.append((level, unit, "utilisation_pct",
                     100.0 * t["booked_slots"] / t["offered_slots"] if t["offered_slots"] else np.nan))
        rows.append((level, unit, "overtime_hours_per_week", t["overtime_minutes"] / 60.0 / weeks))
    for w in wl.to_dict("records"):
        key = (w["level"], w["unit"], w["role"])
        fw = ftes.get(key, 0.0)
        level, unit, role = key
        rows.append((level, unit, f"fte:{role}", fw / weeks))
        if fw > 0:
            rows += [
                (level, unit, f"appointments_per_fte_week:{role}", w["seen"] / fw),
                (level, unit, f"clinical_hours_per_fte_week:{role}", w["clinical_minutes"] / 60.0 / fw),
                (level, unit, f"admin_hours_per_fte_week:{role}", w["admin_minutes"] / 60.0 / fw),
                (level, unit, f"overtime_hours_per_fte_week:{role}", w["overtime_minutes"] / 60.0 / fw),
            ]
        if w["offered_slots"] > 0:
            rows.append((level, unit, f"utilisation_pct:{role}", 100.0 * w["booked_slots"] / w["offered_slots"]))
    return by_level(rows_frame(rows))
