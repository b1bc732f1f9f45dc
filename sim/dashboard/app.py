"""The Solara web app behind ``gpsim dashboard``: move a lever and watch (run with ``solara run``).

The page holds one :class:`~sim.dashboard.controller.Controller` per browser session: both sides
(standalone and collaborating), each as several replications stepped together, drawn as means with
95% bands. Stepping runs in the event handler; playing, and rebuilding after a change of control,
replications or scenario, run in worker threads, and the page redraws from the controller's
published view. The charts are ECharts options (small dicts) that the browser draws, so a
simulated day costs the server little beyond the models themselves. The comparison downloads as
CSV (every number with its interval) and PNG (the time series).

Plain Solara components are used rather than Mesa's ``SolaraViz``: the split view steps several
models in lockstep and a control change rebuilds and replays them all, which SolaraViz's
one-model controller does not do.

Environment (set by ``gpsim dashboard``): ``GPSIM_DASHBOARD_SCENARIO`` (starting scenario file,
default ``scenarios/small.yaml``), ``GPSIM_DASHBOARD_REPLICATION`` (first replication, default 0)
and ``GPSIM_DASHBOARD_REPLICATIONS`` (replications per side to start with, default 5).
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

from sim.config.loading import load_raw
from sim.dashboard import REPLICATION_ENV, REPLICATIONS_ENV, SCENARIO_ENV, charts
from sim.dashboard.about import ABOUT
from sim.dashboard.controller import DEFAULT_REPLICATIONS, MAX_REPLICATIONS, Controller, View
from sim.dashboard.controls import MAX_HUB_SESSIONS, Side, controls_from, hub_hours
from sim.dashboard.export import (
    DIFFERENCE,
    HEADLINES,
    comparison_csv,
    comparison_png,
    filename,
    fmt_band,
    headline_bands,
)
from sim.dashboard.front_door_panel import front_door_panel
from sim.resources import scenario, scenarios_dir

DEFAULT_SCENARIO = scenario("small.yaml")  # scenarios/small.yaml, or its copy in an installed wheel
MAX_SPEED = 30  # simulated days a second
TICK_SECONDS = 0.25

CSS = """
.gpsim-table { border-collapse: collapse; font-size: 14px; width: 100%; }
.gpsim-table th, .gpsim-table td { padding: 4px 10px; border-bottom: 1px solid #e0e0e0; text-align: right; }
.gpsim-table th:first-child, .gpsim-table td:first-child { text-align: left; }
.gpsim-day { font-size: 18px; font-weight: 600; }
.gpsim-note { color: #555; font-size: 13px; }
.gpsim-ci { color: #777; font-size: 11px; }
.gpsim-about { font-size: 14px; max-width: 980px; }
.gpsim-lever-label { font-size: 13px; color: #333; margin-top: 6px; }
.gpsim-control-speed .v-input, [class*="gpsim-control-"] .v-input { margin-top: 0; }
.gpsim-control-speed .v-messages, [class*="gpsim-control-"] .v-messages { display: none; }
"""


def scenario_path() -> Path:
    """The scenario file the dashboard starts with."""
    return Path(os.environ.get(SCENARIO_ENV) or DEFAULT_SCENARIO)


def scenario_choices(start: Path) -> dict[str, Path]:
    """Scenarios offered in the app: the library's files by name, and the starting file if it is elsewhere."""
    choices = {p.name: p for p in sorted(scenarios_dir().glob("*.yaml"))}
    if start.resolve() not in {p.resolve() for p in choices.values()}:
        choices = {str(start): start, **choices}
    return choices


def choice_of(path: Path, choices: dict[str, Path]) -> str:
    """The name under which ``path`` is offered."""
    return next(name for name, p in choices.items() if p.resolve() == path.resolve())


def load_base(path: Path) -> dict:
    """A scenario file's mapping with its ``extends`` chain merged (controls not yet applied)."""
    base, _ = load_raw(path)
    return base


def make_controller() -> Controller:
    """A controller over the starting scenario (levers as its interventions set them; DEFAULT_REPLICATIONS unless set)."""
    path = scenario_path()
    base = load_base(path)
    return Controller(base, str(path), controls_from(base)[0], replication=int(os.environ.get(REPLICATION_ENV, "0")),
                      replications=int(os.environ.get(REPLICATIONS_ENV) or DEFAULT_REPLICATIONS))


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
    """The headline numbers of each side (mean and 95% interval), with the paired difference in the split view."""
    sides = list(view.history)
    head = "".join(f"<th>{labels[s]}</th>" for s in sides)
    if len(sides) == 2:
        head += "<th>Difference (collaborating − standalone)</th>"
    bands = headline_bands(view)
    rows = []
    for h in HEADLINES:
        cells = ""
        for s in sides:
            mean, interval = fmt_band(bands[h.attr][s], h.decimals)
            cells += (f'<td><span class="gpsim-{h.attr.replace("_", "-")}-{s}">{mean}</span>'
                      f'<div class="gpsim-ci">{interval}</div></td>')
        if len(sides) == 2:
            d = bands[h.attr][DIFFERENCE]
            interval = fmt_band(d, h.decimals)[1]
            cells += f'<td>{_signed(d.mean, h.decimals)}<div class="gpsim-ci">{interval}</div></td>'
        rows.append(f'<tr><td>{h.label}<div class="gpsim-ci">{h.unit}</div></td>{cells}</tr>')
    solara.HTML(tag="table", unsafe_innerHTML=f"<thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody>",
                classes=["gpsim-table"])
    reps = view.replications
    solara.Text(f"Each number is the mean of {reps} replications with its 95% interval below it"
                + (" (differences are paired: each replication's two sides share the same demand)." if len(sides) == 2
                   else ".") if reps > 1 else "One replication: no intervals (choose 2 or more for them).",
                classes=["gpsim-note"])


@solara.component
def FrontDoor(view: View, labels: dict[Side, str]) -> None:  # noqa: N802 (Solara components are CapWords)
    """The front door's numbers (only when the scenario has one): time to answer, abandoned, first attempt."""
    rows = front_door_panel(view)
    if not rows:
        return
    sides = list(view.history)
    head = "".join(f"<th>{labels[s]}</th>" for s in sides)
    body = []
    for r in rows:
        cells = ""
        for s in sides:
            mean, interval = fmt_band(r.bands[s], r.decimals)
            cells += (f'<td><span class="gpsim-{r.attr.replace("_", "-")}-{s}">{mean}</span>'
                      f'<div class="gpsim-ci">{interval}</div></td>')
        body.append(f'<tr><td>{r.label}<div class="gpsim-ci">{r.unit}</div></td>{cells}</tr>')
    with solara.Card("The front door (reporting days so far)", margin=0):
        solara.HTML(tag="table", unsafe_innerHTML=f"<thead><tr><th></th>{head}</tr></thead><tbody>{''.join(body)}</tbody>",
                    classes=["gpsim-table", "gpsim-front-door"])


def _chart(option: dict, name: str, height: int) -> None:
    with solara.Column(classes=[f"gpsim-chart-{name}"]):
        solara.FigureEcharts(option=option, attributes={"style": f"height: {height}px; width: 100%;"},
                             responsive=True)


@solara.component
def Charts(view: View, labels: dict[Side, str]) -> None:  # noqa: N802 (Solara components are CapWords)
    """Every chart and the picture of the area (drawn by the browser from small option dicts)."""
    current = view.current
    collaborating = view.controls.pooled_hub or view.controls.pooled_cover or view.controls.pooled_back_office
    height = 330 + 140 * (charts.area_rows(next(iter(current.values()))) - 1)  # room for the names of big areas
    with solara.Columns([1] * len(current)):
        for side, snaps in current.items():
            _chart(charts.area(snaps, labels[side], collaborating=side == "collaborating" and collaborating),
                   f"area-{side}", height)
    series = charts.time_series(view.history, labels)
    with solara.Columns([1, 1]):
        _chart(series["waiting"], "waiting", 260)
        _chart(series["unmet"], "unmet", 260)
    with solara.Columns([1, 1]):
        _chart(series["admin"], "admin", 260)
        _chart(series["continuity"], "continuity", 260)
    with solara.Columns([1, 1]):
        _chart(series["workforce"], "workforce", 260)
        _chart(charts.overtime(current, labels), "overtime", 260)
    with solara.Columns([1, 1]):
        _chart(charts.wait_distribution(current, labels), "waits", 290)
        _chart(charts.utilisation(current, labels), "utilisation", 290)


@solara.component
def Export(view: View, labels: dict[Side, str]) -> None:  # noqa: N802 (Solara components are CapWords)
    """Download buttons: the current comparison as CSV (every number, with intervals) and PNG (the time series)."""
    with solara.Row(classes=["gpsim-export"]):
        solara.FileDownload(lambda: comparison_csv(view, labels), filename=filename(view, "csv"),
                            label="Download CSV", mime_type="text/csv")
        solara.FileDownload(lambda: comparison_png(view, labels), filename=filename(view, "png"),
                            label="Download PNG", mime_type="image/png")


@solara.component
def Page() -> None:  # noqa: N802
    """The dashboard page."""
    controller = solara.use_memo(make_controller, [])
    choices = solara.use_memo(lambda: scenario_choices(scenario_path()), [])
    version = solara.use_reactive(0)  # bumped whenever the controller publishes something new
    controls = solara.use_reactive(controller.controls)
    split = solara.use_reactive(controller.split)
    replications = solara.use_reactive(controller.replications)
    chosen = solara.use_reactive(choice_of(scenario_path(), choices))
    notes = solara.use_reactive(tuple(controls_from(controller.base)[1]))  # what the levers cannot express
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(5)
    job = solara.use_reactive(("none", 0))  # ("configure" | "reset" | "scenario", counter): rebuilds in a thread
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
                    controller.replications = replications.value
                    controller.reset()
            elif kind == "scenario":
                path = choices[chosen.value]
                base = load_base(path)
                start, lost = controls_from(base)
                controller.configure(start, split.value, replications=replications.value, base=base,
                                     source=str(path))
                controls.set(start)
                notes.set(tuple(lost))
            elif kind == "configure":
                controller.configure(controls.value, split.value, replications=replications.value,
                                     progress=lambda done, total: bump() if done % 14 == 0 else None,
                                     stop=cancel.is_set)  # a newer change supersedes this replay
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

    def rebuild(kind: str = "configure") -> None:
        playing.set(False)
        job.set((kind, job.value[1] + 1))

    def set_control(name: str, value) -> None:
        new = dataclasses.replace(controls.value, **{name: value})
        if new != controls.value:
            controls.set(new)
            rebuild()

    def set_split(value: bool) -> None:
        split.set(value)
        rebuild()

    def set_replications(value: int) -> None:
        if value != replications.value:
            replications.set(value)
            rebuild()

    def set_scenario(name: str) -> None:
        if name in choices and name != chosen.value:
            chosen.set(name)
            rebuild("scenario")

    def step(days: int) -> None:
        controller.step(days)
        bump()

    _ = version.value  # read, so that every bump redraws the page
    view = controller.published
    labels = {s: charts.side_label(s, view.controls, view.split) for s in view.history}
    c = controls.value

    solara.Title("gpsim: collaboration trade-offs")
    solara.Style(CSS)
    solara.AppBarTitle("gpsim: collaboration trade-offs you can play with")
    with solara.Sidebar():
        with solara.Card("Run", margin=0):
            with solara.Column(classes=["gpsim-scenario"]):
                solara.Select("Scenario (from the library)", values=list(choices), value=chosen.value,
                              on_value=set_scenario, disabled=busy or playing.value)
                solara.Text("Its interventions set the levers; its area, seed and other interventions are kept.",
                            classes=["gpsim-note"])
                for note in notes.value:
                    solara.Text(f"Not a lever, replaced: {note}.", classes=["gpsim-note", "gpsim-scenario-note"])
            with solara.Row():
                solara.Button("Pause" if playing.value else "Play", color="primary",
                              on_click=lambda: playing.set(not playing.value),
                              disabled=busy or view.finished, classes=["gpsim-play"])
                solara.Button("Step", on_click=lambda: step(1), disabled=busy or playing.value,
                              classes=["gpsim-step"])
                solara.Button("Week", on_click=lambda: step(7), disabled=busy or playing.value,
                              classes=["gpsim-step-week"])
                solara.Button("Reset", on_click=lambda: rebuild("reset"), disabled=busy, classes=["gpsim-reset"])
            Lever(f"Speed: {speed.value} simulated days a second", "speed", speed.value, 1, MAX_SPEED, 1,
                  lambda v: speed.set(int(v)))
            Lever(f"Replications: {replications.value} per side (bands: 95% interval of the mean)", "replications",
                  replications.value, 1, MAX_REPLICATIONS, 1, lambda v: set_replications(int(v)))
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
        date = view.latest(next(iter(view.history)))[0].date
        with solara.Row():
            solara.Text(f"Day {view.day} of {view.horizon} · {date:%a %d %b %Y}"
                        + (" · end of the scenario" if view.finished else ""), classes=["gpsim-day"])
            solara.Text(f"scenario {view.scenario} · {view.replications} replication"
                        f"{'s' if view.replications > 1 else ''} per side", classes=["gpsim-note", "gpsim-scenario-name"])
            if playing.value and math.isfinite(view.days_per_second) and view.days_per_second < 0.8 * speed.value:
                solara.Text(f"running at {view.days_per_second:.0f} simulated days a second: the most this machine "
                            "manages with these replications (fewer replications run faster)",
                            classes=["gpsim-note", "gpsim-actual-speed"])
        if busy:
            solara.ProgressLinear(True)
            solara.Text("Rebuilding with the new settings and replaying…", classes=["gpsim-note", "gpsim-busy"])
        if error.value:
            solara.Error(error.value)
        with solara.Column(classes=["gpsim-about"]):
            solara.Details("About this model: what is and is not modelled", children=[solara.Markdown(ABOUT)])
        if view.split:
            solara.Text("Same patients, same demand on both sides (each replication's pair shares its seed): "
                        "the difference is collaboration alone.", classes=["gpsim-note"])
        Headlines(view, labels)
        FrontDoor(view, labels)
        Export(view, labels)
        Charts(view, labels)
