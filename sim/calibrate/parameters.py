"""The parameters the calibration fits, and how each one changes a full scenario mapping.

Parameters (:data:`PARAMETERS`), each applied to a full scenario mapping:

* ``rate_multiplier`` -> ``demand.rate_multiplier`` (requests per patient, all needs);
* ``non_gp_need_share``: the share of need whose *first* eligible role is not a GP (care
  navigation sends it to nurses, HCAs, pharmacists, paramedics, ... first). The need types are
  split into GP-first and other-first; the other-first shares are rescaled to sum to this value
  and the GP-first shares to one minus it, each group keeping its internal proportions;
* ``routine_tolerance_days`` -> ``booking.routine_tolerance_days_mean`` (wait tolerance);
* ``lead_scale``: multiplier on every need's ``lead_days_mean`` (how far ahead routine requests
  want to be seen: the booking-interval mix);
* ``lead_spread``: each need's ``lead_days_mean`` becomes ``G * (lead / G) ** lead_spread``, G
  their geometric mean: the spread between short-notice needs (acute) and planned ones (reviews,
  procedures), which shapes the tail of the booking-interval mix;
* ``urgent_scale``: multiplier on every need's ``same_day_share`` (capped at 1);
* ``same_day_slot_scale``: multiplier on every role's ``same_day_slot_share`` (capped at 1): fewer
  slots held for the day push urgent requests to the next day and free routine slots;
* ``remote_scale``: multiplier on every need's telephone and video/online ``mode_shares`` (then
  renormalised; face-to-face and home visits keep their proportions);
* ``dna_multiplier``: multiplier on ``booking.dna_same_day``, ``dna_next_day``,
  ``dna_2_to_7_days`` and ``dna_8_plus_days`` (capped at 1);
* ``continuity_extra_days`` -> ``booking.continuity_extra_days`` (0 to 7): waiting for the usual
  GP moves next-day appointments later;
* ``book_ahead_days`` -> ``booking.book_ahead_days`` (28 to 56 in steps of 7: appointments booked
  more than 28 days ahead need a book open that far);
* ``lead_shape`` -> ``demand.lead_shape``: the negative binomial shape of preferred days ahead (1
  geometric; higher gathers leads around their mean: the 8-21 day hump and a thinner tail past
  28 days).
* ``next_day_share`` -> ``demand.next_day_share``: the share of routine requests asking for the
  next working day (0 to 0.4): the "1 Day" spike that no lead distribution of the family has.

Values are written to the scenario rounded to :data:`DECIMALS` places (what calibrated.yaml shows).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

#: Decimal places of every value a parameter writes into the scenario.
DECIMALS = 6

#: The remote consultation modes ``remote_scale`` multiplies.
REMOTE_MODES = ("telephone", "video_online")

#: The four did-not-attend rates by lead time that ``dna_multiplier`` multiplies.
DNA_FIELDS = ("dna_same_day", "dna_next_day", "dna_2_to_7_days", "dna_8_plus_days")

Setter = Callable[[dict[str, Any], float], None]


def gp_first(mapping: dict[str, Any]) -> dict[str, bool]:
    """For each need type of a full mapping, whether its first eligible role is a GP."""
    roles = mapping["roles"]
    return {name: roles[need["eligible_roles"][0]]["kind"] == "gp"
            for name, need in mapping["demand"]["need_types"].items()}


def non_gp_need_share(mapping: dict[str, Any]) -> float:
    """Share of need types whose first eligible role is not a GP."""
    first = gp_first(mapping)
    needs = mapping["demand"]["need_types"]
    total = sum(n["share"] for n in needs.values())
    return sum(n["share"] for k, n in needs.items() if not first[k]) / total


def _set_non_gp(mapping: dict[str, Any], value: float) -> None:
    """Rescale the need shares so that ``value`` of need goes first to a non-GP role."""
    first = gp_first(mapping)
    needs = mapping["demand"]["need_types"]
    other = sum(n["share"] for k, n in needs.items() if not first[k])
    gp = sum(n["share"] for k, n in needs.items() if first[k])
    if other <= 0 or gp <= 0:
        return  # nothing to move between the groups
    for k, n in needs.items():
        n["share"] = round(n["share"] * ((1 - value) / gp if first[k] else value / other), DECIMALS)
    drift = 1.0 - sum(n["share"] for n in needs.values())
    biggest = max(needs, key=lambda k: needs[k]["share"])
    needs[biggest]["share"] = round(needs[biggest]["share"] + drift, DECIMALS)


def _scale_needs(key: str, cap: float | None = None) -> Setter:
    """A setter multiplying every need's ``key`` by the value (capped at ``cap``)."""

    def apply(mapping: dict[str, Any], value: float) -> None:
        for need in mapping["demand"]["need_types"].values():
            v = need[key] * value
            need[key] = round(min(v, cap) if cap is not None else v, DECIMALS)
    return apply


def _spread_leads(mapping: dict[str, Any], value: float) -> None:
    """Raise each need's preferred days ahead, relative to their geometric mean, to ``value``."""
    needs = [n for n in mapping["demand"]["need_types"].values() if n["lead_days_mean"] > 0]
    if len(needs) < 2:
        return
    centre = math.exp(sum(math.log(n["lead_days_mean"]) for n in needs) / len(needs))
    for n in needs:
        n["lead_days_mean"] = round(centre * (n["lead_days_mean"] / centre) ** value, DECIMALS)


def _scale_remote(mapping: dict[str, Any], value: float) -> None:
    """Multiply each need's remote mode shares by ``value``, keeping the shares' total."""
    for need in mapping["demand"]["need_types"].values():
        shares = {m: float(s) for m, s in need["mode_shares"].items()}
        total = sum(shares.values())
        if total <= 0:
            continue
        scaled = {m: s * (value if m in REMOTE_MODES else 1.0) for m, s in shares.items()}
        z = sum(scaled.values())
        need["mode_shares"] = {m: round(s / z * total, DECIMALS) for m, s in scaled.items()}


def _scale_same_day_slots(mapping: dict[str, Any], value: float) -> None:
    """Multiply every role's same-day slot share by ``value`` (at most 1)."""
    for spec in mapping["roles"].values():
        if spec.get("same_day_slot_share") is not None:
            spec["same_day_slot_share"] = round(min(1.0, spec["same_day_slot_share"] * value), DECIMALS)


def _scale_dna(mapping: dict[str, Any], value: float) -> None:
    """Multiply the four DNA rates by ``value`` (each at most 1)."""
    for key in DNA_FIELDS:
        mapping["booking"][key] = round(min(1.0, mapping["booking"][key] * value), DECIMALS)


def _setter(section: str, key: str, cast: Callable[[float], Any] = float) -> Setter:
    """A setter writing the value (cast) to ``mapping[section][key]``."""

    def apply(mapping: dict[str, Any], value: float) -> None:
        mapping[section][key] = cast(value)
    return apply


@dataclass(frozen=True)
class Parameter:
    """One fitted parameter: its search range and how it changes a full scenario mapping.

    Attributes:
        name: the name in parameters.csv and the manifest.
        low, high: search range.
        description: what it is, with units.
        fields: the scenario fields it writes.
        apply: ``apply(mapping, value)`` changes a full mapping (``Scenario.model_dump``) in place.
        base: ``base(mapping)`` is the value the input scenario implies (1 for multipliers).
        log: search on a log scale.
        step: for integer parameters, the step (the value is an int).
    """

    name: str
    low: float
    high: float
    description: str
    fields: str
    apply: Setter
    base: Callable[[dict[str, Any]], float]
    log: bool = False
    step: int | None = None

    def clip(self, value: float) -> float:
        """``value`` inside the range (and on the step grid for integers)."""
        v = min(max(float(value), self.low), self.high)
        if self.step is not None:
            v = self.low + round((v - self.low) / self.step) * self.step
            return int(min(max(v, self.low), self.high))
        return v


def _one(_: dict[str, Any]) -> float:
    """The input value of a multiplier: 1."""
    return 1.0


PARAMETERS: tuple[Parameter, ...] = (
    Parameter("rate_multiplier", 0.3, 1.6, "multiplier on every request rate (per patient a year)",
              "demand.rate_multiplier", _setter("demand", "rate_multiplier"),
              lambda m: float(m["demand"]["rate_multiplier"])),
    Parameter("non_gp_need_share", 0.1, 0.9,
              "share of need whose first eligible role is not a GP (need shares rescaled)",
              "demand.need_types.*.share", _set_non_gp, non_gp_need_share),
    Parameter("routine_tolerance_days", 1.0, 40.0,
              "mean days a routine request waits beyond its preferred day (wait tolerance)",
              "booking.routine_tolerance_days_mean",
              _setter("booking", "routine_tolerance_days_mean"),
              lambda m: float(m["booking"]["routine_tolerance_days_mean"])),
    Parameter("lead_scale", 0.2, 3.0, "multiplier on every need's preferred days ahead",
              "demand.need_types.*.lead_days_mean", _scale_needs("lead_days_mean"), _one,
              log=True),
    Parameter("lead_spread", 0.5, 2.5,
              "power on each need's preferred days ahead relative to their geometric mean "
              "(above 1: short leads shorter and long leads longer)",
              "demand.need_types.*.lead_days_mean", _spread_leads, _one),
    Parameter("urgent_scale", 0.5, 1.6, "multiplier on every need's share wanting the same day",
              "demand.need_types.*.same_day_share", _scale_needs("same_day_share", cap=1.0),
              _one),
    Parameter("same_day_slot_scale", 0.3, 1.8,
              "multiplier on the share of slots held for booking on the day (every role)",
              "roles.*.same_day_slot_share",
              _scale_same_day_slots, _one),
    Parameter("remote_scale", 0.05, 2.0,
              "multiplier on telephone and video/online mode shares (then renormalised)",
              "demand.need_types.*.mode_shares", _scale_remote, _one, log=True),
    Parameter("dna_multiplier", 0.5, 3.0, "multiplier on the four did-not-attend rates by lead time",
              "booking.dna_*", _scale_dna, _one),
    Parameter("continuity_extra_days", 0, 7,
              "extra days a continuity-minded patient waits for their usual GP",
              "booking.continuity_extra_days", _setter("booking", "continuity_extra_days", int),
              lambda m: float(m["booking"]["continuity_extra_days"]), step=1),
    Parameter("book_ahead_days", 28, 56, "days ahead the appointment book is open",
              "booking.book_ahead_days", _setter("booking", "book_ahead_days", int),
              lambda m: float(m["booking"]["book_ahead_days"]), step=7),
    Parameter("lead_shape", 1.0, 8.0,
              "negative binomial shape of preferred days ahead (1: geometric)",
              "demand.lead_shape", _setter("demand", "lead_shape"),
              lambda m: float(m["demand"].get("lead_shape", 1.0)), log=True),
    Parameter("next_day_share", 0.0, 0.4,
              "share of routine requests asking for the next working day",
              "demand.next_day_share", _setter("demand", "next_day_share"),
              lambda m: float(m["demand"].get("next_day_share", 0.0))),
)

PARAMETER_NAMES = tuple(p.name for p in PARAMETERS)


def parameters_by_name(names: Sequence[str] | None = None) -> list[Parameter]:
    """The parameters named (all by default), in :data:`PARAMETERS` order."""
    if names is None:
        return list(PARAMETERS)
    unknown = set(names) - set(PARAMETER_NAMES)
    if unknown:
        raise ValueError(f"unknown parameter(s) {', '.join(sorted(unknown))}; "
                         f"allowed: {', '.join(PARAMETER_NAMES)}")
    return [p for p in PARAMETERS if p.name in names]


def base_values(mapping: dict[str, Any], params: Sequence[Parameter]) -> dict[str, float]:
    """The values the input scenario implies, clipped into the search ranges."""
    return {p.name: p.clip(p.base(mapping)) for p in params}


def apply_parameters(mapping: dict[str, Any], values: dict[str, float],
                     params: Sequence[Parameter] = PARAMETERS) -> dict[str, Any]:
    """A copy of a full scenario mapping with ``values`` applied (parameters not given unchanged)."""
    out = copy.deepcopy(mapping)
    for p in params:
        if p.name in values:
            p.apply(out, values[p.name])
    return out


def fitted_overrides(full: dict[str, Any], seasonality: Sequence[float] | None) -> dict[str, Any]:
    """The scenario fields the calibration sets, as a mapping to merge into the input YAML."""
    demand = {"rate_multiplier": full["demand"]["rate_multiplier"],
              "need_types": copy.deepcopy(full["demand"]["need_types"]),
              "lead_shape": full["demand"].get("lead_shape", 1.0),
              "next_day_share": full["demand"].get("next_day_share", 0.0)}
    if full["demand"].get("holiday_booking") is not None:
        demand["holiday_booking"] = copy.deepcopy(full["demand"]["holiday_booking"])
    if seasonality is not None:
        demand["monthly_seasonality"] = [float(v) for v in seasonality]
    booking = {k: full["booking"][k] for k in ("routine_tolerance_days_mean", "book_ahead_days",
                                               "continuity_extra_days",
                                               *DNA_FIELDS)}
    roles = copy.deepcopy(full["roles"])  # whole specs: a partial role would not validate
    return {"demand": demand, "booking": booking, "roles": roles}
