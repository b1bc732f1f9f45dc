"""The Solara web app behind ``gpsim dashboard``: move a lever and watch (run with ``solara run``).

The page holds one :class:`~sim.dashboard.state.Controller` per browser session. Stepping runs in
the event handler (a day takes milliseconds); playing and rebuilding after a control change run in
worker threads, and the page redraws from the controller's published snapshots. The charts are
ECharts options (small dicts) that the browser draws, so a simulated day costs the server little.

Plain Solara components are used rather than Mesa's ``SolaraViz``: the split view steps two
models in lockstep and a control change rebuilds and replays both, which SolaraViz's one-model
controller does not do.

Environment: ``GPSIM_DASHBOARD_SCENARIO`` (scenario file, default ``scenarios/small.yaml``) and
``GPSIM_DASHBOARD_REPLICATION`` (default 0), set by ``gpsim dashboard``.
"""

from __future__ import annotations

import dataclasses
import math
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import solara

from sim.dashboard import REPLICATION_ENV, SCENARIO_ENV, charts
from sim.dashboard.controls import MAX_HUB_SESSIONS, Side, hub_hours
from sim.dashboard.state import ROLLING_DAYS, Controller, View
from sim.resources import scenario
from sim.results.outcomes import outcome

DEFAULT_SCENARIO = scenario("small.yaml")  # scenarios/small.yaml, or its copy in an installed wheel
MAX_SPEED = 30  # simulated days a second
TICK_SECONDS = 0.25

CSS = """
.gpsim-table { border-collapse: collapse; font-size: 14px; width: 100%; }
.gpsim-table th, .gpsim-table td { padding: 4px 10px; border-bottom: 1px solid #e0e0e0; text-align: right; }
.gpsim-table th:first-child, .gpsim-table td:first-child { text-align: left; }
.gpsim-day { font-size: 18px; font-weight: 600; }
.gpsim-note { color: #555; font-size: 13px; }
.gpsim-lever-label { font-size: 13px; color: #333; margin-top: 6px; }
.gpsim-control-speed .v-input, [class*="gpsim-control-"] .v-input { margin-top: 0; }
.gpsim-control-speed .v-messages, [class*="gpsim-control-"] .v-messages { display: none; }
"""


def scenario_path() -> Path:
    """The scenario file the dashboard runs."""
    return Path(os.environ.get(SCENARIO_ENV) or DEFAULT_SCENARIO)


def make_controller() -> Controller:
    """A controller over the configured scenario (merged ``extends`` chain, controls at their defaults)."""
    from sim.config.loading import load_raw

    path = scenario_path()
    base, _ = load_raw(path)
    return Controller(base, str(path), replication=int(os.environ.get(REPLICATION_ENV, "0")))


def _fmt(value: float, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


def _signed(value: float, digits: int = 0) -> str:
    """A difference with its sign; 0 when it rounds to nothing."""
    if value is None or math.isnan(value):
        return "–"
    if round(value, digits) == 0:
        return "0"
    return ("+" if value > 0 else "−") + _fmt(abs(value), digits)


def _registered(attr: str, when: str = "") -> tuple[str, str, int, bool]:
    """A headline row for a summary outcome, labelled and formatted as the outcome registry says."""
    o = outcome(attr)
    return attr, f"{o.label}{when} ({o.unit})", o.decimals, o.better == "lower"


HEADLINES: tuple[tuple[str, str, int, bool], ...] = (
    # (snapshot attribute, label, decimals, lower is better); live-only measures are labelled here
    ("waiting_list", "Waiting list (booked, not yet seen)", 0, True),
    _registered("unmet_per_1000_year", " so far"),
    _registered("mean_wait_days"),
    ("continuity_pct", "Continuity: LTC patients seeing their usual GP, %", 1, False),
    ("gp_admin_hours_per_fte_week", f"GP admin hours per GP FTE a week (last {ROLLING_DAYS} days)", 1, True),
    ("gp_fte", "GP FTE in post", 1, False),
)


@solara.component
def Lever(label: str, name: str, value: float, lo: float, hi: float, step: float,  # noqa: N802
          on_value: Callable[[float], None]) -> None:
    """A slider with its value in the label above it (class ``gpsim-control-NAME`` for tests)."""
    with solara.Column(gap="0px", classes=[f"gpsim-control-{name}"]):
        solara.Text(label, classes=["gpsim-lever-label"])
        if isinstance(step, int) and isinstance(value, int):
            solara.SliderInt("", value=value, min=int(lo), max=int(hi), step=step, on_value=on_value,
                             thumb_label=False)
        else:
            solara.SliderFloat("", value=float(value), min=lo, max=hi, step=step, on_value=on_value,
                               thumb_label=False)


@solara.component
def Headlines(view: View, labels: dict[Side, str]) -> None:  # noqa: N802 (Solara components are CapWords)
    """The headline numbers of each side, with the difference in the split view."""
    sides = list(view.history)
    head = "".join(f"<th>{labels[s]}</th>" for s in sides)
    if len(sides) == 2:
        head += "<th>Difference (collaborating − standalone)</th>"
    rows = []
    for attr, label, digits, _lower_better in HEADLINES:
        values = [getattr(view.latest(s), attr) for s in sides]
        cells = "".join(f'<td class="gpsim-{attr.replace("_", "-")}-{s}">{_fmt(v, digits)}</td>'
                        for s, v in zip(sides, values, strict=True))
        if len(sides) == 2:
            cells += f"<td>{_signed(values[1] - values[0], digits)}</td>"
        rows.append(f"<tr><td>{label}</td>{cells}</tr>")
    solara.HTML(tag="table", unsafe_innerHTML=f"<thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody>",
                classes=["gpsim-table"])


def _chart(option: dict, name: str, height: int) -> None:
    with solara.Column(classes=[f"gpsim-chart-{name}"]):
        solara.FigureEcharts(option=option, attributes={"style": f"height: {height}px; width: 100%;"},
                             responsive=True)


@solara.component
def Charts(view: View, labels: dict[Side, str]) -> None:  # noqa: N802 (Solara components are CapWords)
    """Every chart and the picture of the area (drawn by the browser from small option dicts)."""
    latest = {s: view.latest(s) for s in view.history}
    collaborating = view.controls.pooled_hub or view.controls.pooled_cover or view.controls.pooled_back_office
    with solara.Columns([1] * len(latest)):
        for side, snap in latest.items():
            _chart(charts.area(snap, labels[side], collaborating=side == "collaborating" and collaborating),
                   f"area-{side}", 330)
    series = charts.time_series(view.history, labels)
    with solara.Columns([1, 1]):
        _chart(series["waiting"], "waiting", 250)
        _chart(series["unmet"], "unmet", 250)
    with solara.Columns([1, 1]):
        _chart(series["admin"], "admin", 250)
        _chart(series["continuity"], "continuity", 250)
    with solara.Columns([1, 1, 1]):
        _chart(charts.wait_distribution(latest, labels), "waits", 270)
        _chart(charts.utilisation(latest, labels), "utilisation", 270)
        _chart(charts.overtime(latest, labels), "overtime", 270)


@solara.component
def Page() -> None:  # noqa: N802
    """The dashboard page."""
    controller = solara.use_memo(make_controller, [])
    version = solara.use_reactive(0)  # bumped whenever the controller publishes something new
    controls = solara.use_reactive(controller.controls)
    split = solara.use_reactive(controller.split)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(5)
    job = solara.use_reactive(("none", 0))  # ("configure" | "reset", counter): rebuilds in a thread
    error = solara.use_reactive("")

    def bump() -> None:
        version.set(version.value + 1)

    def run_job(cancel: threading.Event) -> None:
        kind, _ = job.value
        if kind == "none":
            return
        error.set("")
        try:
            if kind == "reset":
                with controller.lock:
                    controller.controls, controller.split = controls.value, split.value
                    controller.reset()
            elif kind == "configure":
                controller.configure(controls.value, split.value,
                                     progress=lambda done, total: bump() if done % 14 == 0 else None)
        except Exception as exc:  # show it on the page rather than losing it in a thread
            error.set(f"{type(exc).__name__}: {exc}")
        bump()

    job_result = solara.use_thread(run_job, dependencies=[job.value], intrusive_cancel=False)
    busy = job.value[0] != "none" and job_result.state == solara.ResultState.RUNNING

    def play_loop(cancel: threading.Event) -> None:
        while playing.value and not cancel.is_set():
            started = time.monotonic()
            per_tick = max(1, round(speed.value * TICK_SECONDS))
            tick = per_tick / max(1, speed.value)
            if controller.step(per_tick) == 0:
                playing.set(False)
            bump()
            cancel.wait(max(0.0, tick - (time.monotonic() - started)))

    solara.use_thread(play_loop, dependencies=[playing.value], intrusive_cancel=False)

    def set_control(name: str, value) -> None:
        new = dataclasses.replace(controls.value, **{name: value})
        if new != controls.value:
            controls.set(new)
            job.set(("configure", job.value[1] + 1))

    def set_split(value: bool) -> None:
        split.set(value)
        job.set(("configure", job.value[1] + 1))

    def step(days: int) -> None:
        controller.step(days)
        bump()

    def reset() -> None:
        playing.set(False)
        job.set(("reset", job.value[1] + 1))

    _ = version.value  # read, so that every bump redraws the page
    view = controller.published
    labels = {s: charts.side_label(s, view.controls, view.split) for s in view.history}
    c = controls.value

    solara.Title("gpsim: collaboration trade-offs")
    solara.Style(CSS)
    solara.AppBarTitle("gpsim: collaboration trade-offs you can play with")
    with solara.Sidebar():
        with solara.Card("Run", margin=0):
            with solara.Row():
                solara.Button("Pause" if playing.value else "Play", color="primary",
                              on_click=lambda: playing.set(not playing.value),
                              disabled=busy or view.finished, classes=["gpsim-play"])
                solara.Button("Step", on_click=lambda: step(1), disabled=busy or playing.value,
                              classes=["gpsim-step"])
                solara.Button("Week", on_click=lambda: step(7), disabled=busy or playing.value,
                              classes=["gpsim-step-week"])
                solara.Button("Reset", on_click=reset, disabled=busy, classes=["gpsim-reset"])
            Lever(f"Speed: {speed.value} simulated days a second", "speed", speed.value, 1, MAX_SPEED, 1,
                  lambda v: speed.set(int(v)))
            solara.Switch(label="Split view: standalone beside collaborating", value=split.value,
                          on_value=set_split, classes=["gpsim-split"])
        with solara.Card("Workforce and demand (both sides)", margin=0):
            Lever(f"GP retirements: {c.gp_retirement_pct:g}% of GPs aged 55+", "retirement",
                  int(c.gp_retirement_pct), 0, 100, 5, lambda v: set_control("gp_retirement_pct", float(v)))
            Lever(f"... retiring over {c.retirement_months} months", "retirement-months",
                  c.retirement_months, 1, 12, 1, lambda v: set_control("retirement_months", int(v)))
            Lever(f"Pharmacists added: {c.pharmacists_per_10k:.1f} FTE per 10,000", "pharmacists",
                  c.pharmacists_per_10k, 0, 5, 0.5, lambda v: set_control("pharmacists_per_10k", float(v)))
            Lever(f"Paramedics and PAs added: {c.other_roles_per_10k:.1f} FTE per 10,000", "other-roles",
                  c.other_roles_per_10k, 0, 5, 0.5, lambda v: set_control("other_roles_per_10k", float(v)))
            Lever(f"PCN hub: {c.hub_sessions} sessions a week ({hub_hours(c.hub_sessions):g} GP hours)", "hub",
                  c.hub_sessions, 0, MAX_HUB_SESSIONS, 1, lambda v: set_control("hub_sessions", int(v)))
            Lever(f"Demand growth: {c.demand_growth_pct:g}% a year", "demand-growth",
                  int(c.demand_growth_pct), 0, 20, 1, lambda v: set_control("demand_growth_pct", float(v)))
            solara.Switch(label="Micro-teams: named GP for LTC patients", value=c.micro_teams,
                          on_value=lambda v: set_control("micro_teams", v), classes=["gpsim-micro-teams"])
        with solara.Card("Collaboration levers", margin=0):
            solara.Text("The collaborating side's; the standalone side has them all off.", classes=["gpsim-note"])
            solara.Switch(label="One pooled PCN hub (else its hours split by practice)", value=c.pooled_hub,
                          on_value=lambda v: set_control("pooled_hub", v), classes=["gpsim-pooled-hub"])
            solara.Switch(label="Sickness and leave cover held by the PCN (else each practice)",
                          value=c.pooled_cover, on_value=lambda v: set_control("pooled_cover", v),
                          classes=["gpsim-pooled-cover"])
            solara.Switch(label="Pooled back office", value=c.pooled_back_office,
                          on_value=lambda v: set_control("pooled_back_office", v),
                          classes=["gpsim-back-office"])
            solara.Text("Changing a control rebuilds the models and replays them to today, with the same "
                        "demand: what the area would look like had it always been so.", classes=["gpsim-note"])
    with solara.Column():
        date = view.latest(next(iter(view.history))).date
        solara.Text(f"Day {view.day} of {view.horizon} · {date:%a %d %b %Y}"
                    + (" · end of the scenario" if view.finished else ""), classes=["gpsim-day"])
        if busy:
            solara.ProgressLinear(True)
            solara.Text("Rebuilding with the new controls and replaying…", classes=["gpsim-note", "gpsim-busy"])
        if error.value:
            solara.Error(error.value)
        if view.split:
            solara.Text("Same patients, same demand on both sides (same seed and replication): "
                        "the difference is collaboration alone.", classes=["gpsim-note"])
        Headlines(view, labels)
        Charts(view, labels)
