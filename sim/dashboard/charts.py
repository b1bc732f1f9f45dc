"""ECharts options for the dashboard's live views: pure functions from snapshots to plain dicts.

The browser draws the charts (Solara's ``FigureEcharts``), so a simulated day costs the server
only these small dicts, not a rendered image: that keeps play smooth on a laptop. Every value is
JSON-safe (NaN becomes null, a gap in a line).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sim.dashboard.bands import (
    NON_NEGATIVE,
    PERCENT,
    Band,
    Bounds,
    PracticeBand,
    practice_bands,
    role_bands,
    series_band,
    wait_share_bands,
)
from sim.dashboard.controls import Controls, Side, lever_summary
from sim.dashboard.state import LATE_DAYS, ROLLING_DAYS, STRAIN_DAYS, Reps, Snapshot
from sim.results.outcomes import outcome

COLOURS: dict[Side, str] = {"standalone": "#d95f02", "collaborating": "#1b9e77"}
STRAIN_MAX = 30.0  # % of requests unmet or late at the top of the colour scale
STRAIN_COLOURS = ("#ffffcc", "#fed976", "#fd8d3c", "#e31a1c", "#800026")  # ColorBrewer YlOrRd
BIN_LABELS = ("Same day", "1 day", "2-7 days", "8-14", "15-21", "22-28", "29+")  # short WAIT_BINS
SHORT_ROLES = {"PhysicianAssociate": "PA", "Physiotherapist": "Physio", "Pharmacist": "Pharm",
               "Paramedic": "Param"}
UNMET = outcome("unmet_per_1000_year")  # the live chart shows the same outcome over a rolling window
PCN_PITCH = 3.0  # distance between PCN boxes in the area picture
NAME_CHARS = 16  # longest practice name shown in full in the area picture (the tooltip has all of it)


def side_label(side: Side, controls: Controls, split: bool) -> str:
    """What one side is called on screen."""
    if side == "standalone":
        return "Standalone practices"
    return "Collaborating PCN" if split else f"Your area ({lever_summary(controls)})"


def clean(value: float | None, digits: int = 2) -> float | None:
    """A JSON-safe number: rounded, with NaN and infinities as None."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def _base(title: str, subtitle: str = "") -> dict[str, Any]:
    return {
        "animation": False,
        "title": {"text": title, "subtext": subtitle, "left": 0, "textStyle": {"fontSize": 13},
                  "subtextStyle": {"fontSize": 11}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 52, "right": 16, "top": 58 if subtitle else 40, "bottom": 30},
    }


def _axes(option: dict[str, Any], x_name: str, y_name: str) -> None:
    """Name both axes (x below the axis, the unit along the y axis) and leave room for the names."""
    option["grid"].update({"left": 74, "bottom": 46})
    option["xAxis"].update({"name": x_name, "nameLocation": "middle", "nameGap": 26,
                            "nameTextStyle": {"fontSize": 11, "color": "#444"}})
    option["yAxis"].update({"name": y_name, "nameLocation": "middle", "nameGap": 54,
                            "nameTextStyle": {"fontSize": 11, "color": "#444"}})


def _fade(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


@dataclass(frozen=True)
class Measure:
    """A time series the dashboard draws and exports: which snapshot field, its words and its range."""

    key: str
    attr: str
    title: str
    unit: str
    bounds: Bounds
    skip_first: bool = False  # day 0 has no window yet


SERIES: tuple[Measure, ...] = (
    Measure("waiting", "waiting_list", "Waiting list: booked, not yet seen", "patients", NON_NEGATIVE),
    Measure("unmet", "unmet_per_1000_year_recent", f"{UNMET.label}, last {ROLLING_DAYS} days", UNMET.unit,
            NON_NEGATIVE, True),
    Measure("admin", "gp_admin_hours_per_fte_week", f"GP admin hours per GP FTE a week, last {ROLLING_DAYS} days",
            "hours per GP FTE per week", NON_NEGATIVE, True),
    Measure("continuity", "continuity_pct", "Continuity: LTC patients' GP visits with their usual GP",
            "% of those visits", PERCENT, True),
    Measure("workforce", "gp_fte", "GP FTE in post (leavers, vacancies filled, retirements)", "FTE", NON_NEGATIVE),
)
DAY_AXIS = "Reporting day of the scenario (after warm-up)"


def line_chart(histories: dict[Side, Reps], labels: dict[Side, str], measure: Measure) -> dict[str, Any]:
    """One live figure over the days run: per side the mean over replications and its 95% band."""
    option = _base(measure.title)
    option["legend"] = {"top": 22, "left": "center", "textStyle": {"fontSize": 11}}
    option["grid"]["top"] = 56
    # a category axis of days: ECharts stacks (the band is a stack) along a category axis only
    first = next(iter(histories.values()))
    days = [s.day for s in first[0][1 if measure.skip_first else 0:]]
    option["xAxis"] = {"type": "category", "data": days, "boundaryGap": False,
                       "axisLabel": {"hideOverlap": True}}
    option["yAxis"] = {"type": "value", "scale": True}
    _axes(option, DAY_AXIS, measure.unit)
    series: list[dict[str, Any]] = []
    for side, reps in histories.items():
        b = series_band(reps, measure.attr, measure.bounds, measure.skip_first)
        if len(reps) > 1:  # the band: an invisible lower edge with the band's height stacked on it
            stack = f"band-{side}"
            series.append({"type": "line", "name": f"{labels[side]}: 95% band", "stack": stack, "silent": True,
                           "showSymbol": False, "lineStyle": {"opacity": 0}, "tooltip": {"show": False},
                           "data": [clean(lo) for lo in b.low]})
            series.append({"type": "line", "name": f"{labels[side]}: 95% band", "stack": stack, "silent": True,
                           "showSymbol": False, "lineStyle": {"opacity": 0}, "color": COLOURS[side],
                           "areaStyle": {"color": _fade(COLOURS[side], 0.22)},
                           "data": [clean(hi - lo) for lo, hi in zip(b.low, b.high, strict=True)]})
        series.append({"type": "line", "name": labels[side], "showSymbol": False, "color": COLOURS[side],
                       "lineStyle": {"width": 2}, "data": [clean(m) for m in b.mean]})
    option["series"] = series
    option["legend"]["data"] = [labels[s] for s in histories]
    return option


def time_series(histories: dict[Side, Reps], labels: dict[Side, str]) -> dict[str, dict[str, Any]]:
    """The four live time series: waiting list, unmet demand, GP admin hours and continuity."""
    return {m.key: line_chart(histories, labels, m) for m in SERIES}


BAR_WIDTH = 0.34  # of a category's width, per side
BAR_GAP = 0.1  # between the two sides' bars, as a share of a bar's width


def _bars(title: str, categories: Sequence[str], values: dict[Side, list[Band]], labels: dict[Side, str],
          unit: str, x_name: str, mark: float | None = None) -> dict[str, Any]:
    """Mean bars per side with 95% whiskers (drawn as lines on a hidden value axis aligned with the categories)."""
    option = _base(title)
    option["legend"] = {"top": 22, "left": "center", "textStyle": {"fontSize": 11},
                        "data": [labels[s] for s in values]}
    option["grid"]["top"] = 56
    option["tooltip"] = {"trigger": "axis", "axisPointer": {"type": "shadow"}}
    option["xAxis"] = {"type": "category", "data": list(categories), "axisLabel": {"fontSize": 10, "interval": 0}}
    option["yAxis"] = {"type": "value", "axisLine": {"onZero": False}}  # not at x = 0 of the hidden whisker axis
    _axes(option, x_name, unit)
    n = len(categories)
    option["xAxis"] = [option["xAxis"], {"type": "value", "show": False, "min": -0.5, "max": n - 0.5}]
    series: list[dict[str, Any]] = []
    sides = list(values)
    for k, (side, bands) in enumerate(values.items()):
        series.append({"type": "bar", "name": labels[side], "color": COLOURS[side], "barWidth": f"{BAR_WIDTH:.0%}",
                       "barGap": f"{BAR_GAP:.0%}", "data": [clean(b.mean, 1) for b in bands]})
        # centre of this side's bar within its category (ECharts lays bars of set width side by side)
        offset = (k - (len(sides) - 1) / 2) * BAR_WIDTH * (1 + BAR_GAP)
        whiskers = []
        for i, b in enumerate(bands):
            lo, hi = clean(b.low, 2), clean(b.high, 2)
            if lo is None or hi is None:
                continue
            x, cap = i + offset, BAR_WIDTH / 6
            whiskers += [{"coords": [[x, lo], [x, hi]]}, {"coords": [[x - cap, lo], [x + cap, lo]]},
                         {"coords": [[x - cap, hi], [x + cap, hi]]}]
        if whiskers:
            series.append({"type": "lines", "coordinateSystem": "cartesian2d", "xAxisIndex": 1, "silent": True,
                           "name": f"{labels[side]}: 95% interval", "z": 5, "data": whiskers,
                           "lineStyle": {"color": "#222", "width": 1.2, "opacity": 0.9}})
    if mark is not None and series:
        series[0]["markLine"] = {"symbol": "none", "silent": True, "label": {"show": False},
                                 "lineStyle": {"color": "#888", "type": "dashed"}, "data": [{"yAxis": mark}]}
    option["series"] = series
    return option


def wait_distribution(current: dict[Side, Sequence[Snapshot]], labels: dict[Side, str]) -> dict[str, Any]:
    """Days from request to appointment (NHS booking intervals), % of appointments booked so far."""
    values = {side: wait_share_bands(snaps, len(BIN_LABELS)) for side, snaps in current.items()}
    return _bars("Days to appointment so far", BIN_LABELS, values, labels, outcome("wait_bin_pct:Same Day").unit,
                 "Days from request to appointment (NHS booking intervals)")


def role_names(current: dict[Side, Sequence[Snapshot]]) -> list[str]:
    """Clinical roles with a utilisation or overtime figure, in the usual order (GP first)."""
    names = {r for snaps in current.values() for s in snaps for r in s.utilisation_pct} | {
        r for snaps in current.values() for s in snaps for r in s.overtime_hours_per_fte_week}
    order = ["GP", "Nurse", "Pharmacist", "HCA", "Paramedic", "PhysicianAssociate", "Physiotherapist"]
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))


def utilisation(current: dict[Side, Sequence[Snapshot]], labels: dict[Side, str]) -> dict[str, Any]:
    """Slots booked as % of slots offered so far, per clinical role and side."""
    names = role_names(current)
    values = {side: role_bands(snaps, "utilisation_pct", names) for side, snaps in current.items()}
    return _bars("Utilisation: slots booked so far", [SHORT_ROLES.get(n, n) for n in names], values, labels,
                 outcome("utilisation_pct").unit, "Clinical role", mark=100.0)


def overtime(current: dict[Side, Sequence[Snapshot]], labels: dict[Side, str]) -> dict[str, Any]:
    """Overtime hours a week per FTE so far, per clinical role and side."""
    names = role_names(current)
    values = {side: role_bands(snaps, "overtime_hours_per_fte_week", names) for side, snaps in current.items()}
    return _bars("Overtime so far", [SHORT_ROLES.get(n, n) for n in names], values, labels,
                 outcome("overtime_hours_per_fte_week:GP").unit, "Clinical role")


def strain_colour(strain: float) -> str:
    """Hex colour of a strain % on the YlOrRd scale (0 .. STRAIN_MAX, clipped); grey if unknown."""
    if strain is None or not math.isfinite(strain):
        return "#dddddd"
    x = min(1.0, max(0.0, strain / STRAIN_MAX)) * (len(STRAIN_COLOURS) - 1)
    k = min(int(x), len(STRAIN_COLOURS) - 2)
    t = x - k
    a, b = (tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in STRAIN_COLOURS[k:k + 2])
    return "#" + "".join(f"{round(p + (q - p) * t):02x}" for p, q in zip(a, b, strict=True))


def short_name(name: str, limit: int = NAME_CHARS) -> str:
    """A practice name short enough for a label in the area picture (ellipsis when cut)."""
    name = " ".join(name.split())
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def _band_text(b: Band, unit: str = "%") -> str:
    if not math.isfinite(b.mean):
        return "–"
    if b.has_interval:
        return f"{b.mean:.0f}{unit} ({b.low:.0f}–{b.high:.0f})"
    return f"{b.mean:.0f}{unit}"


def area_rows(snaps: Sequence[Snapshot]) -> int:
    """Rows of PCN boxes in the area picture (PCNs are laid out in a near-square grid)."""
    n = len({p.pcn for s in snaps[:1] for p in s.practices})
    return max(1, math.ceil(n / max(1, math.ceil(math.sqrt(n)))))


def area(snaps: Sequence[Snapshot], label: str, collaborating: bool) -> dict[str, Any]:
    """The area: practices grouped in their PCNs, sized by list and coloured by strain (mean over replications).

    Strain is the share of requests in the last STRAIN_DAYS days that found no appointment or were
    booked more than LATE_DAYS days after the day the patient wanted. A collaborating PCN is drawn
    with links to its shared hub, cover and back office; standalone practices in a dashed box.
    """
    bands: list[PracticeBand] = practice_bands(snaps)
    pcns: dict[str, list[PracticeBand]] = {}
    for p in bands:
        pcns.setdefault(p.pcn, []).append(p)
    cols = max(1, math.ceil(math.sqrt(len(pcns))))
    rows = max(1, math.ceil(len(pcns) / cols))
    biggest = max((p.list_size for p in bands), default=1) or 1
    practices, hubs, links, boxes = [], [], [], []
    for k, (code, members) in enumerate(pcns.items()):
        cx, cy = (k % cols) * PCN_PITCH, -(k // cols) * PCN_PITCH
        boxes.append([{"name": code, "coord": [cx - 1.3, cy + 1.3]}, {"coord": [cx + 1.3, cy - 1.3]}])
        if collaborating:
            hubs.append({"value": [cx, cy], "name": f"{code} hub"})
        n = len(members)
        for j, p in enumerate(members):
            angle = math.pi / 2 + 2 * math.pi * j / n
            px, py = (cx + 0.85 * math.cos(angle), cy + 0.85 * math.sin(angle)) if n > 1 else (cx, cy)
            strain = p.strain.mean
            practices.append({
                "name": p.name, "value": [round(px, 3), round(py, 3), clean(strain, 1)],
                "symbolSize": round(28 + 34 * math.sqrt(p.list_size / biggest)),
                "itemStyle": {"color": strain_colour(strain), "borderColor": "#333", "borderWidth": 1},
                "label": {"show": True, "formatter": f"{short_name(p.name)}\n{'–' if clean(strain) is None else f'{strain:.0f}%'}",
                          "fontSize": 10, "lineHeight": 13, "align": "center", "verticalAlign": "middle",
                          "color": "#fff" if (clean(strain) or 0) > 0.6 * STRAIN_MAX else "#222"},
                "tooltip": {"formatter": (f"{p.name} ({p.code}, {p.list_size:,} patients): "
                                          f"unmet {_band_text(p.unmet)}, late {_band_text(p.late)}, "
                                          f"utilisation {_band_text(p.utilisation)}")},
            })
            if collaborating:
                links.append({"coords": [[cx, cy], [round(px, 3), round(py, 3)]]})
    edge = COLOURS["collaborating"] if collaborating else "#999999"
    option = _base(label, f"strain: requests unmet or over {LATE_DAYS} days late, last {STRAIN_DAYS} days")
    option["tooltip"] = {"trigger": "item"}
    option["grid"] = {"left": 8, "right": 8, "top": 56, "bottom": 44}
    option["xAxis"] = {"show": False, "min": -1.4, "max": (cols - 1) * PCN_PITCH + 1.4}
    option["yAxis"] = {"show": False, "min": -(rows - 1) * PCN_PITCH - 1.4, "max": 1.4}
    option["series"] = [
        {"type": "lines", "coordinateSystem": "cartesian2d", "silent": True, "z": 1, "data": links,
         "lineStyle": {"color": edge, "width": 2, "opacity": 0.7},
         "markArea": {"silent": True, "data": boxes,
                      "itemStyle": {"color": "rgba(27,158,119,0.06)" if collaborating else "rgba(0,0,0,0)",
                                    "borderColor": edge, "borderWidth": 1.5,
                                    "borderType": "solid" if collaborating else "dashed"},
                      "label": {"position": "insideTopLeft", "color": "#444", "fontSize": 11}}},
        {"type": "scatter", "name": "hub", "z": 2, "symbolSize": 22, "data": hubs,
         "itemStyle": {"color": COLOURS["collaborating"]},
         "label": {"show": bool(hubs), "position": "bottom", "distance": 6, "formatter": "shared hub, cover, back office",
                   "fontSize": 9, "color": "#225", "backgroundColor": "rgba(255,255,255,0.9)", "padding": 2}},
        {"type": "scatter", "name": "practices", "z": 3, "data": practices},
    ]
    option["visualMap"] = {"type": "continuous", "min": 0, "max": STRAIN_MAX, "seriesIndex": 2, "dimension": 2,
                           "orient": "horizontal", "left": "center", "bottom": 0, "itemHeight": 160,
                           "calculable": False, "text": [f"{STRAIN_MAX:g}%+", "strain 0%"],
                           "inRange": {"color": list(STRAIN_COLOURS)}, "textStyle": {"fontSize": 10}}
    return option
