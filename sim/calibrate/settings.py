"""What a calibration is asked to do: its :class:`Settings` and the months they name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from sim.calibrate.ensemble import DEFAULT_CUTOFF, DEFAULT_MAX_MEMBERS, DEFAULT_WAVE
from sim.calibrate.evaluate import DEFAULT_EVAL_REPS
from sim.calibrate.level import DEFAULT_FINAL_REPS
from sim.calibrate.observed import month_range
from sim.calibrate.runs import DEFAULT_WORKERS
from sim.calibrate.sample import DEFAULT_SAMPLE_PRACTICES
from sim.calibrate.search import DEFAULT_SEED
from sim.calibrate.seasonal import DEFAULT_SEASON_REPS


@dataclass
class Settings:
    """Everything :func:`sim.calibrate.pipeline.calibrate` needs besides the files.

    Attributes:
        stp: the STP to fit (STP/ICB code, its ONS code or one of its CCG codes).
        fit_months, holdout_months: ``YYYY-MM:YYYY-MM``.
        trials: fit trials in all (pilot and polish included).
        reps: replications per trial.
        eval_reps: replications of the best parameters for the intervals.
        sample_practices: practices in the sample (0: simulate the scenario's own area).
        seed: the TPE sampler's seed (the model's seed is the scenario's).
        season_months: the window the seasonal profile is estimated over (``None``: the 12
            months ending with the last fit or held-out month); ``"scenario"`` keeps the input
            scenario's profile.
        transfer: STP codes to apply the calibrated parameters to.
        params: parameter names to fit (``None``: all of
            :data:`sim.calibrate.parameters.PARAMETERS`).
        weights: component weights overriding :data:`sim.calibrate.targets.DEFAULT_WEIGHTS`.
        share_distance: ``"squared"`` or ``"multinomial"``.
        pilot, polish: trials in the pilot and polish stages.
        refine: trials of the refine stage (lead and next-day parameters; 0: none), taken from
            ``trials``.
        season_steps: steps of :func:`sim.calibrate.seasonal.correct_seasonality` (0: none).
        season_reps: replications of each such step (the fitted STP's and each transfer's).
        final_reps: replications the final candidates are compared on.
        staff_mix: with a seasonal profile from other areas, also give the non-GP-first needs
            the other areas' monthly staff mix (``monthly_share_factor``).
        holiday: with a seasonal profile from other areas, turn on ``demand.holiday_booking``
            and set its ``avoid_share`` to the other areas' December same-day lift.
        cutoff: implausibility cut-off of the ensemble (:mod:`sim.calibrate.ensemble`).
        members: most members of the ensemble (the best parameter set included).
        wave: trials of the history-matching wave after the fit (on top of ``trials``).
        level_refit: refit each transfer STP's demand level (``demand.rate_multiplier`` only)
            on its own fit months (:mod:`sim.calibrate.level`); off: the pure transfer only.
        level_reps: replications of the final level correction
            (:func:`sim.calibrate.level.correct_level`) of the fitted STP's rate after the fit
            and of each transfer STP's refit (0: none).
        transfer_season: give each transfer STP the other STPs' mean profile, itself left out,
            through the model's seasonal correction (:mod:`sim.calibrate.transfer_season`);
            off: the fitted STP's profile.
        transfer_lag: with ``transfer_season`` and ``level_refit``, correct each transfer STP's
            profile for its own sample's booking lag at its refitted rate
            (:func:`sim.calibrate.transfer_season.own_lag_profile`, ``season_steps`` steps);
            off: the fitted STP's lag, moved month by month.
        workers: processes the runs are spread over (:func:`sim.calibrate.runs.parallel_runs`;
            the results do not depend on it).
    """

    stp: str
    fit_months: str
    holdout_months: str
    trials: int = 120
    reps: int = 1
    eval_reps: int = DEFAULT_EVAL_REPS
    sample_practices: int = DEFAULT_SAMPLE_PRACTICES
    seed: int = DEFAULT_SEED
    season_months: str | None = None
    transfer: Sequence[str] = ()
    params: Sequence[str] | None = None
    weights: dict[str, float] = field(default_factory=dict)
    share_distance: str = "squared"
    pilot: int = 3
    polish: int = 3
    refine: int = 0
    season_steps: int = 1
    season_reps: int = DEFAULT_SEASON_REPS
    final_reps: int = 3
    staff_mix: bool = True
    holiday: bool = True
    cutoff: float = DEFAULT_CUTOFF
    members: int = DEFAULT_MAX_MEMBERS
    wave: int = DEFAULT_WAVE
    level_refit: bool = True
    level_reps: int = DEFAULT_FINAL_REPS
    transfer_season: bool = True
    transfer_lag: bool = True
    workers: int = DEFAULT_WORKERS


@dataclass(frozen=True)
class StudyMonths:
    """The months of a calibration (first days): fitted, held out, and every month in between."""

    fit: list[pd.Timestamp]
    holdout: list[pd.Timestamp]
    span: list[pd.Timestamp]


def study_months(settings: Settings) -> StudyMonths:
    """The fit and held-out months of ``settings``; a ValueError where they overlap."""
    fit_months = month_range(settings.fit_months)
    hold_months = month_range(settings.holdout_months)
    if set(fit_months) & set(hold_months):
        raise ValueError("the fit and held-out months overlap")
    all_months = sorted(set(fit_months) | set(hold_months))
    return StudyMonths(fit_months, hold_months,
                       list(pd.date_range(all_months[0], all_months[-1], freq="MS")))
