"""The ``ensemble:`` of a calibrated scenario: parameter sets consistent with the data, with weights.

``gpsim calibrate`` writes one member per parameter set it could not rule out (see
calibration/README.md, "Parameter uncertainty"). Each member carries the calibration parameters it
stands for (``parameters``, for the record) and the scenario fields they set (``overrides``: a
nested mapping merged into the scenario, as an ``extends`` child is). The first member is the
fitted set: its overrides hold the fitted value of every field any member varies, so a scenario
that changes one of those fields (a lever, a sweep point) keeps its own value there and the
members vary only the rest (:func:`unchanged_only`). ``compare`` and ``sweep`` run
replication r with the member drawn for (seed, r)
(:func:`sim.experiments.ensemble.member_index`), the same member in every
scenario of a comparison: common random numbers for parameters too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import Field

from sim.config.types import Strict

#: Top-level scenario sections a member may override (its parameters, never the area or horizon).
OVERRIDABLE_SECTIONS = ("demand", "booking", "roles", "walk_in", "workforce", "admin")


class EnsembleMember(Strict):
    """One parameter set of a calibrated ensemble."""

    weight: float = Field(gt=0.0, le=1e6, description="relative weight of the member (any scale)")
    parameters: dict[str, float] = Field(
        default_factory=dict, description="calibration parameter values it stands for (record only)")
    overrides: dict[str, Any] = Field(
        default_factory=dict,
        description="scenario fields the member sets, nested as in the scenario (demand, booking, "
                    "roles, walk_in, workforce, admin)")


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into ``base``: mappings key by key, anything else replaced."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def unchanged_only(override: dict[str, Any], reference: dict[str, Any],
                   scenario: dict[str, Any]) -> dict[str, Any]:
    """``override`` without the fields the scenario has changed from the reference (first) member.

    A field the scenario sets to a value other than the fitted one is its own (a lever): the
    member does not overwrite it. Fields the reference does not list are kept.
    """
    out: dict[str, Any] = {}
    for key, value in override.items():
        ref, own = reference.get(key), scenario.get(key) if isinstance(scenario, dict) else None
        if isinstance(value, dict) and isinstance(ref, dict) and isinstance(own, dict):
            inner = unchanged_only(value, ref, own)
            if inner:
                out[key] = inner
        elif key in reference and own != ref:
            continue  # the scenario changed this field: its value wins
        else:
            out[key] = value
    return out


def member_mapping(base: dict[str, Any], members: Sequence[EnsembleMember], k: int) -> dict[str, Any]:
    """Scenario mapping ``base`` (no ensemble) with member ``k``'s overrides where it kept the fitted values."""
    return merge(base, unchanged_only(members[k].overrides, members[0].overrides, base))


def check_members(validate: Callable[[dict[str, Any]], Any], base: dict[str, Any],
                  members: Sequence[EnsembleMember]) -> None:
    """Raise ValueError naming ``ensemble[k]`` where a member varies a fixed section or is invalid."""
    for k, member in enumerate(members):
        bad = sorted(set(member.overrides) - set(OVERRIDABLE_SECTIONS))
        if bad:
            raise ValueError(f"ensemble[{k}].overrides: {', '.join(bad)} cannot vary between "
                             f"members (only {', '.join(OVERRIDABLE_SECTIONS)})")
        try:
            validate(merge(base, member.overrides))
        except ValueError as exc:
            raise ValueError(f"ensemble[{k}].overrides give an invalid scenario: {exc}") from None
