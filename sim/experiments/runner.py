"""Pure run functions: ``run_single(scenario, replication) -> RunResult``; the CLI is a thin shell."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.config.scenario import Scenario
from sim.model.interventions import attach
from sim.model.model import GPSimModel
from sim.results.closure_outcomes import closures_frame
from sim.results.files import package_versions, write_csv, write_json, write_parquet
from sim.results.ledger_codes import LedgerCodes, ledger_codes
from sim.results.metrics import Organisation
from sim.results.outcomes import by_level
from sim.results.period_tables import period_table
from sim.results.rundir import clean_stale_tmp
from sim.results.staff_month import staff_by_month
from sim.results.summary import patient_continuity, summarise
from sim.results.summary_costs import cost_summary
from sim.results.summary_destination_groups import destination_group_summary
from sim.results.summary_destinations import destination_summary
from sim.results.summary_equity import equity_summary
from sim.results.summary_extra import extra_summary
from sim.results.tables import events_frame, ledger_frame, staff_days_frame, staff_frame


@dataclass
class RunResult:
    """Everything one replication produced, as tidy tables."""

    scenario: Scenario
    replication: int
    ledger: pd.DataFrame
    staff: pd.DataFrame
    staff_days: pd.DataFrame
    org: Organisation
    summary: pd.DataFrame
    events: pd.DataFrame = field(default_factory=pd.DataFrame)
    staff_month: pd.DataFrame = field(default_factory=pd.DataFrame)  # monthly staff table (all levels)
    closures: pd.DataFrame = field(default_factory=pd.DataFrame)  # closed practices and where their lists went
    timings: dict[str, float] = field(default_factory=dict)

    def tidy(self, period: str = "day", codes: LedgerCodes | None = None) -> pd.DataFrame:
        """Outcomes per period ('day', 'week', 'month') and unit: date, level, unit, metric, value.

        ``codes``: the ledger's :func:`~sim.results.ledger_codes.ledger_codes`, when made already.
        """
        return period_table(self.ledger, self.staff_days, self.staff, self.org, period, codes)

    def headline(self, level: str = "lgpo") -> dict[str, float]:
        """Metric -> value for the top-level unit (or every unit of ``level`` summed by metric name)."""
        s = self.summary[self.summary["level"] == level]
        return dict(zip(s["metric"], s["value"], strict=True))


def role_kinds(staff: pd.DataFrame) -> dict[str, str]:
    """Role -> kind (gp, nurse ...) of the roles in a staff table."""
    return {str(r): str(k) for r, k in zip(staff["role"], staff["kind"], strict=True)}


def build_model(scenario: Scenario, replication: int = 0) -> GPSimModel:
    """The model for one replication, with the scenario's interventions attached."""
    return attach(scenario, replication)


def summarise_model(model: GPSimModel, scenario: Scenario, replication: int = 0) -> RunResult:
    """The tables and summary of a finished model (everything a replication does after simulating)."""
    result = RunResult(scenario=scenario, replication=replication, ledger=ledger_frame(model),
                       staff=staff_frame(model), staff_days=staff_days_frame(model),
                       org=Organisation.from_model(model), summary=pd.DataFrame(), events=events_frame(model),
                       staff_month=staff_by_month(model), closures=closures_frame(model))
    kinds = role_kinds(result.staff)
    codes = ledger_codes(result.ledger)  # the ledger's columns as integer arrays, once for every summary
    upc = patient_continuity(result.ledger, kinds, codes)  # continuity once, for the summary and the equity rows
    result.summary = by_level(pd.concat([summarise(result.ledger, result.staff, result.staff_days, result.org, upc,
                                                   codes),
                                       destination_summary(result.ledger, result.org, codes),
                                       extra_summary(model), cost_summary(model, result.staff, result.ledger,
                                                                          codes=codes),
                                       equity_summary(model, result.ledger, kinds, upc, codes),
                                       destination_group_summary(model, result.ledger, result.org, codes)],
                                      ignore_index=True))
    return result


def run_single(scenario: Scenario, replication: int = 0,
               progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Simulate one replication of ``scenario`` and return its tables."""
    t0 = dt.datetime.now()
    model = build_model(scenario, replication)
    t1 = dt.datetime.now()
    model.run(progress)
    t2 = dt.datetime.now()
    result = summarise_model(model, scenario, replication)
    t3 = dt.datetime.now()
    result.timings = {"build_s": (t1 - t0).total_seconds(), "simulate_s": (t2 - t1).total_seconds(),
                      "summarise_s": (t3 - t2).total_seconds(), "requests": float(len(result.ledger))}
    return result


PERIOD_FILES = {"day": "daily", "week": "weekly", "month": "monthly"}


def write_run(result: RunResult, out: str | Path, *, scenario_file: str | Path | None = None,
              scenario_sha256: str | None = None, started: dt.datetime | None = None,
              ended: dt.datetime | None = None, ledger: bool = True,
              periods: tuple[str, ...] = ("day", "week", "month")) -> dict[str, Path]:
    """Write summary.csv, the period tables, ledger, staff, events, staff_by_month.csv and manifest.json."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    clean_stale_tmp(out)  # .*.tmp files a killed earlier write left here
    paths = {"summary": write_csv(result.summary, out / "summary.csv")}
    codes = ledger_codes(result.ledger) if periods else None  # once for the three period tables
    for period in periods:
        name = PERIOD_FILES[period]
        paths[name] = write_parquet(result.tidy(period, codes), out / f"{name}.parquet")
    paths["events"] = write_csv(result.events, out / "events.csv")
    if result.scenario.workforce.closures.enabled:  # practice closures on: which closed, when, lists to whom
        paths["closures"] = write_csv(result.closures, out / "closures.csv")
    if ledger:
        paths["ledger"] = write_parquet(result.ledger, out / "ledger.parquet")
    paths["staff"] = write_parquet(result.staff, out / "staff.parquet")
    paths["staff_by_month"] = write_csv(result.staff_month, out / "staff_by_month.csv")
    manifest = {
        "scenario": result.scenario.name,
        "scenario_file": str(scenario_file) if scenario_file else None,
        "scenario_sha256": scenario_sha256,
        "seed": result.scenario.seed,
        "replication": result.replication,
        "horizon_days": result.scenario.horizon_days,
        "start_date": result.scenario.start_date.isoformat(),
        "started": started.isoformat(timespec="seconds") if started else None,
        "ended": ended.isoformat(timespec="seconds") if ended else None,
        "timings": result.timings,
        "packages": package_versions(),
        "files": sorted(p.name for p in paths.values()),
        "resolved_config": result.scenario.model_dump(mode="json"),
    }
    paths["manifest"] = write_json(manifest, out / "manifest.json")
    return paths
