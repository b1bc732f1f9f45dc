"""Plots of a calibration: observed against simulated (mean and 2.5-97.5% over replications)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from sim.calibrate.observed import MODE_LABELS
from sim.results.metrics import WAIT_BINS

_OBS = {"color": "black", "marker": "o", "label": "observed (GPAD)"}
_SIM = "tab:blue"


def _series(table: pd.DataFrame, target: str, scale: float = 1.0) -> pd.DataFrame:
    """One target's rows by month, observed, simulated and range multiplied by ``scale``."""
    t = table.loc[table["target"] == target].sort_values("month")
    out = t[["month", "observed", "simulated", "lower", "upper"]].copy()
    for c in ("observed", "simulated", "lower", "upper"):
        out[c] = out[c] * scale
    return out


def _line(ax: Axes, table: pd.DataFrame, target: str, scale: float, title: str,
          ylabel: str) -> None:
    """Observed and simulated (with its range) of one target by month, on ``ax``."""
    s = _series(table, target, scale)
    x = np.arange(len(s))
    ax.plot(x, s["observed"], linestyle="-", **_OBS)
    ax.plot(x, s["simulated"], color=_SIM, marker="s", label="simulated mean")
    ax.fill_between(x, s["lower"], s["upper"], color=_SIM, alpha=0.25,
                    label="simulated 2.5-97.5%")
    ax.set_xticks(x, s["month"], rotation=45, ha="right", fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)


def _bars(ax: Axes, table: pd.DataFrame, targets: list[str], labels: list[str],
          title: str) -> None:
    """Observed and simulated shares (in per cent, mean of the months) side by side, on ``ax``."""
    obs, sim, lo, hi = [], [], [], []
    for t in targets:
        s = table.loc[table["target"] == t]
        obs.append(100 * s["observed"].mean())
        sim.append(100 * s["simulated"].mean())
        lo.append(100 * s["lower"].mean())
        hi.append(100 * s["upper"].mean())
    x = np.arange(len(targets))
    ax.bar(x - 0.2, obs, width=0.4, color="0.3", label="observed (GPAD)")
    sim_a = np.asarray(sim)
    err = np.vstack([np.maximum(sim_a - lo, 0), np.maximum(np.asarray(hi) - sim_a, 0)])
    ax.bar(x + 0.2, sim, width=0.4, color=_SIM, yerr=err, capsize=2, label="simulated (95% range)")
    ax.set_xticks(x, labels, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("% of appointments (mean of months)")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, axis="y")


def plot_period(table: pd.DataFrame, period: str, path: str | Path, *, title: str) -> Path:
    """Six panels for one period of the fit table (``fit``, ``holdout`` or ``transfer:<STP>``).

    Monthly attended appointments per 1,000 patients, GP share and DNA share (observed against
    the simulated mean and its 2.5-97.5% range over replications); booking-interval and mode
    shares averaged over the period's months; and each month's booking-interval error in
    percentage points against the 3-point acceptance band.
    """
    t = table.loc[table["period"] == period]
    fig, axes = plt.subplots(2, 3, figsize=(16, 9))
    _line(axes[0, 0], t, "attended_per_1000", 1.0,
          "Attended appointments per 1,000 registered patients", "appointments per 1,000 a month")
    _line(axes[0, 1], t, "gp_share", 100.0, "GP share of appointments (known HCP type)",
          "% of appointments")
    _line(axes[0, 2], t, "dna_share", 100.0, "Did not attend (DNA / attended + DNA)",
          "% of appointments")
    axes[0, 0].legend(fontsize=8)
    _bars(axes[1, 0], t, [f"wait_bin:{b}" for b in WAIT_BINS], [" ".join(b.split()) for b in WAIT_BINS],
          "Time from booking to appointment")
    _bars(axes[1, 1], t, [f"mode:{m}" for m in MODE_LABELS.values()], list(MODE_LABELS.values()),
          "Appointment mode")
    axes[1, 0].legend(fontsize=8)
    ax = axes[1, 2]
    months = sorted(t["month"].unique())
    x = np.arange(len(months))
    for b in WAIT_BINS:
        s = t.loc[t["target"] == f"wait_bin:{b}"].set_index("month").reindex(months)
        ax.plot(x, 100 * s["error"], marker=".", label=" ".join(b.split()))
    ax.axhspan(-3, 3, color="green", alpha=0.1, label="within 3 points")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, months, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("simulated - observed, percentage points")
    ax.set_title("Booking-interval error by month", fontsize=10)
    ax.legend(fontsize=7, ncol=2)
    ax.grid(alpha=0.3)
    return _save(fig, title, path)


def _save(fig: plt.Figure, title: str, path: str | Path) -> Path:
    """Title, lay out, write and close a figure; return where it went."""
    fig.suptitle(title, fontsize=12)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_transfer(table: pd.DataFrame, path: str | Path, *, title: str) -> Path:
    """Attended appointments per 1,000 for each transfer area: observed against simulated."""
    periods = [p for p in table["period"].unique() if str(p).startswith("transfer:")]
    fig, axes = plt.subplots(1, max(1, len(periods)), figsize=(5.5 * max(1, len(periods)), 4.5),
                             squeeze=False)
    for ax, period in zip(axes[0], periods, strict=False):
        t = table.loc[table["period"] == period]
        _line(ax, t, "attended_per_1000", 1.0, period.split(":", 1)[1],
              "attended appointments per 1,000 a month")
    axes[0, 0].legend(fontsize=8)
    return _save(fig, title, path)
