"""The TPE searches of the fit: search ranges near a centre, and one seeded Optuna study.

The main search (:func:`narrowed` ranges) looks for the directly identified parameters near the
pilot's moment-matched values and for the booking-shape parameters over their full ranges; the
refine search (:func:`refined` ranges) looks again at the lead and next-day parameters only, near
the best trial. Optuna's multivariate TPE sampler is seeded, so a fit is reproducible.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from sim.calibrate.moments import DIRECT_PARAMETERS
from sim.calibrate.parameters import Parameter

#: Seed of the TPE sampler when none is given (any fixed number: a fit is reproducible).
DEFAULT_SEED = 20190401

#: Search half-widths of the refine stage: ``("ratio", f)`` searches centre / f .. centre * f,
#: ``("width", w)`` centre - w .. centre + w.
SHAPE_RANGES = {"lead_scale": ("ratio", 1.25), "lead_spread": ("width", 0.25),
                "lead_shape": ("ratio", 1.6), "next_day_share": ("width", 0.08)}

#: Parameters the main search looks for within an absolute width of the centre (shares).
SHARE_PARAMETERS = ("non_gp_need_share", "next_day_share")

#: ``remote_scale`` searches within ``factor ** REMOTE_FACTOR_POWER`` of the centre (odds move
#: it further than a ratio).
REMOTE_FACTOR_POWER = 1.5

#: Narrowest range worth searching; a narrower one falls back to the full (or no) range.
MIN_RANGE_WIDTH = 1e-6

#: Random start-up trials of a TPE search: a quarter of its trials, within these bounds.
MIN_STARTUP_TRIALS = 2
MAX_STARTUP_TRIALS = 10

Objective = Callable[[dict[str, float]], float]


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
        if c is None or p.name not in DIRECT_PARAMETERS:
            out.append(p)
            continue
        if p.name in SHARE_PARAMETERS:
            lo, hi = c - share_width, c + share_width
        else:
            f = factor ** REMOTE_FACTOR_POWER if p.name == "remote_scale" else factor
            lo, hi = c / f, c * f
        lo, hi = max(p.low, lo), min(p.high, hi)
        if hi - lo < MIN_RANGE_WIDTH:
            lo, hi = p.low, p.high
        out.append(dataclasses.replace(p, low=lo, high=hi))
    return out


def refined(params: Sequence[Parameter], centre: dict[str, float]) -> list[Parameter]:
    """Search ranges of the refine stage: the lead and next-day parameters near ``centre``."""
    out = []
    for p in params:
        if p.name not in SHAPE_RANGES or p.name not in centre:
            continue
        kind, f = SHAPE_RANGES[p.name]
        c = centre[p.name]
        lo, hi = (c / f, c * f) if kind == "ratio" else (c - f, c + f)
        lo, hi = max(p.low, lo), min(p.high, hi)
        if hi - lo > MIN_RANGE_WIDTH:
            out.append(dataclasses.replace(p, low=lo, high=hi))
    return out


def startup_trials(trials: int) -> int:
    """Random start-up trials for a TPE search of ``trials`` (a quarter, within 2-10)."""
    return max(MIN_STARTUP_TRIALS, min(MAX_STARTUP_TRIALS, trials // 4))


def tpe_search(objective: Objective, ranges: Sequence[Parameter], start: dict[str, float], *,
               trials: int, seed: int, startup: int, fixed: dict[str, float] | None = None
               ) -> None:
    """Run ``trials`` of a seeded multivariate TPE over ``ranges``, the first at ``start``.

    Each trial's values (``fixed`` first, then one per range, integers on their step) go to
    ``objective``, which records them and returns the distance to minimise.
    """
    import optuna  # optional heavy dependency: Optuna, only a fit needs it

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True, n_startup_trials=startup)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    study.enqueue_trial({p.name: p.clip(start[p.name]) for p in ranges})

    def suggest(trial: optuna.Trial) -> float:
        """One trial: the values Optuna proposes, scored by ``objective``."""
        vals = dict(fixed or {})
        for p in ranges:
            if p.step is not None:
                vals[p.name] = trial.suggest_int(p.name, int(p.low), int(p.high), step=p.step)
            else:
                vals[p.name] = trial.suggest_float(p.name, p.low, p.high, log=p.log)
        return objective(vals)

    study.optimize(suggest, n_trials=trials)
