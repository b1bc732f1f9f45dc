"""The report's assumptions: every parameter that differs from the defaults, and the interventions."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import pandas as pd
from pydantic import BaseModel

from sim.config.scenario import Scenario
from sim.report.data import ReportData

SKIP_FIELDS = ("area", "name", "description", "seed", "extends", "interventions")


_MISSING = object()


def _jsonable(v: Any) -> Any:
    if isinstance(v, BaseModel):
        return v.model_dump(mode="json")
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def _walk(default: Any, resolved: Any, path: str, desc: str, out: list[dict[str, Any]]) -> None:
    if resolved is _MISSING:
        return
    if isinstance(default, BaseModel):
        res = resolved if isinstance(resolved, dict) else {}
        for name, f in type(default).model_fields.items():
            _walk(getattr(default, name), res.get(name, _MISSING), f"{path}.{name}" if path else name,
                  f.description or "", out)
        return
    if isinstance(default, dict) and isinstance(resolved, dict) and default and all(
            isinstance(v, BaseModel) for v in default.values()):
        for key in [*default, *(k for k in resolved if k not in default)]:
            sub = f"{path}.{key}"
            if key not in resolved:
                out.append({"path": sub, "value": None, "default": _jsonable(default[key]),
                            "description": f"{desc} (removed from this scenario)".strip()})
            elif key not in default:
                out.append({"path": sub, "value": resolved[key], "default": None,
                            "description": f"{desc} (not in the defaults)".strip()})
            else:
                _walk(default[key], resolved[key], sub, desc, out)
        return
    dj = _jsonable(default)
    if isinstance(dj, dict) and isinstance(resolved, dict):
        for key in [*dj, *(k for k in resolved if k not in dj)]:
            a, b = dj.get(key, _MISSING), resolved.get(key, _MISSING)
            if a is _MISSING or b is _MISSING or not _same(a, b):
                out.append({"path": f"{path}.{key}", "value": None if b is _MISSING else b,
                            "default": None if a is _MISSING else a, "description": desc})
        return
    if not _same(dj, resolved):
        out.append({"path": path, "value": resolved, "default": dj, "description": desc})


def parameter_differences(config: dict[str, Any]) -> list[dict[str, Any]]:
    """Every parameter of a resolved scenario that differs from ``sim.config.scenario.Scenario``'s defaults.

    Walks the pydantic models field by field (roles and need types key by key); skips the area,
    name, description, seed and extends, and the interventions (listed separately). Each row has the
    YAML path, the value, the default and the field's description (its unit and source).
    """
    out: list[dict[str, Any]] = []
    for name, field in Scenario.model_fields.items():
        if name in SKIP_FIELDS or name not in config:
            continue
        default = field.get_default(call_default_factory=True)
        _walk(default, config[name], name, field.description or "", out)
    return out


def show_value(v: Any) -> str:
    """A parameter value in compact YAML-like text."""
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, dict | list):
        return json.dumps(v, separators=(", ", ": "))
    return str(v)


def assumptions_frame(data: ReportData) -> pd.DataFrame:
    """Union of the parameters that differ from the defaults in any scenario: path, default, values, description."""
    per = {s.label: {r["path"]: r for r in parameter_differences(s.config)} for s in data.scenarios if s.config}
    paths: list[str] = []
    for rows in per.values():
        paths += [p for p in rows if p not in paths]
    out = []
    for p in paths:
        first = next(rows[p] for rows in per.values() if p in rows)
        row: dict[str, Any] = {"Parameter (YAML path)": p, "Default": show_value(first["default"])}
        for s in data.scenarios:
            rows = per.get(s.label, {})
            row[s.label] = show_value(rows[p]["value"]) if p in rows else "= default"
        row["Meaning, unit and source"] = first["description"]
        out.append(row)
    cols = ["Parameter (YAML path)", "Default", *[s.label for s in data.scenarios], "Meaning, unit and source"]
    return pd.DataFrame(out, columns=cols)


def flatten(obj: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested mapping -> [('a.b', value)] for intervention parameters."""
    if isinstance(obj, dict) and obj:
        out = []
        for k, v in obj.items():
            out += flatten(v, f"{prefix}.{k}" if prefix else str(k))
        return out
    return [(prefix, obj)]


def interventions_frame(data: ReportData) -> pd.DataFrame:
    """One row per intervention: scenario, plain words, every parameter (defaults filled in)."""
    rows = []
    for s in data.scenarios:
        raw = (s.config or {}).get("interventions") or []
        for k, words in enumerate(s.interventions):
            params = raw[k] if k < len(raw) else {}
            rows.append({"Scenario": s.label, "Intervention": words,
                         "Parameters": "; ".join(f"{p}: {show_value(v)}" for p, v in flatten(params))})
    return pd.DataFrame(rows, columns=["Scenario", "Intervention", "Parameters"])


# the defaults a board is most likely to ask about: demand, booking, capacity, absence, attrition, cost
KEY_DEFAULTS = (
    "demand.rate_per_patient_year", "demand.rate_multiplier", "demand.monthly_seasonality", "booking.book_ahead_days",
    "roles.GP.same_day_slot_share", "booking.urgent_tolerance_days", "booking.routine_tolerance_days_mean",
    "booking.dna_8_plus_days", "roles.GP.slot_minutes", "roles.GP.sessions_per_fte_week",
    "roles.GP.admin_minutes_per_session", "roles.GP.absence_share",
    "workforce.leave_probability_at_full_burnout", "admin.admin_cost_per_fte_year_gbp",
    "demand.unmet_destinations.urgent", "demand.unmet_destinations.routine",
)


def default_of(path: str) -> tuple[Any, str]:
    """The default value of a scenario parameter (YAML path) and its field description (unit and source)."""
    head, *rest = path.split(".")
    field = Scenario.model_fields[head]
    value: Any = field.get_default(call_default_factory=True)
    desc = field.description or ""
    for part in rest:
        if isinstance(value, BaseModel):
            desc = type(value).model_fields[part].description or desc
            value = getattr(value, part)
        else:
            value = value[part]
    return _jsonable(value), desc


def key_defaults_frame(data: ReportData) -> pd.DataFrame:
    """The key defaults with their sources, and whether a scenario of this report changes them."""
    changed = {r["path"] for s in data.scenarios if s.config for r in parameter_differences(s.config)}
    rows = []
    for path in KEY_DEFAULTS:
        value, desc = default_of(path)
        note = "changed in a scenario (see above)" if any(c == path or c.startswith(path + ".") for c in changed) \
            else "as run"
        rows.append({"Parameter (YAML path)": path, "Default": show_value(value), "In this report": note,
                     "Meaning, unit and source": desc})
    return pd.DataFrame(rows, columns=["Parameter (YAML path)", "Default", "In this report", "Meaning, unit and source"])


def assumptions_long(assumptions: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """The non-default parameters with one 'Value in each scenario' column (fits a page for any number of scenarios)."""
    rows = []
    for _, r in assumptions.iterrows():
        vals = "\n".join(f"{s}: {r[s]}" for s in labels if s in r.index)
        rows.append({"Parameter (YAML path)": r["Parameter (YAML path)"], "Default": r["Default"],
                     "Value in each scenario": vals, "Meaning, unit and source": r["Meaning, unit and source"]})
    return pd.DataFrame(rows, columns=["Parameter (YAML path)", "Default", "Value in each scenario",
                                       "Meaning, unit and source"])
