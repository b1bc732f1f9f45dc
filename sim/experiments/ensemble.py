"""Parameter uncertainty in experiments: one ensemble member per replication, and both widths.

A calibrated scenario may carry an ``ensemble:`` (:mod:`sim.config.ensemble`). Replication r then
runs with the member drawn from the named stream of (seed, r) (:func:`member_index`), never from
the scenario: every scenario of a comparison that carries the same ensemble runs replication r
with the same member (common random numbers for parameters as for demand). A comparison with an
ensemble also runs each scenario without it (:func:`noise_tasks`), so that comparison.csv reports
both interval widths, noise only and noise + parameters (:func:`add_widths`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.scenario import Scenario
from sim.model.rng import stream

#: Name of the random stream the member of each replication is drawn from.
ENSEMBLE_STREAM = "ensemble-member"

#: Folder (under each scenario's) of the runs without the ensemble: noise only.
NOISE_FOLDER = "noise-only"


def member_index(weights: list[float], seed: int, replication: int) -> int:
    """The member replication ``replication`` of base seed ``seed`` runs with (a weighted draw).

    One uniform number per (seed, replication) from its own named stream is mapped through the
    cumulative weights: every scenario with the same ensemble gets the same member.
    """
    u = float(stream(seed, replication, ENSEMBLE_STREAM).random())
    cum = np.cumsum(np.asarray(weights, dtype=float))
    return int(min(np.searchsorted(cum / cum[-1], u, side="right"), len(weights) - 1))


def with_member(scenario: Scenario, replication: int) -> tuple[Scenario, int | None]:
    """The scenario replication ``replication`` runs: its drawn member's (none without an ensemble)."""
    if not scenario.ensemble:
        return scenario, None
    k = member_index([m.weight for m in scenario.ensemble], scenario.seed, replication)
    return scenario.member(k), k


def noise_tasks(tasks: list[Any]) -> list[Any]:
    """Each comparison task as run without its ensemble (a task without one is kept as it is)."""
    out = []
    for t in tasks:
        if not t.mapping.get("ensemble"):
            out.append(t)
            continue
        rep = Path(t.out).name
        out.append(dataclasses.replace(
            t, key=f"{t.name}/{NOISE_FOLDER}/{rep}", mapping={**t.mapping, "ensemble": []},
            out=str(Path(t.out).parent / NOISE_FOLDER / rep), noise_only=True))
    return out


def add_widths(comparison: pd.DataFrame, noise: pd.DataFrame) -> pd.DataFrame:
    """comparison.csv with both 95% interval widths: noise + parameters, and noise only.

    Adds ``ci_width`` and ``diff_ci_width`` (the comparison's own intervals: with the ensemble,
    noise + parameters), and ``ci_low_noise``, ``ci_high_noise``, ``ci_width_noise``,
    ``diff_ci_width_noise`` from the same replications run without the ensemble.
    """
    keys = ["level", "unit", "metric", "scenario"]
    out = comparison.copy()
    out["ci_width"] = out["ci_high"] - out["ci_low"]
    out["diff_ci_width"] = out["diff_ci_high"] - out["diff_ci_low"]
    n = noise[keys].copy()
    n["ci_low_noise"], n["ci_high_noise"] = noise["ci_low"], noise["ci_high"]
    n["ci_width_noise"] = noise["ci_high"] - noise["ci_low"]
    n["diff_ci_width_noise"] = noise["diff_ci_high"] - noise["diff_ci_low"]
    return out.merge(n, on=keys, how="left")
