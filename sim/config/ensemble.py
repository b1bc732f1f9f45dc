"""The ``ensemble:`` of a calibrated scenario: parameter sets consistent with the data, with weights.

``gpsim calibrate`` writes one member per parameter set it could not rule out (see
calibration/README.md, "Parameter uncertainty"). Each member carries the calibration parameters it
stands for (``parameters``, for the record) and the scenario fields they set (``overrides``: a
nested mapping merged into the scenario, as an ``extends`` child is). ``compare`` and ``sweep`` run
replication r with the member drawn for (seed, r)
(:func:`sim.experiments.ensemble.member_index`), the same member in every
scenario of a comparison: common random numbers for parameters too.
"""

from __future__ import annotations

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
