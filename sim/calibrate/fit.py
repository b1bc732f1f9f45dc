"""The fit: Optuna TPE over the parameters the GPAD data can identify, then evaluation.

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

Two calendar terms are not fitted to the area either: ``need_types.<need>.monthly_share_factor``
(the seasonal staff mix, from other areas' GP and other-staff profiles) and
``demand.holiday_booking.avoid_share``, set after the TPE stage so the model's December same-day
lift matches the other areas' (:func:`estimate_holiday_share`).

``demand.monthly_seasonality`` is not fitted to the area: it is estimated from the other areas'
data (:func:`sim.calibrate.observed.seasonal_profile`) before the fit, and corrected after the TPE
stage so that the model's *appointments* follow that profile (:func:`correct_seasonality`).

Each trial simulates the fit months on the practice sample for ``reps`` replications (numbered
0, 1, ...: common random numbers across trials), averages the simulated targets over the
replications and scores them with the components (:mod:`sim.calibrate.targets`). The fit
starts from the input scenario and moment-matches the directly identified parameters (rate, DNA,
remote, same-day, non-GP and next-day share) for a few pilot trials; Optuna's multivariate TPE sampler
(fixed seed) proposes the rest; the request seasonality is then corrected for the lag between
requests and appointments and a last moment-matching step polishes the result (:func:`fit`).
The best parameters are then run ``eval_reps`` times over the fit and held-out months: the mean and
the 2.5-97.5% range over replications are the simulated value and interval of the fit table.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.calibrate.observed import TARGET_NAMES
from sim.calibrate.simulated import simulated_targets
from sim.calibrate.targets import Component, total_distance
from sim.config.loading import scenario_from_mapping
from sim.config.scenario import Scenario

Progress = Callable[[str, int, int], None]

_REMOTE = ("telephone", "video_online")
_DNA_FIELDS = ("dna_same_day", "dna_next_day", "dna_2_to_7_days", "dna_8_plus_days")


# ---------------------------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------------------------


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
    first = gp_first(mapping)
    needs = mapping["demand"]["need_types"]
    other = sum(n["share"] for k, n in needs.items() if not first[k])
    gp = sum(n["share"] for k, n in needs.items() if first[k])
    if other <= 0 or gp <= 0:
        return  # nothing to move between the groups
    for k, n in needs.items():
        n["share"] = round(n["share"] * ((1 - value) / gp if first[k] else value / other), 6)
    drift = 1.0 - sum(n["share"] for n in needs.values())
    biggest = max(needs, key=lambda k: needs[k]["share"])
    needs[biggest]["share"] = round(needs[biggest]["share"] + drift, 6)


def _scale_needs(key: str, cap: float | None = None) -> Callable[[dict[str, Any], float], None]:
    def apply(mapping: dict[str, Any], value: float) -> None:
        for need in mapping["demand"]["need_types"].values():
            v = need[key] * value
            need[key] = round(min(v, cap) if cap is not None else v, 6)
    return apply


def _spread_leads(mapping: dict[str, Any], value: float) -> None:
    needs = [n for n in mapping["demand"]["need_types"].values() if n["lead_days_mean"] > 0]
    if len(needs) < 2:
        return
    centre = math.exp(sum(math.log(n["lead_days_mean"]) for n in needs) / len(needs))
    for n in needs:
        n["lead_days_mean"] = round(centre * (n["lead_days_mean"] / centre) ** value, 6)


def _scale_remote(mapping: dict[str, Any], value: float) -> None:
    for need in mapping["demand"]["need_types"].values():
        shares = {m: float(s) for m, s in need["mode_shares"].items()}
        total = sum(shares.values())
        if total <= 0:
            continue
        scaled = {m: s * (value if m in _REMOTE else 1.0) for m, s in shares.items()}
        z = sum(scaled.values())
        need["mode_shares"] = {m: round(s / z * total, 6) for m, s in scaled.items()}


def _scale_same_day_slots(mapping: dict[str, Any], value: float) -> None:
    for spec in mapping["roles"].values():
        if spec.get("same_day_slot_share") is not None:
            spec["same_day_slot_share"] = round(min(1.0, spec["same_day_slot_share"] * value), 6)


def _scale_dna(mapping: dict[str, Any], value: float) -> None:
    for key in _DNA_FIELDS:
        mapping["booking"][key] = round(min(1.0, mapping["booking"][key] * value), 6)


def _setter(section: str, key: str, cast: Callable[[float], Any] = float
            ) -> Callable[[dict[str, Any], float], None]:
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
    apply: Callable[[dict[str, Any], float], None]
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
                                               *_DNA_FIELDS)}
    roles = copy.deepcopy(full["roles"])  # whole specs: a partial role would not validate
    return {"demand": demand, "booking": booking, "roles": roles}


# ---------------------------------------------------------------------------------------------
# Simulation
# ---------------------------------------------------------------------------------------------


def span(months: Sequence[pd.Timestamp]) -> tuple[pd.Timestamp, int]:
    """(first day, number of days) covering ``months`` from the first to the end of the last."""
    first = min(months)
    last = max(months) + pd.offsets.MonthEnd(0)
    return first, int((last - first).days) + 1


def warm_up_for(mapping: dict[str, Any]) -> int:
    """Warm-up days that fill the whole appointment book: the scenario's, or book length + 7."""
    booking = mapping.get("booking", {})
    return int(min(365, max(int(mapping.get("warm_up_days", 28)),
                            int(booking.get("book_ahead_days", 28)) + 7)))


def scenario_for(mapping: dict[str, Any], months: Sequence[pd.Timestamp]) -> Scenario:
    """Validate ``mapping`` as a scenario that runs from the first month to the end of the last.

    The warm-up is lengthened to :func:`warm_up_for` so the first month's book is full.
    """
    first, days = span(months)
    m = dict(mapping)
    m["start_date"] = first.date().isoformat()
    m["horizon_days"] = days
    m["warm_up_days"] = warm_up_for(mapping)
    return scenario_from_mapping(m, "<calibration>")


def run_targets(scenario: Scenario, replication: int, months: Sequence[pd.Timestamp],
                list_size: int | None = None) -> pd.DataFrame:
    """One replication of ``scenario`` -> simulated targets (long) for ``months``.

    Only the model and its ledger are built (no summaries), to keep trials cheap. The model is
    released afterwards (Mesa would otherwise keep every trial's model alive: a fit grew to 8 GB).
    """
    from sim.experiments.parallel import release_models
    from sim.experiments.runner import build_model
    from sim.results.tables import ledger_frame

    with release_models():
        model = build_model(scenario, replication)
        model.run()
        ledger = ledger_frame(model)
        del model
    return simulated_targets(ledger, scenario, months, list_size)


def mean_targets(runs: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Mean over replications of long target tables."""
    both = pd.concat(runs, ignore_index=True)
    return both.groupby(["month", "target"], as_index=False)[["value", "n"]].mean()


def interval_targets(runs: Sequence[pd.DataFrame], level: float = 0.95) -> pd.DataFrame:
    """Mean and the central ``level`` range over replications, per month and target."""
    both = pd.concat(runs, ignore_index=True)
    lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
    g = both.groupby(["month", "target"])["value"]
    out = pd.DataFrame({"mean": g.mean(), "lower": g.quantile(lo), "upper": g.quantile(hi),
                        "reps": g.count()})
    return out.reset_index()


# ---------------------------------------------------------------------------------------------
# Fit
# ---------------------------------------------------------------------------------------------


def correct_seasonality(mapping: dict[str, Any], target: Sequence[float],
                        window: Sequence[pd.Timestamp], *, reps: int = 2,
                        list_size: int | None = None) -> tuple[list[float], pd.DataFrame]:
    """One fixed-point step on the request profile towards an appointment profile.

    ``demand.monthly_seasonality`` is moved so that simulated *appointments* follow ``target``
    (the other areas' appointment profile).
    Requests booked ahead turn into appointments days or weeks later, so the model smooths its
    request profile: a low-demand month after a busy one (December after November, August after
    July) gets more appointments than its requests. The run covers ``window`` (12 months) plus
    one month before it (discarded, for the book to settle); attended appointments per weighted
    working day, normalised, give the simulated profile ``s``; the new request profile is
    ``current * target / s`` normalised to mean 1. No data of the fitted area is used.

    Returns:
        (the new 12 values, the table month, target, simulated, current, new).
    """
    from sim.calibrate.observed import weighted_days

    window = [pd.Timestamp(m) for m in window]
    months = [window[0] - pd.DateOffset(months=1), *window]
    sc = scenario_for(mapping, months)
    sim = mean_targets([run_targets(sc, r, months, list_size) for r in range(reps)])
    att = sim.loc[sim["target"] == "attended_per_1000"].set_index("month")["value"]
    per_day = pd.Series({m: att[m] / weighted_days(m, sc.demand.day_of_week) for m in window})
    per_day = per_day / per_day.mean()
    current = list(mapping["demand"]["monthly_seasonality"])
    new = list(current)
    rows = []
    for m in window:
        k = m.month - 1
        new[k] = current[k] * target[k] / per_day[m]
    mean = sum(new) / 12
    new = [round(v / mean, 4) for v in new]
    for m in window:
        k = m.month - 1
        rows.append({"month": m.strftime("%Y-%m"), "target": target[k],
                     "simulated": float(per_day[m]), "current": current[k], "new": new[k]})
    return new, pd.DataFrame(rows)


def same_day_lift(sim: pd.DataFrame, december: pd.Timestamp) -> float:
    """December's same-day share minus the mean of November's and January's, in points."""
    same = sim.loc[sim["target"] == "wait_bin:Same Day"].set_index("month")["value"]
    nov, jan = december - pd.DateOffset(months=1), december + pd.DateOffset(months=1)
    return float(100.0 * (same[december] - (same[nov] + same[jan]) / 2))


def estimate_holiday_share(mapping: dict[str, Any], target_lift: float, december: pd.Timestamp,
                           *, reps: int = 2, list_size: int | None = None
                           ) -> tuple[float, pd.DataFrame]:
    """``demand.holiday_booking.avoid_share`` that gives the model the other areas' December lift.

    The model runs November to January with the share at 0 and at 1 (``reps`` replications
    each, common random numbers); the December same-day lift (:func:`same_day_lift`) is
    interpolated linearly between the two to reach ``target_lift`` (the other areas' lift, from
    :func:`sim.calibrate.observed.december_same_day_lift`), and clipped to 0-1. No data of the
    fitted area is used.

    Returns:
        (the share, table: avoid_share, simulated lift, target lift).
    """
    december = pd.Timestamp(december)
    months = [december - pd.DateOffset(months=1), december, december + pd.DateOffset(months=1)]
    lifts = {}
    for share in (0.0, 1.0):
        m = copy.deepcopy(mapping)
        m["demand"]["holiday_booking"] = {**(m["demand"].get("holiday_booking") or {}),
                                          "avoid_share": share}
        sc = scenario_for(m, months)
        lifts[share] = same_day_lift(
            mean_targets([run_targets(sc, r, months, list_size) for r in range(reps)]), december)
    gain = lifts[1.0] - lifts[0.0]
    share = 0.0 if gain <= 1e-9 else min(1.0, max(0.0, (target_lift - lifts[0.0]) / gain))
    table = pd.DataFrame({"avoid_share": [0.0, 1.0, round(share, 4)],
                          "simulated_lift_pp": [lifts[0.0], lifts[1.0], float("nan")],
                          "target_lift_pp": [target_lift] * 3,
                          "row": ["run", "run", "chosen"]})
    return round(share, 4), table


@dataclass
class FitResult:
    """What :func:`fit` found.

    Attributes:
        best: best parameter values.
        best_distance: the weighted objective at ``best``.
        trials: one row per trial: number, distance, each component's distance, each parameter.
        base: the input scenario's values.
        seconds: wall time of the fit.
        components: each component's distance at ``best``.
        seasonality: the request profile the best trial ran with (corrected, where a
            seasonal target was given).
        season_steps: the correction steps (see :func:`correct_seasonality`).
        holiday_share: ``demand.holiday_booking.avoid_share`` chosen (None: not estimated).
        holiday_steps: the runs behind it (see :func:`estimate_holiday_share`).
    """

    best: dict[str, float]
    best_distance: float
    trials: pd.DataFrame
    base: dict[str, float]
    seconds: float
    components: dict[str, float] = field(default_factory=dict)
    seasonality: list[float] | None = None
    season_steps: pd.DataFrame = field(default_factory=pd.DataFrame)
    holiday_share: float | None = None
    holiday_steps: pd.DataFrame = field(default_factory=pd.DataFrame)


def _moment_match(base: dict[str, float], params: Sequence[Parameter], comps: Sequence[Component],
                  sim: pd.DataFrame) -> dict[str, float]:
    """Base values moved by the ratio of observed to simulated where that is direct."""
    out = dict(base)
    names = {p.name: p for p in params}

    def ratio(target: str) -> float | None:
        for c in comps:
            if target in c.targets:
                o = float(c.observed[target].mean())
                s = float(c.extract(sim)[target].mean())
                if s > 0 and o > 0 and math.isfinite(s):
                    return o / s
        return None

    def odds(target: str) -> float | None:
        for c in comps:
            if target in c.targets:
                o = float(c.observed[target].mean())
                s = float(c.extract(sim)[target].mean())
                if 0 < o < 1 and 0 < s < 1:
                    return (o / (1 - o)) / (s / (1 - s))
        return None

    def next_day_step() -> float | None:
        # a routine request asking for the next working day lands in "1 Day" unless it is made on
        # a Friday (about 4 in 5): the "1 Day" share moves by about 0.8 x the routine share
        # (1 - Same Day) per unit of next_day_share; the step under-corrects where capacity
        # or leads that were already one day dampen that
        one, same = "wait_bin:1 Day", "wait_bin:Same Day"
        for c in comps:
            if one in c.targets and same in c.targets:
                o = float(c.observed[one].mean())
                s = float(c.extract(sim)[one].mean())
                routine = 1.0 - float(c.observed[same].mean())
                if math.isfinite(s) and routine > 0:
                    return (o - s) / (0.8 * routine)
        return None

    if "rate_multiplier" in names and (r := ratio("attended_per_1000")):
        out["rate_multiplier"] = names["rate_multiplier"].clip(base["rate_multiplier"] * r)
    if "dna_multiplier" in names and (r := ratio("dna_share")):
        out["dna_multiplier"] = names["dna_multiplier"].clip(base["dna_multiplier"] * r)
    if "remote_scale" in names and (r := odds("mode:Telephone")):
        out["remote_scale"] = names["remote_scale"].clip(base["remote_scale"] * r)
    if "urgent_scale" in names and (r := ratio("wait_bin:Same Day")):
        # same-day appointments are mostly requests wanting the day: move their share with it
        out["urgent_scale"] = names["urgent_scale"].clip(base["urgent_scale"] * r)
    if "next_day_share" in names and (d := next_day_step()) is not None:
        out["next_day_share"] = names["next_day_share"].clip(base["next_day_share"] + d)
    if "non_gp_need_share" in names and (r := odds("gp_share")):
        b = base["non_gp_need_share"]
        o = (b / (1 - b)) / r
        out["non_gp_need_share"] = names["non_gp_need_share"].clip(o / (1 + o))
    return out


def narrowed(params: Sequence[Parameter], centre: dict[str, float], *, factor: float = 1.3,
             share_width: float = 0.12) -> list[Parameter]:
    """Search ranges for the TPE stage: the directly identified parameters around the pilot.

    ``rate_multiplier``, ``dna_multiplier`` and ``urgent_scale`` search within ``centre /
    factor .. centre * factor``, ``remote_scale`` within ``factor ** 1.5`` of the centre,
    ``non_gp_need_share`` and ``next_day_share`` within ``share_width`` of it (all inside the
    global ranges); the
    booking-shape parameters keep their full ranges.
    """
    out = []
    for p in params:
        c = centre.get(p.name)
        if c is None or p.name not in _DIRECT:
            out.append(p)
            continue
        if p.name in ("non_gp_need_share", "next_day_share"):
            lo, hi = c - share_width, c + share_width
        else:
            f = factor ** 1.5 if p.name == "remote_scale" else factor
            lo, hi = c / f, c * f
        lo, hi = max(p.low, lo), min(p.high, hi)
        if hi - lo < 1e-6:
            lo, hi = p.low, p.high
        out.append(dataclasses.replace(p, low=lo, high=hi))
    return out


_SHAPE = {"lead_scale": ("ratio", 1.25), "lead_spread": ("width", 0.25),
          "lead_shape": ("ratio", 1.6), "next_day_share": ("width", 0.08)}


def refined(params: Sequence[Parameter], centre: dict[str, float]) -> list[Parameter]:
    """Search ranges of the refine stage: the lead and next-day parameters near ``centre``."""
    out = []
    for p in params:
        if p.name not in _SHAPE or p.name not in centre:
            continue
        kind, f = _SHAPE[p.name]
        c = centre[p.name]
        lo, hi = (c / f, c * f) if kind == "ratio" else (c - f, c + f)
        lo, hi = max(p.low, lo), min(p.high, hi)
        if hi - lo > 1e-6:
            out.append(dataclasses.replace(p, low=lo, high=hi))
    return out


_DIRECT = ("rate_multiplier", "dna_multiplier", "remote_scale", "non_gp_need_share",
           "urgent_scale", "next_day_share")


def fit(
    mapping: dict[str, Any],
    components: Sequence[Component],
    months: Sequence[pd.Timestamp],
    *,
    params: Sequence[Parameter] = PARAMETERS,
    trials: int = 60,
    pilot: int = 3,
    polish: int = 2,
    reps: int = 1,
    seed: int = 20190401,
    list_size: int | None = None,
    season_target: Sequence[float] | None = None,
    season_window: Sequence[pd.Timestamp] | None = None,
    season_steps: int = 1,
    final_reps: int = 3,
    holiday_lift: float | None = None,
    refine: int = 0,
    progress: Progress | None = None,
) -> FitResult:
    """Fit ``params`` so the simulated fit months match ``components``.

    Stages (the trials are numbered in order, ``trials`` in all):

    1. pilot (``pilot`` trials): the input scenario's values, then repeated moment matching of
       the directly identified parameters (rate, DNA, remote, same-day and non-GP share move by
       the ratio, or odds ratio, of observed to simulated; the next-day share by the "1 Day"
       error over the routine share) from the previous trial;
    2. Optuna TPE (multivariate, seeded): its first trial the last moment-matched values, the
       directly identified parameters searched near them (:func:`narrowed`) and the
       booking-shape parameters over their full ranges;
    2b. refine (``refine`` trials, none by default): a second seeded TPE over the lead and
       next-day parameters only (:data:`_SHAPE`), near the best trial with its directly
       identified parameters moment-matched, the other parameters fixed there. In 13 dimensions
       the first TPE finds the capacity regime but leaves the booking-interval mix rough;
    3. where ``season_target`` is given: ``season_steps`` runs of :func:`correct_seasonality`
       with the best values after one moment-matching step (the rate the result will have), so that simulated appointments follow the other areas' profile
       (these are not trials); before it, where ``holiday_lift`` is given and the mapping has a
       ``demand.holiday_booking``, its ``avoid_share`` is set by :func:`estimate_holiday_share`
       (the December of ``season_window``);
    4. polish (``polish`` trials): moment matching from the best trial (with the corrected
       profile, when there was a correction: the earlier trials ran with the uncorrected
       profile, so the best of them is re-run first and only these runs compete);
    5. the candidates (the polish trials, and without a correction the best trial before them)
       are re-scored on ``final_reps`` replications and the best is the result (its
       ``final_distance`` in the trials table).

    Args:
        mapping: a full scenario mapping (``Scenario.model_dump(mode="json")``), the practice
            sample as its area and the seasonal profile already set.
        components: from :func:`sim.calibrate.targets.default_components`.
        months: the fit months (first days).
        params: the parameters to fit.
        trials: all trials (at least ``pilot + polish + 1``).
        pilot: pilot trials (0: TPE over the full ranges, starting from the input values).
        polish: polishing trials (at least 1 where there is a seasonal correction).
        reps: replications per trial (0 .. reps-1: common random numbers).
        seed: the TPE sampler's seed.
        list_size: per-1,000 denominator (default the sample's list).
        season_target: the other areas' appointment profile (12 values) to correct towards.
        season_window: the 12 months it was estimated over.
        season_steps: correction steps.
        final_reps: replications for the final choice (at most ``reps``: no re-scoring).
        refine: trials of the refine stage (taken from ``trials``).
        holiday_lift: the other areas' December same-day lift in points (None: not estimated).
        progress: ``progress(label, done, total)`` after each trial and correction run.

    Returns:
        The best trial (:class:`FitResult`).
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    correcting = season_target is not None and season_steps > 0
    if correcting and (season_window is None or polish < 1):
        raise ValueError("a seasonal correction needs its window and at least one polish trial")
    if trials < pilot + polish + refine + 1:
        raise ValueError("trials must be at least pilot + polish + refine + 1 = "
                         f"{pilot + polish + refine + 1}")
    t0 = time.perf_counter()
    mapping = copy.deepcopy(mapping)
    base = base_values(mapping, params)
    rows: list[dict[str, Any]] = []
    best: dict[str, Any] = {"distance": float("inf"), "values": dict(base), "sim": None}
    total_steps = trials + (season_steps if correcting else 0)

    runs_of: dict[int, list[pd.DataFrame]] = {}

    def evaluate(stage: str, values: dict[str, float]) -> tuple[float, pd.DataFrame]:
        sc = scenario_for(apply_parameters(mapping, values, params), months)
        runs = [run_targets(sc, r, months, list_size) for r in range(reps)]
        sim = mean_targets(runs)
        total, parts = total_distance(components, sim)
        if stage == "polish":
            runs_of[len(rows)] = runs
        rows.append({"trial": len(rows), "stage": stage, "distance": total, **values,
                     **{f"d_{k}": v for k, v in parts.items()}})
        if total < best["distance"]:
            best.update(distance=total, values=dict(values), sim=sim)
        if progress:
            progress("fit", len(rows) + len(steps), total_steps)
        return total, sim

    steps: list[pd.DataFrame] = []
    holiday_share: float | None = None
    holiday_table = pd.DataFrame()
    values = dict(base)
    for _ in range(pilot):
        _, sim = evaluate("pilot", values)
        values = _moment_match(values, params, components, sim)
    ranges = narrowed(params, values) if pilot else list(params)
    sampler = optuna.samplers.TPESampler(
        seed=seed, multivariate=True,
        n_startup_trials=max(2, min(10, (trials - pilot - polish) // 4)))
    study = optuna.create_study(direction="minimize", sampler=sampler)
    study.enqueue_trial({p.name: p.clip(values[p.name]) for p in ranges})

    def objective(trial: optuna.Trial) -> float:
        vals: dict[str, float] = {}
        for p in ranges:
            if p.step is not None:
                vals[p.name] = trial.suggest_int(p.name, int(p.low), int(p.high), step=p.step)
            else:
                vals[p.name] = trial.suggest_float(p.name, p.low, p.high, log=p.log)
        return evaluate("tpe", vals)[0]

    study.optimize(objective, n_trials=trials - pilot - polish - refine)
    centre = _moment_match(best["values"], params, components, best["sim"]) if refine else {}
    shape = refined(params, centre)
    if shape:
        study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(
            seed=seed + 1, multivariate=True, n_startup_trials=max(2, min(10, refine // 4))))
        study.enqueue_trial({p.name: p.clip(centre[p.name]) for p in shape})

        def refine_objective(trial: optuna.Trial) -> float:
            vals = dict(centre)
            for p in shape:
                vals[p.name] = trial.suggest_float(p.name, p.low, p.high, log=p.log)
            return evaluate("refine", vals)[0]

        study.optimize(refine_objective, n_trials=refine)
    first_final = len(rows)
    candidates = [min(range(len(rows)), key=lambda k: rows[k]["distance"])]
    if correcting:
        assert season_target is not None and season_window is not None
        # the correction runs at the demand the result will have: the best trial with the
        # directly identified parameters moment-matched first (TPE leaves the rate a few per cent
        # off; corrected at the wrong rate, a model near capacity gets a profile for the wrong
        # load, and the polish then moves the rate away from it)
        anchor = _moment_match(best["values"], params, components, best["sim"])
        if holiday_lift is not None and mapping["demand"].get("holiday_booking") is not None:
            decs = [m for m in season_window if pd.Timestamp(m).month == 12]
            holiday_share, holiday_table = estimate_holiday_share(
                apply_parameters(mapping, anchor, params), holiday_lift, decs[-1],
                list_size=list_size)
            mapping["demand"]["holiday_booking"]["avoid_share"] = holiday_share
        for k in range(season_steps):
            new, table = correct_seasonality(apply_parameters(mapping, anchor, params),
                                             season_target, season_window,
                                             list_size=list_size)
            mapping["demand"]["monthly_seasonality"] = new
            steps.append(table.assign(step=k + 1))
            if progress:
                progress("fit", len(rows) + len(steps), total_steps)
        # the earlier trials ran with the old profile: score the anchor under the new one
        candidates = []
        best.update(distance=float("inf"))
        _, sim = evaluate("polish", anchor)
        polish -= 1
    tried = [tuple(r[p.name] for p in params) for r in rows[first_final:]]
    for _ in range(polish):
        moved = _moment_match(best["values"], params, components, best["sim"])
        if tuple(moved[p.name] for p in params) in tried:
            break  # the best trial did not move: nothing left to polish
        tried.append(tuple(moved[p.name] for p in params))
        evaluate("polish", moved)
    candidates += list(range(first_final, len(rows)))
    # the final choice among the candidates is made on ``final_reps`` replications: single
    # replications differ by more than the polishing moves
    key = "distance"
    if final_reps > reps:
        key = "final_distance"
        for k in candidates:
            values = {p.name: rows[k][p.name] for p in params}
            sc = scenario_for(apply_parameters(mapping, values, params), months)
            runs = runs_of.get(k) or [run_targets(sc, r, months, list_size) for r in range(reps)]
            runs = runs + [run_targets(sc, r, months, list_size)
                           for r in range(reps, final_reps)]
            total, parts = total_distance(components, mean_targets(runs))
            rows[k].update({"final_distance": total,
                            **{f"final_d_{n}": v for n, v in parts.items()}})
    table = pd.DataFrame(rows)
    best_row = table.loc[candidates].sort_values(key, kind="stable").iloc[0]
    prefix = "final_d_" if key == "final_distance" else "d_"
    values = {p.name: (int(best_row[p.name]) if p.step is not None else float(best_row[p.name]))
              for p in params}
    comps = {c.name: float(best_row[f"{prefix}{c.name}"]) for c in components}
    return FitResult(best=values, best_distance=float(best_row[key]), trials=table,
                     base=base, seconds=time.perf_counter() - t0, components=comps,
                     seasonality=list(mapping["demand"]["monthly_seasonality"]),
                     season_steps=pd.concat(steps, ignore_index=True) if steps else (
                         pd.DataFrame()),
                     holiday_share=holiday_share, holiday_steps=holiday_table)


# ---------------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------------


def simulate_intervals(mapping: dict[str, Any], months: Sequence[pd.Timestamp], reps: int, *,
                       list_size: int | None = None, first_rep: int = 0,
                       progress: Progress | None = None, label: str = "evaluate"
                       ) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Run ``mapping`` over ``months`` ``reps`` times: intervals table and each run's targets."""
    sc = scenario_for(mapping, months)
    runs = []
    for k in range(reps):
        runs.append(run_targets(sc, first_rep + k, months, list_size))
        if progress:
            progress(label, k + 1, reps)
    return interval_targets(runs), runs


def fit_table(observed_long: pd.DataFrame, intervals: pd.DataFrame,
              periods: dict[str, Sequence[pd.Timestamp]],
              components: Sequence[Component] | None = None) -> pd.DataFrame:
    """Observed against simulated per period, month and target.

    Columns: ``period``, ``month`` (YYYY-MM), ``target``, ``observed``, ``simulated`` (mean over
    replications), ``lower``, ``upper`` (2.5-97.5% over replications), ``error`` (relative error
    for ``attended_per_1000``, simulated minus observed proportion for shares), ``error_unit``,
    ``component``.
    """
    comp_of = {}
    for c in components or ():
        for t in c.targets:
            comp_of[t] = c.name
    rows = []
    merged = observed_long.merge(intervals, on=["month", "target"], how="left")
    for period, months in periods.items():
        wanted = {pd.Timestamp(m) for m in months}
        part = merged.loc[merged["month"].isin(wanted)]
        for _, r in part.iterrows():
            rate = r["target"] == "attended_per_1000"
            obs, sim = float(r["value"]), float(r["mean"])
            err = (sim / obs - 1.0) if rate and obs else sim - obs
            rows.append({"period": period, "month": pd.Timestamp(r["month"]).strftime("%Y-%m"),
                         "target": r["target"], "observed": obs, "simulated": sim,
                         "lower": float(r["lower"]), "upper": float(r["upper"]), "error": err,
                         "error_unit": "relative" if rate else "proportion points",
                         "component": comp_of.get(r["target"], "")})
    out = pd.DataFrame(rows)
    order = {t: i for i, t in enumerate(TARGET_NAMES)}
    if not out.empty:
        out = out.sort_values(["period", "month", "target"],
                              key=lambda s: s.map(order) if s.name == "target" else (
                                  s.map({"fit": 0, "holdout": 1, "transfer": 2}).fillna(3)
                                  if s.name == "period" else s),
                              kind="stable").reset_index(drop=True)
    return out


#: Acceptance tolerances of the issue: totals 5% (10% for another STP), shares 3 points.
TOTAL_TOLERANCE = 0.05
TRANSFER_TOLERANCE = 0.10
SHARE_TOLERANCE = 0.03


def acceptance(table: pd.DataFrame, period: str = "holdout", *,
               total_tolerance: float = TOTAL_TOLERANCE,
               share_tolerance: float = SHARE_TOLERANCE,
               shares: bool = True) -> pd.DataFrame:
    """Per month of ``period``: total error, GP share error, each bin's error and pass/fail.

    Columns: ``month``, ``total_error_pct``, ``total_pass``, ``gp_share_error_pp``,
    ``gp_share_pass``, ``bin_error_pp:<bin>`` for each bin, ``bins_pass``, ``pass``.
    """
    t = table.loc[table["period"] == period]
    rows = []
    for month, m in t.groupby("month", sort=True):
        err = dict(zip(m["target"], m["error"], strict=True))
        row: dict[str, Any] = {"month": month}
        total = err.get("attended_per_1000", float("nan"))
        row["total_error_pct"] = 100 * total
        row["total_pass"] = bool(abs(total) <= total_tolerance + 1e-12)
        ok = row["total_pass"]
        if shares:
            gp = err.get("gp_share", float("nan"))
            row["gp_share_error_pp"] = 100 * gp
            row["gp_share_pass"] = bool(abs(gp) <= share_tolerance + 1e-12)
            bins = {k.split(":", 1)[1]: v for k, v in err.items() if k.startswith("wait_bin:")}
            for b, v in bins.items():
                row[f"bin_error_pp:{b}"] = 100 * v
            row["bins_pass"] = bool(all(abs(v) <= share_tolerance + 1e-12 for v in bins.values()))
            ok = ok and row["gp_share_pass"] and row["bins_pass"]
        row["pass"] = bool(ok)
        rows.append(row)
    return pd.DataFrame(rows)
