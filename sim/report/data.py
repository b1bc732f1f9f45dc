"""The report's data: a ``gpsim run`` or ``gpsim compare`` folder read into one shape, :class:`ReportData`."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import TypeAdapter

from sim.config.interventions import Intervention
from sim.model.interventions import describe
from sim.results.intervals import clip_interval
from sim.results.outcomes import find


class ReportError(ValueError):
    """The folder is not one ``gpsim run`` or ``gpsim compare`` wrote (or is incomplete)."""


@dataclass
class ScenarioInfo:
    """One scenario of the report: its label, plain words and resolved configuration."""

    label: str
    name: str
    description: str
    interventions: list[str]
    file: str | None
    sha256: str | None
    list_size: int
    horizon_days: int
    start_date: dt.date
    config: dict[str, Any] | None


@dataclass
class ReportData:
    """Everything a report needs, the same shape for a run folder and a comparison folder."""

    folder: Path
    kind: str  # "run" or "comparison"
    manifest: dict[str, Any]
    scenarios: list[ScenarioInfo]
    comparison: pd.DataFrame  # comparison.csv columns (a run: n_reps 1, no intervals, zero differences)
    replications: pd.DataFrame  # summary rows + scenario, replication
    series: pd.DataFrame  # tidy per-period outcomes + scenario, replication
    period: str  # "month" or "week"
    staff: dict[tuple[str, int], pd.DataFrame] = field(default_factory=dict)
    events: pd.DataFrame = field(default_factory=pd.DataFrame)
    n_reps: int = 1
    staff_month: pd.DataFrame = field(default_factory=pd.DataFrame)  # monthly staff tables + scenario, replication

    @property
    def order(self) -> list[str]:
        """Scenario labels, the reference first."""
        return [s.label for s in self.scenarios]

    @property
    def reference(self) -> str:
        """The scenario every other is compared with."""
        return self.scenarios[0].label


def folder_kind(folder: Path) -> str:
    """'comparison' or 'run'; ReportError if the folder is neither."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ReportError(f"{folder} is not a folder")
    manifest = folder / "manifest.json"
    if manifest.is_file():
        try:
            m = json.loads(manifest.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ReportError(f"{manifest} is not valid JSON: {exc}") from None
        if m.get("kind") == "comparison" and (folder / "comparison.csv").is_file():
            return "comparison"
        if "resolved_config" in m and (folder / "summary.csv").is_file():
            return "run"
    raise ReportError(f"{folder} is neither a run folder (manifest.json and summary.csv from 'gpsim run') nor "
                      f"a comparison folder (manifest.json and comparison.csv from 'gpsim compare')")


def _interventions_in_words(config: dict[str, Any]) -> list[str]:
    adapter = TypeAdapter(Intervention)
    return [describe(adapter.validate_python(iv)) for iv in config.get("interventions") or []]


def _date(text: Any) -> dt.date:
    return text if isinstance(text, dt.date) else dt.date.fromisoformat(str(text))


def clip_to_range(comparison: pd.DataFrame) -> pd.DataFrame:
    """The comparison with each outcome's 95% interval clipped to its possible range (registry bounds).

    Differences keep their intervals: a difference can be negative even where the outcome cannot.
    """
    out = comparison.copy()
    if out.empty or "ci_low" not in out:
        return out
    for metric, idx in out.groupby("metric").groups.items():
        o = find(str(metric))
        if o is None:
            continue
        lo, hi = clip_interval(out.loc[idx, "ci_low"], out.loc[idx, "ci_high"], o.bounds)
        out.loc[idx, "ci_low"], out.loc[idx, "ci_high"] = lo, hi
    return out


def load_run(folder: Path) -> ReportData:
    """A run folder as a one-scenario report."""
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    cfg = m["resolved_config"]
    label = str(m.get("scenario") or cfg.get("name"))
    summary = pd.read_csv(folder / "summary.csv")
    info = ScenarioInfo(label=label, name=cfg.get("name", label), description=cfg.get("description", ""),
                        interventions=_interventions_in_words(cfg), file=m.get("scenario_file"),
                        sha256=m.get("scenario_sha256"),
                        list_size=int(summary.loc[(summary["level"] == "lgpo") & (summary["metric"] == "list_size"),
                                                  "value"].sum()),
                        horizon_days=int(m.get("horizon_days", cfg.get("horizon_days"))),
                        start_date=_date(m.get("start_date", cfg.get("start_date"))), config=cfg)
    comparison = summary.assign(scenario=label, n_reps=1, mean=summary["value"], ci_low=float("nan"),
                                ci_high=float("nan"), diff_mean=0.0, diff_ci_low=float("nan"),
                                diff_ci_high=float("nan"), diff_significant=False).drop(columns=["value"])
    comparison["units"] = comparison["units"].fillna("")
    rep = int(m.get("replication", 0))
    period = "week" if (folder / "weekly.parquet").is_file() else "month"
    series_file = folder / ("weekly.parquet" if period == "week" else "monthly.parquet")
    series = pd.read_parquet(series_file).assign(scenario=label, replication=rep) if series_file.is_file() \
        else pd.DataFrame(columns=["date", "level", "unit", "metric", "value", "scenario", "replication"])
    staff = {(label, rep): pd.read_parquet(folder / "staff.parquet")} if (folder / "staff.parquet").is_file() else {}
    events = _read_events(folder / "events.csv").assign(scenario=label, replication=rep)
    staff_month = pd.read_csv(folder / "staff_by_month.csv").assign(scenario=label, replication=rep) \
        if (folder / "staff_by_month.csv").is_file() else pd.DataFrame()
    return ReportData(folder=folder, kind="run", manifest=m, scenarios=[info], comparison=comparison,
                      replications=summary.assign(scenario=label, replication=rep), series=series,
                      period=period, staff=staff, events=events, n_reps=1, staff_month=staff_month)


def _read_events(path: Path) -> pd.DataFrame:
    cols = ["day", "staff", "role", "unit", "event", "fte"]
    if not path.is_file():
        return pd.DataFrame(columns=cols)
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        return pd.DataFrame(columns=cols)


def load_comparison(folder: Path) -> ReportData:
    """A comparison folder: comparison.csv, the long tables, and each replication's staff and config."""
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    comparison = clip_to_range(pd.read_csv(folder / "comparison.csv"))
    comparison["units"] = comparison["units"].fillna("")
    scenarios = []
    staff: dict[tuple[str, int], pd.DataFrame] = {}
    for s in m["scenarios"]:
        label = s["label"]
        config = None
        for rep_dir in sorted((folder / label).glob("rep-*")):
            try:
                rep = int(rep_dir.name.split("-", 1)[1])
            except ValueError:
                continue
            if config is None and (rep_dir / "manifest.json").is_file():
                config = json.loads((rep_dir / "manifest.json").read_text(encoding="utf-8")).get("resolved_config")
            if (rep_dir / "staff.parquet").is_file():
                staff[(label, rep)] = pd.read_parquet(rep_dir / "staff.parquet")
        scenarios.append(ScenarioInfo(label=label, name=s.get("name", label), description=s.get("description", ""),
                                      interventions=list(s.get("interventions", [])), file=s.get("file"),
                                      sha256=s.get("sha256"), list_size=int(s.get("list_size", 0)),
                                      horizon_days=int(s["horizon_days"]), start_date=_date(s["start_date"]),
                                      config=config))
    reps_file, monthly_file = folder / "replications.parquet", folder / "monthly.parquet"
    replications = pd.read_parquet(reps_file) if reps_file.is_file() else pd.DataFrame(
        columns=["level", "unit", "metric", "value", "units", "scenario", "replication"])
    series = pd.read_parquet(monthly_file) if monthly_file.is_file() else pd.DataFrame(
        columns=["date", "level", "unit", "metric", "value", "scenario", "replication"])
    n_reps = int(comparison["n_reps"].max()) if len(comparison) else int(m.get("replications", 1))
    month_file = folder / "staff_by_month.parquet"
    staff_month = pd.read_parquet(month_file) if month_file.is_file() else pd.DataFrame()
    return ReportData(folder=folder, kind="comparison", manifest=m, scenarios=scenarios, comparison=comparison,
                      replications=replications, series=series, period="month", staff=staff,
                      events=_read_events(folder / "events.csv"), n_reps=n_reps, staff_month=staff_month)


def load(folder: str | Path) -> ReportData:
    """Read a run or comparison folder into a :class:`ReportData`."""
    folder = Path(folder)
    kind = folder_kind(folder)
    try:
        return load_comparison(folder) if kind == "comparison" else load_run(folder)
    except (OSError, KeyError, ValueError) as exc:
        raise ReportError(f"{folder}: cannot read the {kind} outputs ({type(exc).__name__}: {exc})") from None
