"""Dotted paths into a scenario mapping: how a sweep's grid names the parameters it sets.

``demand.rate_multiplier``, ``roles.GP.slot_minutes`` and ``area.pcns[0].practices[1].list_size``
are paths; :func:`parse_path` splits one into keys and list indices, :func:`get_path` and
:func:`set_path` read and write the value there, and :func:`apply_point` sets a whole grid point.
"""

from __future__ import annotations

import copy
import re
from typing import Any

#: One dotted part: a key followed by any number of ``[index]`` suffixes.
_SEGMENT = re.compile(r"^([^\[\]]+)((?:\[\d+\])*)$")

#: A parsed dotted path: keys and list indices.
DottedPath = tuple[str | int, ...]


def parse_path(path: str) -> DottedPath:
    """``'area.pcns[0].staff[1].fte'`` -> ``('area', 'pcns', 0, 'staff', 1, 'fte')``.

    Raises:
        ValueError: for an empty path or a malformed segment.
    """
    if not isinstance(path, str) or not path.strip():
        raise ValueError("a parameter must be a dotted path such as demand.rate_multiplier")
    out: list[str | int] = []
    for seg in path.split("."):
        m = _SEGMENT.match(seg)
        if not m:
            raise ValueError(f"'{path}' is not a dotted path (bad part '{seg}')")
        name, idx = m.groups()
        out.append(int(name) if name.isdigit() else name)
        out += [int(k) for k in re.findall(r"\[(\d+)\]", idx)]
    return tuple(out)


def get_path(mapping: Any, path: DottedPath) -> Any:
    """The value at ``path``; KeyError naming the first missing part."""
    node = mapping
    for k, part in enumerate(path):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, dict) and str(part) in node:
            node = node[str(part)]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            raise KeyError(_missing(node, part, render_path(path[:k]) or "the scenario"))
    return node


def _missing(node: Any, part: str | int, where: str) -> str:
    """The message for a path part not found in ``node``, with what is there instead."""
    if isinstance(node, dict):
        hint = f"; keys there: {', '.join(sorted(map(str, node)))}"
    elif isinstance(node, list):
        hint = f"; {where} has {len(node)} item(s)"
    else:
        hint = f"; {where} is a value, not a mapping"
    return f"no '{part}' in {where}{hint}"


def set_path(mapping: dict[str, Any], path: DottedPath, value: Any) -> None:
    """Set ``value`` at an existing ``path`` in place."""
    parent = get_path(mapping, path[:-1])
    last = path[-1]
    if isinstance(parent, dict) and last not in parent and str(last) in parent:
        last = str(last)
    parent[last] = value


def render_path(path: DottedPath) -> str:
    """A parsed path written back as text (``area.pcns[0]``), for messages."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def apply_point(base: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``base`` with each dotted path set to its value."""
    out = copy.deepcopy(base)
    for name, value in values.items():
        set_path(out, parse_path(name), value)
    return out
