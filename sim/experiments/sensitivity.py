"""Which inputs drive access and workload: sensitivity analysis of a sweep's results table.

The analysis follows the sweep's design (recorded in ``sweep.json``):

- ``morris`` designs: Morris elementary effects (SALib); the index is mu* (mean absolute effect of
  moving one input across its range, in the outcome's units), with sigma (interactions and
  non-linearity) beside it;
- ``sobol`` designs: Sobol indices (SALib, Saltelli estimator); the index is the total-order ST (share
  of the outcome's variance the input explains, interactions included), with first-order S1;
- ``latin_hypercube`` designs: first-order indices by RBD-FAST (SALib), which works on any sample;
- ``parameters`` (full factorial) designs: main-effect shares, the between-level variance of the
  outcome over its total variance across points (a one-way ANOVA per input; exact first-order
  indices for a balanced factorial).

Outcomes are averaged over replications first. Every row also carries the Spearman rank correlation
of the input with the outcome (its direction) and ``noise_pct``, the share of the variance between
point means that replication noise alone would give: effects are only meaningful where that is small.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.results.outcomes import find

ACCESS_OUTCOMES: tuple[str, ...] = (
    "lost_pct", "unmet_per_1000_year", "mean_wait_days", "p90_wait_days", "wait_bin_pct:Same Day",
    "dna_pct", "continuity_upc", "appointments_per_1000_year",
)
WORKLOAD_OUTCOMES: tuple[str, ...] = (
    "utilisation_pct", "overtime_hours_per_week", "appointments_per_fte_week:GP",
    "clinical_hours_per_fte_week:GP", "admin_hours_per_fte_week:GP", "gp_share_pct",
)
METHODS = ("auto", "morris", "sobol", "rbd_fast", "anova")
_AUTO = {"morris": "morris", "sobol": "sobol", "latin_hypercube": "rbd_fast", "parameters": "anova"}
_INDEX = {"morris": ("mu_star", "sigma"), "sobol": ("ST", "S1"), "rbd_fast": ("S1", ""),
          "anova": ("main_effect", "")}
COLUMNS = ("outcome", "group", "parameter", "method", "index", "value", "conf", "secondary_index",
           "secondary", "spearman", "rank", "noise_pct", "points", "replications")


class SensitivityError(ValueError):
    """The results cannot be analysed as asked (wrong method for the design, too few points ...)."""


def outcome_group(metric: str) -> str:
    """The registry group of a summary metric in lower case ('access', 'workload' ...), 'other' if unknown."""
    found = find(metric)
    return found.group.lower() if found else "other"


def choose_method(design: str, method: str = "auto") -> str:
    """The analysis method for a design, checking an explicit choice fits it."""
    if method not in METHODS:
        raise SensitivityError(f"unknown method '{method}'; allowed: {', '.join(METHODS)}")
    if method == "auto":
        return _AUTO[design]
    fits = {"morris": {"morris"}, "sobol": {"sobol"}, "rbd_fast": {"latin_hypercube", "sobol", "morris"},
            "anova": {"parameters"}}
    if design not in fits[method]:
        raise SensitivityError(f"method '{method}' needs a {' or '.join(sorted(fits[method]))} design; "
                               f"this sweep is a '{design}' design (try --method auto)")
    return method


#: Fewest design points RBD-FAST is run on: SALib's bootstrap takes half the points, which must exceed
#: twice the harmonics (at least one), and fewer than 10 points give no usable interval.
RBD_FAST_MIN_POINTS = 10


def size_problem(design: str, n_points: int, method: str = "auto") -> str | None:
    """Why a ``design`` sweep of ``n_points`` points is too small for its analysis, and what size it needs; None if fine.

    Checked before a sweep runs (``gpsim sweep``) and before any analysis (``gpsim sensitivity``).
    """
    method = choose_method(design, method)
    if method == "rbd_fast" and n_points < RBD_FAST_MIN_POINTS:
        fix = (f"latin_hypercube.samples: {RBD_FAST_MIN_POINTS} or more" if design == "latin_hypercube"
               else f"a design of at least {RBD_FAST_MIN_POINTS} points")
        return (f"RBD-FAST (the analysis of a {design} design) needs at least {RBD_FAST_MIN_POINTS} design points; "
                f"this sweep has {n_points}: sweep again with {fix}")
    if n_points < 2:
        return f"a sensitivity analysis needs at least 2 design points; this sweep has {n_points}"
    return None


def point_means(table: pd.DataFrame, metrics: list[str]) -> tuple[pd.DataFrame, pd.Series]:
    """Mean of each metric per point (points x metrics) and the replication-noise share per metric."""
    sub = table[table["metric"].isin(metrics)]
    grouped = sub.groupby(["point", "metric"])["value"]
    means = grouped.mean().unstack("metric")
    var_within = grouped.var(ddof=1).unstack("metric").mean()
    reps = sub.groupby("point")["replication"].nunique().min()
    spread = means.var(ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        noise = (100.0 * var_within / max(int(reps), 1) / spread.where(spread > 0)).clip(upper=100.0)
    return means, noise


def analyse(table: pd.DataFrame, manifest: dict[str, Any], metrics: list[str] | None = None,
            method: str = "auto", seed: int = 0) -> pd.DataFrame:
    """Rank the swept inputs by their influence on each outcome.

    Args:
        table: a sweep's ``results`` table (point, parameter columns, replication, metric, value).
        manifest: the sweep's ``sweep.json`` (design, parameters, ranges, points).
        metrics: outcomes to analyse; default the access and workload outcomes present.
        method: 'auto' (from the design) or one of morris, sobol, rbd_fast, anova.
        seed: seed for SALib's bootstrap confidence intervals.

    Returns:
        One row per (outcome, parameter): the method's index (value, confidence half-width where the
        method gives one), a secondary index, the Spearman correlation, the rank within the outcome
        (1 = most influential) and the replication-noise share.
    """
    design = manifest["design"]
    points = [p["values"] for p in manifest["points"]]
    if (problem := size_problem(design, len(points), method)) is not None:
        raise SensitivityError(problem)
    method = choose_method(design, method)
    params: list[str] = list(manifest["parameters"])
    x = np.array([[float(pt[p]) if not isinstance(pt[p], str) else np.nan for p in params] for pt in points])
    available = set(table["metric"].unique())
    if metrics is None:
        metrics = [m for m in (*ACCESS_OUTCOMES, *WORKLOAD_OUTCOMES) if m in available]
    missing = [m for m in metrics if m not in available]
    if missing:
        raise SensitivityError(f"no metric {missing[0]!r} in the results; e.g. {', '.join(sorted(available)[:8])}")
    means, noise = point_means(table, metrics)
    means = means.reindex(range(len(points)))
    if means.isna().all(axis=1).any():
        raise SensitivityError("some design points have no results: finish the sweep first")
    reps = int(table.groupby("point")["replication"].nunique().min())
    problem = {"num_vars": len(params), "names": params,
               "bounds": [manifest["ranges"].get(p, [0.0, 1.0]) for p in params]}
    rows = []
    for metric in metrics:
        y = means[metric].to_numpy(dtype=float)
        ok = np.isfinite(y)
        values, confs, seconds = _indices(method, problem, manifest, x, y, ok, seed)
        rho = _spearman(x, y, ok)
        order = _ranks(values)
        idx, sec = _INDEX[method]
        for j, p in enumerate(params):
            rows.append((metric, outcome_group(metric), p, method, idx, values[j], confs[j], sec or None,
                         seconds[j], rho[j], order[j], float(noise.get(metric, np.nan)), int(ok.sum()), reps))
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    return out.sort_values(["group", "outcome", "rank"], kind="stable", na_position="last").reset_index(drop=True)


def _indices(method: str, problem: dict[str, Any], manifest: dict[str, Any], x: np.ndarray, y: np.ndarray,
             ok: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = x.shape[1]
    nan = np.full(d, np.nan)
    if not ok.all() or np.nanstd(y) == 0:
        # an outcome that never varies (or is undefined somewhere) has no drivers to rank
        return (np.zeros(d) if ok.all() else nan), nan.copy(), nan.copy()
    if method == "morris":
        from SALib.analyze import morris

        levels = int(manifest.get("design_options", {}).get("levels", 4))
        res = morris.analyze(problem, x, y, num_levels=levels, seed=seed)
        return np.asarray(res["mu_star"]), np.asarray(res["mu_star_conf"]), np.asarray(res["sigma"])
    if method == "sobol":
        from SALib.analyze import sobol

        second = bool(manifest.get("design_options", {}).get("second_order", False))
        res = sobol.analyze(problem, y, calc_second_order=second, seed=seed)
        return np.asarray(res["ST"]), np.asarray(res["ST_conf"]), np.asarray(res["S1"])
    if method == "rbd_fast":
        from SALib.analyze import rbd_fast

        n = x.shape[0]
        # SALib's bootstrap uses half the points and needs them to exceed twice the harmonics
        harmonics = max(1, min(10, (n // 2 - 1) // 2))
        res = rbd_fast.analyze(problem, x, y, M=harmonics, seed=seed)
        return np.asarray(res["S1"]), np.asarray(res["S1_conf"]), nan.copy()
    # anova: main-effect share of each factor in a full factorial
    total = np.var(y)
    values = np.empty(d)
    for j in range(d):
        col = x[:, j]
        keys = col if np.isfinite(col).all() else np.arange(len(col))
        levels = pd.Series(y).groupby(keys).mean()
        counts = pd.Series(y).groupby(keys).size()
        values[j] = float((counts * (levels - y.mean()) ** 2).sum() / len(y) / total)
    return values, nan.copy(), nan.copy()


def _spearman(x: np.ndarray, y: np.ndarray, ok: np.ndarray) -> np.ndarray:
    from scipy.stats import spearmanr

    out = np.full(x.shape[1], np.nan)
    if ok.sum() < 3 or np.nanstd(y[ok]) == 0:
        return out
    for j in range(x.shape[1]):
        col = x[ok, j]
        if np.isfinite(col).all() and np.std(col) > 0:
            out[j] = float(spearmanr(col, y[ok]).statistic)
    return out


def _ranks(values: np.ndarray) -> np.ndarray:
    out = np.full(values.size, np.nan)
    finite = np.isfinite(values)
    if finite.any() and np.any(values[finite] != 0):
        order = np.argsort(-values[finite], kind="stable")
        ranks = np.empty(order.size)
        ranks[order] = np.arange(1, order.size + 1)
        out[finite] = ranks
    return out


def ranking_table(result: pd.DataFrame) -> pd.DataFrame:
    """Wide view: one row per outcome, the index of each input, and the top driver."""
    wide = result.pivot_table(index=["group", "outcome"], columns="parameter", values="value", sort=False)
    top = result[result["rank"] == 1].set_index(["group", "outcome"])["parameter"]
    wide["top_driver"] = top.reindex(wide.index)
    noise = result.groupby(["group", "outcome"], sort=False)["noise_pct"].first()
    wide["noise_pct"] = noise.reindex(wide.index)
    return wide.reset_index()
