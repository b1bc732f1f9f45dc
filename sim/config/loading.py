"""Load scenario YAML files into validated :class:`~sim.config.scenario.Scenario` objects.

A scenario may ``extends:`` another file (relative to itself) and override any field; mappings merge
key by key, lists and scalars replace. Every error names the file, the YAML path (for example
``area.pcns[1].practices[3].staff[0].fte``), the line where it can be found, what was wrong and what
is allowed.
"""

from __future__ import annotations

import copy
import hashlib
import re
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.config.checks import (
    check_intervention_windows,
    check_navigation_needs,
    check_recruitment_roles,
)
from sim.config.interventions import INTERVENTION_TYPES
from sim.config.market_checks import check_labour_market, check_recruitment_drives
from sim.config.pcn_roles import need_types_for, roles_for
from sim.config.references import check_intervention_references
from sim.config.scenario import Scenario
from sim.config.yamlread import SafeLoader, YamlReadError, parse_yaml, read_text


class ScenarioError(ValueError):
    """A scenario file that cannot be used, with where and why."""

    def __init__(self, file: str | Path, yaml_path: str, message: str, line: int | None = None):
        self.file = str(file)
        self.yaml_path = yaml_path
        self.line = line
        self.message = message
        where = f"{self.file}" + (f":{line}" if line else "")
        at = f" at {yaml_path}" if yaml_path else ""
        super().__init__(f"{where}{at}: {message}")


_UNION_TAG = re.compile(r"^(constrained-)?(int|float|str|bool|date|datetime|list|dict|tuple|none)$")


def format_path(loc: tuple[Any, ...]) -> str:
    """Render a pydantic location tuple as a YAML path: ``area.pcns[1].staff[0].fte``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _line_of(text: str, loc: tuple[Any, ...], exact: bool = False) -> int | None:
    """1-based line of the YAML node at ``loc`` (or its nearest existing parent, unless ``exact``)."""
    try:
        node = yaml.compose(text, Loader=SafeLoader)
    except yaml.YAMLError:
        return None
    line = None
    for part in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            nxt = None
            for k, v in node.value:
                if str(k.value) == str(part):
                    nxt = v
                    line = k.start_mark.line + 1
                    break
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            node = None
        if node is None and exact:
            return None
    if node is not None:
        line = node.start_mark.line + 1
    return line


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model class that owns the field at ``loc`` (for listing allowed keys)."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return current
            current = field.annotation
        else:
            current = _unwrap(current, part)
        if current is None:
            return None
    current = _strip_optional(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _strip_optional(tp: Any) -> Any:
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in (typing.Union, getattr(__import__("types"), "UnionType", None)) and len(args) == 1:
        return args[0]
    return tp


def _unwrap(tp: Any, part: Any) -> Any:
    """Step into list[X] or dict[K, X] annotations."""
    tp = _strip_optional(tp)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is list and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return None


def _read_text(path: Path) -> str:
    try:
        return read_text(path)
    except YamlReadError as exc:
        raise ScenarioError(path, "", exc.message, exc.line) from None


def _read_yaml(path: Path) -> tuple[dict[str, Any], str]:
    text = _read_text(path)
    try:
        data = parse_yaml(text)
    except YamlReadError as exc:
        raise ScenarioError(path, "", exc.message, exc.line) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(path, "", "a scenario must be a YAML mapping (key: value lines)")
    return data, text


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into ``base``: mappings key by key, anything else replaced."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def load_raw(path: str | Path, _seen: tuple[Path, ...] = ()) -> tuple[dict[str, Any], list[Path]]:
    """Read a scenario and everything it extends; return the merged mapping and the files read."""
    path = Path(path).resolve()
    if path in _seen:
        chain = " -> ".join(str(p) for p in (*_seen, path))
        raise ScenarioError(path, "extends", f"circular extends: {chain}")
    data, _ = _read_yaml(path)
    files = [path]
    parent = data.get("extends")
    if parent is not None:
        if not isinstance(parent, str):
            raise ScenarioError(path, "extends", "extends must be a file path (a string)")
        parent_path = (path.parent / parent).resolve()
        if not parent_path.is_file():
            raise ScenarioError(path, "extends", f"base scenario {parent_path} not found")
        base, base_files = load_raw(parent_path, (*_seen, path))
        # interventions accumulate along the chain: a derived scenario adds to its base's
        merged = deep_merge(base, {k: v for k, v in data.items() if k != "interventions"})
        for owner, mapping in ((parent_path, base), (path, data)):
            if not isinstance(mapping.get("interventions", []), list):
                raise ScenarioError(owner, "interventions", "interventions must be a list (one '- type: ...' per "
                                    "intervention)")
        merged["interventions"] = list(base.get("interventions", [])) + list(data.get("interventions", []))
        data = merged
        files = base_files + files
    return data, files


def _intervention_tag(loc: tuple[Any, ...]) -> str | None:
    """The intervention type pydantic put into a location (interventions, k, <type>, ...)."""
    if len(loc) >= 3 and loc[0] == "interventions" and loc[2] in INTERVENTION_TYPES:
        return str(loc[2])
    return None


def _describe_error(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    loc = tuple(err.get("loc", ()))
    if kind == "extra_forbidden":
        tag = _intervention_tag(loc)
        if tag:
            owner = _model_at(INTERVENTION_TYPES[tag], loc[3:-1])
        else:
            owner = _model_at(Scenario, loc[:-1])
        allowed = sorted(owner.model_fields) if owner else []
        hint = f"; allowed keys here: {', '.join(allowed)}" if allowed else ""
        return f"unknown key '{loc[-1]}'{hint}"
    if kind == "missing":
        return "required field is missing"
    msg = err.get("msg", "invalid value")
    value = err.get("input")
    if not isinstance(value, dict | list):
        msg += f" (got {value!r})"
    return msg


def scenario_from_mapping(data: dict[str, Any], source: str | Path, text: str | None = None,
                          exact_lines: bool = False) -> Scenario:
    """Validate a merged mapping; raise :class:`ScenarioError` naming the first problem."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        loc = tuple(first.get("loc", ()))
        # pydantic puts validator names (e.g. 'function-after[...]') into locs of unions; drop them
        # (and the union member's type: 'constrained-int', 'date', ...)
        loc = tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or _UNION_TAG.match(p))))
        if _intervention_tag(loc):
            first = {**first, "loc": loc}
            loc = loc[:2] + loc[3:]
        line = _line_of(text, loc, exact_lines) if text else None
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise ScenarioError(source, format_path(loc), _describe_error(first) + more, line) from None
    check_references(scenario, source, text, exact_lines)
    return scenario


def check_references(scenario: Scenario, source: str | Path, text: str | None = None,
                     exact_lines: bool = False) -> None:
    """Cross-field checks pydantic cannot do alone: every role named must be defined."""
    roles = scenario.roles
    allowed = ", ".join(sorted(roles))

    def fail(loc: tuple[Any, ...], message: str) -> None:
        raise ScenarioError(source, format_path(loc), message, _line_of(text, loc, exact_lines) if text else None)

    for name, need in scenario.demand.need_types.items():
        for k, role in enumerate(need.eligible_roles):
            if role not in roles:
                fail(("demand", "need_types", name, "eligible_roles", k),
                     f"unknown role '{role}'; allowed roles: {allowed}")
            elif roles[role].kind == "admin":
                fail(("demand", "need_types", name, "eligible_roles", k),
                     f"role '{role}' is admin and cannot see patients")
        if not any(roles[r].kind == "gp" for r in need.eligible_roles if r in roles) and need.continuity:
            fail(("demand", "need_types", name, "continuity"), "continuity needs a GP among eligible_roles")

    def check_staff(staff: list, loc: tuple[Any, ...]) -> None:
        for k, group in enumerate(staff):
            if group.role not in roles:
                fail((*loc, k, "role"), f"unknown role '{group.role}'; allowed roles: {allowed}")

    codes: set[str] = set()
    for i, pcn in enumerate(scenario.area.pcns):
        check_staff(pcn.staff, ("area", "pcns", i, "staff"))
        for j, pr in enumerate(pcn.practices):
            check_staff(pr.staff, ("area", "pcns", i, "practices", j, "staff"))
            if pr.code in codes:
                fail(("area", "pcns", i, "practices", j, "code"), f"duplicate practice code '{pr.code}'")
            codes.add(pr.code)
    check_staff(scenario.area.staff, ("area", "staff"))
    # workforce role tables: checked where the scenario gives them (defaults name roles it may not define)
    wf = scenario.workforce
    for field in ("annual_leaving_rate", "time_to_fill_months", "fill_probability"):
        if field not in wf.turnover.model_fields_set:
            continue
        for role in getattr(wf.turnover, field):
            if role not in roles:
                fail(("workforce", "turnover", field, role), f"unknown role '{role}'; allowed roles: {allowed}")
    if "supervised_roles" in wf.model_fields_set:
        for k, role in enumerate(wf.supervised_roles):
            if role not in roles:
                fail(("workforce", "supervised_roles", k), f"unknown role '{role}'; allowed roles: {allowed}")
    check_intervention_references(scenario, fail)
    check_recruitment_roles(scenario, fail)
    check_navigation_needs(scenario, fail)
    check_labour_market(scenario, fail)
    check_recruitment_drives(scenario, fail)
    check_intervention_windows(scenario, fail)


def area_of(area_file: str | Path) -> dict[str, Any]:
    """The ``area:`` mapping of a scenario file (as ``gpsim area build`` writes), validated with that file first.

    Only its area is taken: every other setting comes from the scenario it is put under.
    """
    load_scenario(area_file)  # a problem in the area file is reported against that file
    data, _ = load_raw(area_file)
    return data["area"]


def on_area(path: str | Path, data: dict[str, Any], area_file: str | Path) -> dict[str, Any]:
    """Scenario mapping ``data`` (read from ``path``) with its ``area:`` replaced by ``area_file``'s.

    Applies a library scenario's interventions and settings to an area built from NHS files. The PCN
    additional roles the area file defines (``gpsim area build --pcn-workforce``: link workers, care
    coordinators, ...) keep their specs and competencies (sim.config.pcn_roles). An intervention whose
    ``scope`` names a PCN or practice the new area lacks is an error naming both files.
    """
    out = {**data, "area": area_of(area_file)}
    added = roles_for(load_raw(area_file)[0].get("roles") or {})  # the PCN additional roles area build staffed
    if added:  # give them their specs and competencies on top of this scenario's own roles and need types
        own = scenario_from_mapping(copy.deepcopy(data), path)
        out["roles"] = {**{r: s.model_dump(mode="json") for r, s in own.roles.items()},
                        **{r: s.model_dump(mode="json") for r, s in added.items() if r not in own.roles}}
        needs = need_types_for(own.demand.need_types, added)
        out["demand"] = {**(out.get("demand") or {}),
                         "need_types": {k: v.model_dump(mode="json") for k, v in needs.items()}}
    try:
        scenario_from_mapping(copy.deepcopy(out), path)
    except ScenarioError as exc:
        if exc.yaml_path.startswith("interventions"):
            raise ScenarioError(exc.file, exc.yaml_path, f"{exc.message} (with --area the interventions act on "
                                f"the area in {area_file}: name its PCNs and practices, or scope: lgpo)") from None
        if exc.yaml_path.startswith("area"):
            raise ScenarioError(area_file, exc.yaml_path, f"{exc.message} (with the settings of {path})") from None
        raise
    return out


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None,
                  area: str | Path | None = None) -> Scenario:
    """Load, merge ``extends`` chains, apply ``overrides`` and validate one scenario file.

    ``area``: a scenario file whose ``area:`` replaces this scenario's (see :func:`on_area`).
    """
    path = Path(path)
    data, files = load_raw(path)
    if area is not None:
        data = on_area(path, data, area)
    if overrides:
        data = deep_merge(data, overrides)
    # with extends, a line is given only where the mistake is in this file (not in a base it extends)
    return scenario_from_mapping(data, path, _read_text(path), exact_lines=len(files) > 1 or area is not None)


def scenario_hash(path: str | Path, area: str | Path | None = None) -> str:
    """SHA-256 over the bytes of a scenario file and every file it extends (and the ``area`` file, if any)."""
    _, files = load_raw(path)
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.read_bytes())
    if area is not None:
        digest.update(b"\0area\0" + Path(area).read_bytes())
    return digest.hexdigest()
