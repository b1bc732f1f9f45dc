"""Simulated calibration targets: the model's ledger in the shape of the GPAD targets.

Mapping (see :mod:`sim.calibrate.observed` for the observed side):

* appointments are ledger rows in state ``seen`` or ``dna``, counted in the month of their
  appointment day (``appt_day`` + ``start_date``; warm-up days and days after the horizon are not
  counted); attended = ``seen``, DNA = ``dna``;
* HCP_TYPE: roles of kind ``gp`` -> "GP", every other role -> "Other Practice staff";
* APPT_MODE: :data:`sim.calibrate.observed.MODE_LABELS`;
* TIME_BETWEEN_BOOK_AND_APPT: the NHS bins of ``wait_days`` (:data:`sim.results.metrics.WAIT_BINS`;
  requests are booked the day they are made, so the request-to-appointment days are the
  booking-to-appointment days).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from sim.calibrate.observed import MODE_LABELS, TARGET_NAMES
from sim.config.scenario import Scenario
from sim.results.metrics import WAIT_BINS, wait_bin_index


def gp_roles(scenario: Scenario) -> set[str]:
    """Names of the scenario's roles counted as HCP_TYPE "GP" (kind ``gp``)."""
    return {name for name, spec in scenario.roles.items() if spec.kind == "gp"}


def _labels(column: pd.Series) -> np.ndarray:
    """String labels of a (usually categorical) column without a per-row string conversion."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        cats = np.asarray([str(c) for c in column.cat.categories] + [""], dtype=object)
        return cats[column.cat.codes.to_numpy()]  # code -1 (missing) -> ""
    return column.astype(str).to_numpy()


def _is_one_of(column: pd.Series, names: Iterable[str], rows: np.ndarray | slice) -> np.ndarray:
    """Whether the label of ``column`` at each of ``rows`` (positions, or a slice) is in ``names``.

    On the category codes where the column has them: a ledger's labels are categorical, and
    comparing codes costs a fraction of comparing strings row by row (a calibration reads a
    ledger per model run).
    """
    wanted = {str(n) for n in names}
    if isinstance(column.dtype, pd.CategoricalDtype):
        hit = np.array([str(c) in wanted for c in column.cat.categories] + [False], dtype=bool)
        return hit[column.cat.codes.to_numpy()[rows]]  # code -1 (missing) -> the last, False
    return np.isin(_labels(column)[rows], list(wanted))


def simulated_targets(ledger: pd.DataFrame, scenario: Scenario,
                      months: Iterable[pd.Timestamp] | None = None,
                      list_size: int | None = None) -> pd.DataFrame:
    """Targets per month from one replication's ledger.

    Args:
        ledger: :attr:`sim.experiments.runner.RunResult.ledger` (or :func:`sim.results.tables.ledger_frame`).
        scenario: the scenario run (start date, list size, role kinds).
        months: months to report (first days); default every month with appointments.
        list_size: per-1,000 denominator (default the scenario's registered list).

    Returns:
        ``month``, ``target`` (:data:`~sim.calibrate.observed.TARGET_NAMES`), ``value``, ``n``.
    """
    size = int(list_size if list_size is not None else scenario.list_size)
    booked = _is_one_of(ledger["state"], ["seen", "dna"], slice(None))
    appt_day = ledger["appt_day"].to_numpy(dtype="float64", na_value=np.nan)
    rows = np.flatnonzero(booked & (appt_day >= 0) & (appt_day < scenario.horizon_days))
    start = np.datetime64(scenario.start_date, "D")
    month_of_day = (start + np.arange(scenario.horizon_days).astype("timedelta64[D]")
                    ).astype("datetime64[M]")
    month = month_of_day[appt_day[rows].astype(np.int64)]
    if months is None:
        wanted = sorted(pd.Timestamp(m) for m in np.unique(month))
    else:
        wanted = [pd.Timestamp(m) for m in months]
    keys = np.array([np.datetime64(m.to_period("M").start_time, "M") for m in wanted],
                    dtype="datetime64[M]")
    order = np.argsort(keys)
    pos = np.searchsorted(keys[order], month)
    pos = np.minimum(pos, max(len(keys) - 1, 0))
    found = keys[order][pos] == month if len(keys) else np.zeros(month.size, dtype=bool)
    idx = np.where(found, order[pos] if len(keys) else 0, -1).astype(np.int64)
    keep = idx >= 0
    idx, rows = idx[keep], rows[keep]
    seen = _is_one_of(ledger["state"], ["seen"], rows)
    gp = _is_one_of(ledger["role"], gp_roles(scenario), rows)
    wait = ledger["wait_days"].to_numpy(dtype="float64", na_value=0.0)[rows]
    bins = wait_bin_index(wait.astype(np.int64))
    n = len(wanted)
    appts = np.bincount(idx, minlength=n).astype(float)
    attended = np.bincount(idx, weights=seen, minlength=n)
    gp_n = np.bincount(idx, weights=gp, minlength=n)
    out: list[tuple[pd.Timestamp, str, float, float]] = []

    def share(k: np.ndarray) -> np.ndarray:
        return np.divide(k, appts, out=np.full(n, np.nan), where=appts > 0)

    values: dict[str, np.ndarray] = {
        "attended_per_1000": attended / size * 1000.0,
        "gp_share": share(gp_n),
        "dna_share": share(appts - attended),
    }
    for model_mode, label in MODE_LABELS.items():
        is_mode = _is_one_of(ledger["mode"], [model_mode], rows)
        values[f"mode:{label}"] = share(np.bincount(idx, weights=is_mode, minlength=n))
    for b, label in enumerate(WAIT_BINS):
        values[f"wait_bin:{label}"] = share(np.bincount(idx, weights=bins == b, minlength=n))
    for target in TARGET_NAMES:
        denom = attended if target == "attended_per_1000" else appts
        for k, m in enumerate(wanted):
            out.append((m, target, float(values[target][k]), float(denom[k])))
    return pd.DataFrame(out, columns=["month", "target", "value", "n"])
