"""The calendar terms the fit does not take from the area: seasonality, staff mix, holiday booking.

``demand.monthly_seasonality`` is estimated from the other areas' data
(:func:`sim.calibrate.observed.seasonal_profile`) before the fit, and corrected after the TPE
stage so that the model's *appointments* follow that profile (:func:`correct_seasonality`).
``need_types.<need>.monthly_share_factor`` (the seasonal staff mix) comes from other areas' GP and
other-staff profiles, and ``demand.holiday_booking.avoid_share`` is set after the TPE stage so the
model's December same-day lift matches the other areas' (:func:`estimate_holiday_share`). No data
of the fitted area is used for any of them.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.calibrate.noise import MONTH_SD_PCT, SEASON_NOISE_PCT, replications_for
from sim.calibrate.observed import (
    Area,
    december_same_day_lift,
    month_range,
    seasonal_profile,
    staff_mix_profile,
    weighted_days,
)
from sim.calibrate.parameters import gp_first
from sim.calibrate.runs import mean_targets, run_many, scenario_for
from sim.config.scenario import HolidayBooking

#: Months in the seasonal window (one of each calendar month).
WINDOW_MONTHS = 12

#: Replications of each seasonal correction step (0 .. n-1): enough that each month is measured
#: to :data:`sim.calibrate.noise.SEASON_NOISE_PCT` (9; it was 2, about 0.7% a month); see
#: calibration/README.md.
DEFAULT_SEASON_REPS = replications_for(MONTH_SD_PCT, SEASON_NOISE_PCT)

#: Decimal places of a corrected seasonal profile.
PROFILE_DECIMALS = 4

#: Decimal places of the chosen holiday ``avoid_share``.
SHARE_DECIMALS = 4

#: Decimal places of the staff-mix profiles and per-area lifts in the manifest.
PROFILE_REPORT_DECIMALS = 4
LIFT_REPORT_DECIMALS = 3

#: The holiday shares the model is run at before interpolating between them.
HOLIDAY_SHARE_RUNS = (0.0, 1.0)

#: Smallest December lift gained between the two runs (points) worth interpolating on.
MIN_LIFT_GAIN = 1e-9


@dataclass
class CalendarTerms:
    """The calendar terms set before the fit, and their description for the manifest.

    Attributes:
        seasonality: the other areas' appointment profile (12 values; None: the scenario's kept).
        window: the 12 months it was estimated over (None with the scenario's profile).
        holiday_lift: the other areas' December same-day lift in points (None: not estimated).
        info: the manifest's ``seasonality`` entry.
    """

    seasonality: list[float] | None
    window: list[pd.Timestamp] | None
    holiday_lift: float | None
    info: dict[str, Any]


def season_window(season_months: str | None, months: Sequence[pd.Timestamp],
                  available: Sequence[pd.Timestamp]) -> list[pd.Timestamp]:
    """The seasonal window: as given, or else the 12 months ending with the last month studied.

    Where the data do not cover those, the run of 12 months in the data ending nearest to it.
    """
    if season_months:
        return month_range(season_months)
    last = max(months)
    have = set(available)
    candidates = []
    for end in sorted(have):
        window = list(pd.date_range(end - pd.DateOffset(months=WINDOW_MONTHS - 1), end, freq="MS"))
        if all(m in have for m in window):
            candidates.append(window)
    if not candidates:
        raise ValueError("the other areas' appointment files do not cover 12 consecutive months: "
                         "give --season-months or --season-months scenario")
    return min(candidates, key=lambda w: (abs((w[-1] - last).days), w[-1]))


def estimate_calendar_terms(full: dict[str, Any], appointments: pd.DataFrame, area: Area,
                            months: Sequence[pd.Timestamp], *, season_months: str | None,
                            staff_mix: bool, holiday: bool) -> CalendarTerms:
    """Set the other areas' seasonal profile (and staff mix, holiday booking) on ``full``."""
    if season_months == "scenario":
        return CalendarTerms(None, None, None, {
            "source": "the input scenario's demand.monthly_seasonality",
            "values": list(full["demand"]["monthly_seasonality"])})
    others = appointments.loc[~appointments["sub_icb_code"].isin(area.sub_icb_codes)]
    window = season_window(season_months, months,
                           [pd.Timestamp(m) for m in others["month"].unique()])
    seasonality, per_area = seasonal_profile(appointments, area.sub_icb_codes, window,
                                             full["demand"]["day_of_week"])
    full["demand"]["monthly_seasonality"] = seasonality
    info: dict[str, Any] = {
        "source": ("attended appointments per weighted working day (weekday weights x "
                   "English working days, bank holidays from the holidays package) by "
                   "calendar month, other areas' data, each area normalised, then averaged"),
        "window": [m.strftime("%Y-%m") for m in window],
        "areas": sorted(per_area.index.astype(str)),
        "values": seasonality,
    }
    if staff_mix:
        info["staff_mix"] = _set_staff_mix(full, appointments, area, window)
    holiday_lift = None
    if holiday:
        holiday_lift, info["holiday"] = _set_holiday_booking(full, appointments, area, window)
    return CalendarTerms(seasonality, window, holiday_lift, info)


def _set_staff_mix(full: dict[str, Any], appointments: pd.DataFrame, area: Area,
                   window: Sequence[pd.Timestamp]) -> dict[str, Any]:
    """Give the non-GP-first needs the other areas' monthly staff mix; its manifest entry."""
    factors, mix_table = staff_mix_profile(appointments, area.sub_icb_codes, window,
                                           full["demand"]["day_of_week"])
    other_first = [k for k, gp in gp_first(full).items() if not gp]
    for k in other_first:
        full["demand"]["need_types"][k]["monthly_share_factor"] = factors
    return {
        "source": ("GP and Other Practice staff appointments (every status) per weighted "
                   "working day by calendar month, other areas' data, each area "
                   "normalised, then averaged; factor = other / GP, mean 1"),
        "needs": other_first, "factors": factors,
        "gp_profile": [round(float(v), PROFILE_REPORT_DECIMALS) for v in mix_table["gp"]],
        "other_profile": [round(float(v), PROFILE_REPORT_DECIMALS) for v in mix_table["other"]]}


def _set_holiday_booking(full: dict[str, Any], appointments: pd.DataFrame, area: Area,
                         window: Sequence[pd.Timestamp]) -> tuple[float, dict[str, Any]]:
    """Turn on holiday booking; the other areas' December lift (points) and its manifest entry."""
    lift, lift_table = december_same_day_lift(appointments, area.sub_icb_codes, window)
    full["demand"]["holiday_booking"] = (full["demand"].get("holiday_booking")
                                         or HolidayBooking().model_dump(mode="json"))
    return lift, {
        "source": ("other areas' December same-day share minus the mean of November's "
                   "and January's, in points; the model's avoid_share is interpolated "
                   "to give the same lift (sim.calibrate.seasonal.estimate_holiday_share)"),
        "target_lift_pp": lift,
        "areas": {str(k): round(float(v), LIFT_REPORT_DECIMALS)
                  for k, v in lift_table["lift"].items()}}


def correct_seasonality(mapping: dict[str, Any], target: Sequence[float],
                        window: Sequence[pd.Timestamp], *, reps: int = DEFAULT_SEASON_REPS,
                        list_size: int | None = None, first_rep: int = 0
                        ) -> tuple[list[float], pd.DataFrame]:
    """One fixed-point step on the request profile towards an appointment profile.

    ``demand.monthly_seasonality`` is moved so that simulated *appointments* follow ``target``
    (the other areas' appointment profile).
    Requests booked ahead turn into appointments days or weeks later, so the model smooths its
    request profile: a low-demand month after a busy one (December after November, August after
    July) gets more appointments than its requests. The run covers ``window`` (12 months) plus
    one month before it (discarded, for the book to settle); attended appointments per weighted
    working day, normalised, give the simulated profile ``s``; the new request profile is
    ``current * target / s`` normalised to mean 1. No data of the fitted area is used. The step
    runs replications ``first_rep`` .. ``first_rep + reps - 1``.

    Returns:
        (the new 12 values, the table month, target, simulated, current, new).
    """
    window = [pd.Timestamp(m) for m in window]
    months = [window[0] - pd.DateOffset(months=1), *window]
    sc = scenario_for(mapping, months)
    sim = mean_targets(run_many([(sc, r) for r in range(first_rep, first_rep + reps)], months, list_size))
    att = sim.loc[sim["target"] == "attended_per_1000"].set_index("month")["value"]
    per_day = pd.Series({m: att[m] / weighted_days(m, sc.demand.day_of_week) for m in window})
    per_day = per_day / per_day.mean()
    current = list(mapping["demand"]["monthly_seasonality"])
    new = list(current)
    for m in window:
        k = m.month - 1
        new[k] = current[k] * target[k] / per_day[m]
    mean = sum(new) / WINDOW_MONTHS
    new = [round(v / mean, PROFILE_DECIMALS) for v in new]
    rows = [{"month": m.strftime("%Y-%m"), "target": target[m.month - 1],
             "simulated": float(per_day[m]), "current": current[m.month - 1],
             "new": new[m.month - 1]} for m in window]
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
    for share in HOLIDAY_SHARE_RUNS:
        m = copy.deepcopy(mapping)
        m["demand"]["holiday_booking"] = {**(m["demand"].get("holiday_booking") or {}),
                                          "avoid_share": share}
        sc = scenario_for(m, months)
        lifts[share] = same_day_lift(
            mean_targets(run_many([(sc, r) for r in range(reps)], months, list_size)), december)
    low, high = HOLIDAY_SHARE_RUNS
    gain = lifts[high] - lifts[low]
    share = 0.0 if gain <= MIN_LIFT_GAIN else min(1.0, max(0.0, (target_lift - lifts[low]) / gain))
    table = pd.DataFrame({"avoid_share": [low, high, round(share, SHARE_DECIMALS)],
                          "simulated_lift_pp": [lifts[low], lifts[high], float("nan")],
                          "target_lift_pp": [target_lift] * 3,
                          "row": ["run", "run", "chosen"]})
    return round(share, SHARE_DECIMALS), table


def adopt_fitted_calendar(terms: CalendarTerms, seasonality: list[float] | None,
                          holiday_share: float | None, holiday_steps: pd.DataFrame,
                          season_steps: int, mappings: Sequence[dict[str, Any]]
                          ) -> list[float] | None:
    """Set the fit's corrected profile and holiday share on ``mappings``; the profile kept.

    Records the correction in ``terms.info``; returns the seasonality the calibrated scenario has
    (None where the input scenario's profile was kept).
    """
    kept = terms.seasonality
    if kept:
        info = terms.info
        info["observed_profile"] = info["values"]
        info["values"] = seasonality
        info["correction"] = (
            f"{season_steps} step(s) of sim.calibrate.seasonal.correct_seasonality with the "
            "best parameters: the request profile was moved so that simulated appointments per "
            "weighted working day follow the other areas' profile (booked-ahead requests make "
            "appointments lag requests); see seasonality.csv")
        kept = seasonality
        for m in mappings:
            m["demand"]["monthly_seasonality"] = kept
    if holiday_share is not None:
        for m in mappings:
            m["demand"]["holiday_booking"]["avoid_share"] = holiday_share
        terms.info["holiday"]["avoid_share"] = holiday_share
        terms.info["holiday"]["runs"] = holiday_steps.to_dict("records")
    return kept
