"""Writing a built scenario as YAML: a wrapped comment header, then the mapping, written atomically.

Used for the areas of ``gpsim area build`` and the scenarios ``gpsim calibrate`` writes; every file
is validated as a scenario before it is written.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import yaml

from sim.config.atomic import atomic_write
from sim.config.loading import scenario_from_mapping
from sim.nhsdata.csv_read import PathLike

#: Width of the comment header's text (characters after ``# ``, within the 100 of the YAML body).
HEADER_WIDTH = 97

#: Line width of the YAML body (characters).
YAML_WIDTH = 100


class _Dumper(yaml.SafeDumper):
    """Safe YAML with multi-line strings as literal blocks."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """Write a multi-line string as a literal block (``|``), others plain."""
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def _plain(value: Any) -> Any:
    """Numpy scalars and tuples to plain Python for YAML."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value


def area_yaml_text(mapping: dict[str, Any], header: str | None = None) -> str:
    """The YAML text :func:`write_area_yaml` writes: a comment header, then the mapping."""
    if header is None:
        header = str(mapping.get("description", ""))
    comment = []
    for paragraph in header.splitlines():
        wrapped = textwrap.wrap(paragraph, width=HEADER_WIDTH, break_on_hyphens=False) or [""]
        comment += [f"# {line}".rstrip() for line in wrapped]
    body = yaml.dump(_plain(mapping), Dumper=_Dumper, sort_keys=False, default_flow_style=None,
                     allow_unicode=True, width=YAML_WIDTH)
    return "\n".join(comment) + "\n" + body


def write_area_yaml(mapping: dict[str, Any], path: PathLike, *, header: str | None = None) -> Path:
    """Validate ``mapping`` as a scenario and write it to ``path`` atomically.

    The text goes to a temporary file in the same folder, which then replaces ``path``
    (``os.replace``), so a reader never sees half a file.

    Args:
        mapping: from :func:`sim.nhsdata.area.build_area`.
        path: where to write (folders are created).
        header: the comment header (default: the mapping's ``description``).

    Raises:
        sim.config.loading.ScenarioError: the mapping is not a valid scenario (nothing is written).
    """
    target = Path(path)
    text = area_yaml_text(mapping, header)
    scenario_from_mapping(yaml.safe_load(text), target, text)
    # temp file + rename, readable permissions like every output
    return atomic_write(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))
