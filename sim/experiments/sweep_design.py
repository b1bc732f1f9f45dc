"""Sweep designs: a grid file validated and expanded into points (full factorial, LHS, Morris, Sobol).

A grid file names scenario parameters by dotted paths (:mod:`sim.experiments.sweep_paths`) and
chooses exactly one design (see :mod:`sim.experiments.sweep` for the file format). Every problem
is a :class:`GridError` naming the file and the key at fault.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sim.experiments.sweep_paths import DottedPath, parse_path

DESIGNS = ("parameters", "latin_hypercube", "morris", "sobol")

#: Morris grid levels when the grid file gives none (SALib's default).
DEFAULT_MORRIS_LEVELS = 4

Scalar = int | float | str | bool


class GridError(ValueError):
    """A grid file that cannot be used: names the file, the key and what is allowed."""

    def __init__(self, file: str | Path, key: str, message: str):
        self.file = str(file)
        self.key = key
        self.message = message
        super().__init__(f"{self.file}: {key}: {message}" if key else f"{self.file}: {message}")


@dataclass(frozen=True)
class Grid:
    """A validated design: parameter paths and the list of points (path -> value)."""

    design: str
    parameters: tuple[str, ...]
    points: tuple[dict[str, Scalar], ...]
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    integers: tuple[str, ...] = ()
    fixed: dict[str, Scalar] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    source: str = "<grid>"
    raw: dict[str, Any] = field(default_factory=dict)

    def matrix(self) -> np.ndarray:
        """Points as a float matrix (rows in design order, columns in parameter order)."""
        return np.array([[float(pt[p]) for p in self.parameters] for pt in self.points], dtype=float)


@dataclass(frozen=True)
class _Design:
    """What one design section expands to."""

    names: list[str]
    points: tuple[dict[str, Scalar], ...]
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    integers: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)


def _is_scalar(v: Any) -> bool:
    """A number (finite), string or boolean: what a grid may set a parameter to."""
    return isinstance(v, int | float | str | bool) and not (isinstance(v, float) and not np.isfinite(v))


def _is_number(v: Any) -> bool:
    """A finite int or float, not a boolean."""
    return isinstance(v, int | float) and not isinstance(v, bool) and bool(np.isfinite(v))


def _check_keys(src: str, where: str, data: Any, required: set[str], optional: set[str]) -> None:
    """Raise unless ``data`` is a mapping with every required key and no unknown one."""
    if not isinstance(data, dict):
        raise GridError(src, where, "must be a mapping (key: value lines)")
    allowed = required | optional
    for k in data:
        if k not in allowed:
            raise GridError(src, f"{where}.{k}" if where else str(k),
                            f"unknown key; allowed keys here: {', '.join(sorted(allowed))}")
    for k in sorted(required):
        if k not in data:
            raise GridError(src, f"{where}.{k}" if where else k, "required key is missing")


def _int_option(src: str, key: str, value: Any, low: int) -> int:
    """``value`` as a whole number of at least ``low``, else a GridError naming ``key``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise GridError(src, key, f"must be a whole number >= {low} (got {value!r})")
    return value


def _check_path(src: str, key: str, path: str) -> DottedPath:
    """The parsed dotted path, or a GridError naming ``key``."""
    try:
        return parse_path(path)
    except ValueError as exc:
        raise GridError(src, key, str(exc)) from None


def _ranges(src: str, where: str, data: Any) -> tuple[dict[str, tuple[float, float]], tuple[str, ...]]:
    """The ``ranges`` of a range-based design, and the parameters whose bounds are both integers."""
    if not isinstance(data, dict) or not data:
        raise GridError(src, f"{where}.ranges", "must map each parameter path to [low, high]")
    out, ints = {}, []
    for name, bounds in data.items():
        key = f"{where}.ranges.{name}"
        _check_path(src, key, name)
        if (not isinstance(bounds, list) or len(bounds) != 2 or not all(_is_number(b) for b in bounds)):
            raise GridError(src, key, f"must be [low, high], two numbers (got {bounds!r})")
        lo, hi = bounds
        if not lo < hi:
            raise GridError(src, key, f"low must be below high (got [{lo}, {hi}])")
        out[str(name)] = (float(lo), float(hi))
        if isinstance(lo, int) and isinstance(hi, int):
            ints.append(str(name))
    return out, tuple(ints)


def _as_values(matrix: np.ndarray, names: list[str], ints: tuple[str, ...]) -> tuple[dict[str, Scalar], ...]:
    """Rows of a sample matrix as points, integer parameters rounded to whole numbers."""
    points = []
    for row in matrix:
        pt: dict[str, Scalar] = {}
        for name, x in zip(names, row, strict=True):
            pt[name] = round(float(x)) if name in ints else float(x)
        points.append(pt)
    return tuple(points)


def _salib_problem(names: list[str], ranges: dict[str, tuple[float, float]]) -> dict[str, Any]:
    """SALib's problem dict (names and bounds) for a range-based design."""
    return {"num_vars": len(names), "names": names, "bounds": [list(ranges[p]) for p in names]}


def _fixed(src: str, data: dict[str, Any]) -> dict[str, Scalar]:
    """The grid's ``fixed`` section: paths set on every point."""
    fixed: dict[str, Scalar] = {}
    if "fixed" not in data:
        return fixed
    if not isinstance(data["fixed"], dict):
        raise GridError(src, "fixed", "must map parameter paths to values")
    for name, value in data["fixed"].items():
        _check_path(src, f"fixed.{name}", name)
        if not _is_scalar(value):
            raise GridError(src, f"fixed.{name}", f"must be a number, string or boolean (got {value!r})")
        fixed[str(name)] = value
    return fixed


def _factorial(src: str, spec: Any) -> _Design:
    """``parameters:``: the full factorial over each parameter's list of values."""
    if not isinstance(spec, dict) or not spec:
        raise GridError(src, "parameters", "must map each parameter path to a list of values")
    names = []
    for name, values in spec.items():
        key = f"parameters.{name}"
        _check_path(src, key, name)
        if not isinstance(values, list) or not values:
            raise GridError(src, key, f"must be a non-empty list of values (got {values!r})")
        for v in values:
            if not _is_scalar(v):
                raise GridError(src, key, f"values must be numbers, strings or booleans (got {v!r})")
        if len({json.dumps(v) for v in values}) != len(values):
            raise GridError(src, key, "lists a value twice")
        names.append(str(name))
    points = tuple(dict(zip(names, combo, strict=True))
                   for combo in itertools.product(*(spec[n] for n in names)))
    return _Design(names, points)


def _latin_hypercube(src: str, spec: Any) -> _Design:
    """``latin_hypercube:``: a seeded Latin hypercube sample over the ranges (scipy.stats.qmc)."""
    # heavy (scipy.stats, ~0.3 s): imported only for a Latin-hypercube design, not by every command
    from scipy.stats import qmc

    design = "latin_hypercube"
    _check_keys(src, design, spec, {"samples", "ranges"}, {"seed"})
    n = _int_option(src, f"{design}.samples", spec["samples"], 1)
    seed = _int_option(src, f"{design}.seed", spec.get("seed", 0), 0)
    ranges, ints = _ranges(src, design, spec["ranges"])
    names = list(ranges)
    unit = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(seed)).random(n)
    lo = np.array([ranges[p][0] for p in names])
    hi = np.array([ranges[p][1] for p in names])
    return _Design(names, _as_values(qmc.scale(unit, lo, hi), names, ints), ranges, ints,
                   {"samples": n, "seed": seed})


def _morris(src: str, spec: Any) -> _Design:
    """``morris:``: Morris elementary-effect trajectories over the ranges (SALib)."""
    from SALib.sample import morris as morris_sample  # optional heavy dependency: SALib

    design = "morris"
    _check_keys(src, design, spec, {"trajectories", "ranges"}, {"levels", "seed"})
    n = _int_option(src, f"{design}.trajectories", spec["trajectories"], 2)
    levels = _int_option(src, f"{design}.levels", spec.get("levels", DEFAULT_MORRIS_LEVELS), 2)
    if levels % 2:
        raise GridError(src, f"{design}.levels", f"must be even (got {levels})")
    seed = _int_option(src, f"{design}.seed", spec.get("seed", 0), 0)
    ranges, ints = _ranges(src, design, spec["ranges"])
    names = list(ranges)
    x = morris_sample.sample(_salib_problem(names, ranges), n, num_levels=levels, seed=seed)
    return _Design(names, _as_values(x, names, ints), ranges, ints,
                   {"trajectories": n, "levels": levels, "seed": seed})


def _sobol(src: str, spec: Any) -> _Design:
    """``sobol:``: a Saltelli sample for Sobol indices over the ranges (SALib)."""
    from SALib.sample import sobol as sobol_sample  # optional heavy dependency: SALib

    design = "sobol"
    _check_keys(src, design, spec, {"samples", "ranges"}, {"second_order", "seed"})
    n = _int_option(src, f"{design}.samples", spec["samples"], 2)
    if n & (n - 1):
        raise GridError(src, f"{design}.samples", f"must be a power of 2 (got {n})")
    second = spec.get("second_order", False)
    if not isinstance(second, bool):
        raise GridError(src, f"{design}.second_order", f"must be true or false (got {second!r})")
    seed = _int_option(src, f"{design}.seed", spec.get("seed", 0), 0)
    ranges, ints = _ranges(src, design, spec["ranges"])
    names = list(ranges)
    x = sobol_sample.sample(_salib_problem(names, ranges), n, calc_second_order=second, seed=seed)
    return _Design(names, _as_values(x, names, ints), ranges, ints,
                   {"samples": n, "second_order": second, "seed": seed})


_EXPAND: dict[str, Callable[[str, Any], _Design]] = {
    "parameters": _factorial, "latin_hypercube": _latin_hypercube, "morris": _morris,
    "sobol": _sobol,
}


def parse_grid(data: Any, source: str | Path = "<grid>") -> Grid:
    """Validate a grid mapping and expand it into points.

    Raises:
        GridError: naming the source and key of the first problem.
    """
    src = str(source)
    if not isinstance(data, dict):
        raise GridError(src, "", "a grid file must be a mapping with one of: " + ", ".join(DESIGNS))
    _check_keys(src, "", data, set(), {*DESIGNS, "fixed", "description"})
    designs = [d for d in DESIGNS if d in data]
    if len(designs) != 1:
        found = ", ".join(designs) if designs else "none"
        raise GridError(src, "", f"give exactly one design of: {', '.join(DESIGNS)} (found {found})")
    design = designs[0]
    fixed = _fixed(src, data)
    expanded = _EXPAND[design](src, data[design])
    overlap = set(fixed) & set(expanded.names)
    if overlap:
        raise GridError(src, f"fixed.{sorted(overlap)[0]}", "is also a swept parameter")
    return Grid(design=design, parameters=tuple(expanded.names), points=expanded.points,
                ranges=expanded.ranges, integers=expanded.integers, fixed=fixed,
                options=expanded.options, source=src, raw=copy.deepcopy(data))


def load_grid(path: str | Path) -> Grid:
    """Read and validate a grid YAML file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GridError(path, "", "file not found") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise GridError(path, where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    return parse_grid(data, path)


def design_key(grid: Grid) -> str:
    """The grid-file key that lists the swept parameters (for error messages)."""
    return "parameters" if grid.design == "parameters" else f"{grid.design}.ranges"
