"""ECharts options for the dashboard's live views: pure functions from snapshots to plain dicts.

The browser draws the charts (Solara's ``FigureEcharts``), so a simulated day costs the server
only these small dicts, not a rendered image: that keeps play smooth on a laptop. Every value is
JSON-safe (NaN becomes null, a gap in a line).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sim.dashboard.controls import Controls, Side, lever_summary
from sim.dashboard.state import LATE_DAYS, ROLLING_DAYS, STRAIN_DAYS, Snapshot
from sim.results.outcomes import outcome

COLOURS: dict[Side, str] = {"standalone": "#d95f02", "collaborating": "#1b9e77"}
STRAIN_MAX = 30.0  # % of requests unmet or late at the top of the colour scale
STRAIN_COLOURS = ("#ffffcc", "#fed976", "#fd8d3c", "#e31a1c", "#800026")  # ColorBrewer YlOrRd
BIN_LABELS = ("Same day", "1 day", "2-7 days", "8-14", "15-21", "22-28", "29+")  # short WAIT_BINS
SHORT_ROLES = {"PhysicianAssociate": "PA", "Physiotherapist": "Physio", "Pharmacist": "Pharm",
               "Paramedic": "Param"}
UNMET = outcome("unmet_per_1000_year")  # the live chart shows the same outcome over a rolling window
PCN_PITCH = 3.0  # distance between PCN boxes in the area picture


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


def line_chart(histories: dict[Side, Sequence[Snapshot]], labels: dict[Side, str], attr: str, title: str,
               unit: str, skip_first: bool = False) -> dict[str, Any]:
    """One live figure over the days run: a line per side of ``Snapshot.<attr>``."""
    option = _base(title)
    option["legend"] = {"top": 22, "left": "center", "textStyle": {"fontSize": 11}}
    option["grid"]["top"] = 56
    option["xAxis"] = {"type": "value", "name": "day", "nameLocation": "end", "min": 0, "minInterval": 1}
    option["title"]["text"] = f"{title} ({unit})"
    option["yAxis"] = {"type": "value", "scale": True}
    option["series"] = [
        {"type": "line", "name": labels[side], "showSymbol": False, "color": COLOURS[side], "lineStyle": {"width": 2},
         "data": [[s.day, clean(getattr(s, attr))] for s in history[1 if skip_first else 0:]]}
        for side, history in histories.items()
    ]
    return option


def time_series(histories: dict[Side, Sequence[Snapshot]], labels: dict[Side, str]) -> dict[str, dict[str, Any]]:
    """The four live time series: waiting list, unmet demand, GP admin hours and continuity."""
    return {
        "waiting": line_chart(histories, labels, "waiting_list", "Waiting list: booked, not yet seen", "patients"),
        "unmet": line_chart(histories, labels, "unmet_per_1000_year_recent",
                            f"{UNMET.label}, last {ROLLING_DAYS} days", UNMET.unit, True),
        "admin": line_chart(histories, labels, "gp_admin_hours_per_fte_week",
                            f"GP admin hours per GP FTE a week, last {ROLLING_DAYS} days", "hours", True),
        "continuity": line_chart(histories, labels, "continuity_pct",
                                 "Continuity: LTC patients' GP visits with their usual GP", "%", True),
    }


def _bars(title: str, categories: Sequence[str], values: dict[Side, list[float | None]], labels: dict[Side, str],
          unit: str, mark: float | None = None) -> dict[str, Any]:
    option = _base(title)
    option["legend"] = {"top": 22, "left": "center", "textStyle": {"fontSize": 11}}
    option["grid"]["top"] = 56
    option["tooltip"] = {"trigger": "axis", "axisPointer": {"type": "shadow"}}
    option["xAxis"] = {"type": "category", "data": list(categories), "axisLabel": {"fontSize": 10, "interval": 0}}
    option["title"]["text"] = f"{title} ({unit})"
    option["yAxis"] = {"type": "value"}
    option["series"] = [{"type": "bar", "name": labels[side], "color": COLOURS[side],
                         "data": [clean(v, 1) for v in vals]} for side, vals in values.items()]
    if mark is not None and option["series"]:
        option["series"][0]["markLine"] = {"symbol": "none", "silent": True, "label": {"show": False},
                                           "lineStyle": {"color": "#888", "type": "dashed"}, "data": [{"yAxis": mark}]}
    return option


def wait_distribution(latest: dict[Side, Snapshot], labels: dict[Side, str]) -> dict[str, Any]:
    """Days from request to appointment (NHS booking intervals), % of appointments booked so far."""
    values = {}
    for side, snap in latest.items():
        total = sum(snap.wait_bins)
        values[side] = [100.0 * c / total if total else None for c in snap.wait_bins]
    return _bars("Days to appointment so far", BIN_LABELS, values, labels, outcome("wait_bin_pct:Same Day").unit)


def _role_names(latest: dict[Side, Snapshot]) -> list[str]:
    names = {r for s in latest.values() for r in s.utilisation_pct} | {
        r for s in latest.values() for r in s.overtime_hours_per_fte_week}
    order = ["GP", "Nurse", "Pharmacist", "HCA", "Paramedic", "PhysicianAssociate", "Physiotherapist"]
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))


def utilisation(latest: dict[Side, Snapshot], labels: dict[Side, str]) -> dict[str, Any]:
    """Slots booked as % of slots offered so far, per clinical role and side."""
    names = _role_names(latest)
    values = {side: [s.utilisation_pct.get(n) for n in names] for side, s in latest.items()}
    return _bars("Utilisation: slots booked so far", [SHORT_ROLES.get(n, n) for n in names], values, labels,
                 outcome("utilisation_pct").unit, mark=100.0)


def overtime(latest: dict[Side, Snapshot], labels: dict[Side, str]) -> dict[str, Any]:
    """Overtime hours a week per FTE so far, per clinical role and side."""
    names = _role_names(latest)
    values = {side: [s.overtime_hours_per_fte_week.get(n) for n in names] for side, s in latest.items()}
    return _bars("Overtime so far", [SHORT_ROLES.get(n, n) for n in names], values, labels,
                 outcome("overtime_hours_per_fte_week:GP").unit)


def strain_colour(strain: float) -> str:
    """Hex colour of a strain % on the YlOrRd scale (0 .. STRAIN_MAX, clipped); grey if unknown."""
    if strain is None or not math.isfinite(strain):
        return "#dddddd"
    x = min(1.0, max(0.0, strain / STRAIN_MAX)) * (len(STRAIN_COLOURS) - 1)
    k = min(int(x), len(STRAIN_COLOURS) - 2)
    t = x - k
    a, b = (tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in STRAIN_COLOURS[k:k + 2])
    return "#" + "".join(f"{round(p + (q - p) * t):02x}" for p, q in zip(a, b, strict=True))


def area(snap: Snapshot, label: str, collaborating: bool) -> dict[str, Any]:
    """The area: practices grouped in their PCNs, sized by list and coloured by strain.

    Strain is the share of requests in the last STRAIN_DAYS days that found no appointment or were
    booked more than LATE_DAYS days after the day the patient wanted. A collaborating PCN is drawn
    with links to its shared hub, cover and back office; standalone practices in a dashed box.
    """
    pcns: dict[str, list] = {}
    for p in snap.practices:
        pcns.setdefault(p.pcn, []).append(p)
    cols = max(1, math.ceil(math.sqrt(len(pcns))))
    rows = max(1, math.ceil(len(pcns) / cols))
    biggest = max((p.list_size for p in snap.practices), default=1) or 1
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
            strain = p.strain_pct
            practices.append({
                "name": p.code, "value": [round(px, 3), round(py, 3), clean(strain, 1)],
                "symbolSize": round(28 + 34 * math.sqrt(p.list_size / biggest)),
                "itemStyle": {"color": strain_colour(strain), "borderColor": "#333", "borderWidth": 1},
                "label": {"show": True, "formatter": f"{p.code}\n{'–' if clean(strain) is None else f'{strain:.0f}%'}",
                          "fontSize": 10, "lineHeight": 13, "align": "center", "verticalAlign": "middle",
                          "color": "#fff" if (clean(strain) or 0) > 0.6 * STRAIN_MAX else "#222"},
                "tooltip": {"formatter": (f"{p.code} ({p.list_size:,} patients): unmet {_pct(p.unmet_pct)}, "
                                          f"late {_pct(p.late_pct)}, utilisation {_pct(p.utilisation_pct)}")},
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


def _pct(value: float) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.0f}%"
