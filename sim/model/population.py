"""Registered patients as a struct of numpy arrays (millions fit; see the performance issue)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config.scenario import AGE_BANDS, Demand


@dataclass
class Population:
    """Per-patient state: practice, age band, long-term conditions, demand rate, usual GP."""

    practice: np.ndarray  # int32 practice index
    age_band: np.ndarray  # int8 index into AGE_BANDS
    ltc: np.ndarray  # int8 long-term-condition count
    rate: np.ndarray  # float64 expected requests per year
    usual_gp: np.ndarray  # int32 staff index, -1 if none
    imd_quintile: np.ndarray | None = None  # int8 national IMD quintile of the practice, 1-5; 0 = no score

    @property
    def size(self) -> int:
        """Number of patients."""
        return int(self.practice.size)


def deprivation_factor(quintile: np.ndarray, gradient: float) -> np.ndarray:
    """Request-rate multiplier of national IMD quintile 1-5 (0 = no score, as Q3): 1 + gradient x (3 - q) / 4."""
    q = np.where(quintile > 0, quintile, 3).astype(float)
    return 1.0 + gradient * (3.0 - q) / 4.0


def build_population(list_sizes: list[int], age_mixes: list[dict[str, float]],
                     ltc_multipliers: list[float], demand: Demand, rng: np.random.Generator,
                     imd_quintiles: list[int] | None = None) -> Population:
    """Draw every practice's patients: age band by the practice's mix, LTCs, individual rates.

    A patient's rate is the age band's rate times (1 + beta * LTCs) times a gamma propensity, divided
    by that factor's expectation within the band, so the band's mean rate is exactly the configured one;
    then times the deprivation factor of their practice's IMD quintile (``demand.deprivation_gradient``;
    no random draw, so a zero gradient gives the same patients and rates as before).
    """
    n_total = int(sum(list_sizes))
    practice = np.repeat(np.arange(len(list_sizes), dtype=np.int32), list_sizes)
    age_band = np.empty(n_total, dtype=np.int8)
    start = 0
    for size, mix in zip(list_sizes, age_mixes, strict=True):
        p = np.array([mix.get(b, 0.0) for b in AGE_BANDS], dtype=float)
        p = p / p.sum()
        # exact proportions (largest remainder), shuffled: the list's age mix is data, not a draw
        counts = np.floor(p * size).astype(int)
        short = size - counts.sum()
        if short:
            counts[np.argsort(-(p * size - counts))[:short]] += 1
        bands = np.repeat(np.arange(len(AGE_BANDS), dtype=np.int8), counts)
        age_band[start:start + size] = rng.permutation(bands)
        start += size
    ltc_mean = np.array([demand.ltc_mean_by_age[b] for b in AGE_BANDS])
    mult = np.asarray(ltc_multipliers, dtype=float)[practice]
    lam = ltc_mean[age_band] * mult
    ltc = np.minimum(rng.poisson(lam), 12).astype(np.int8)
    beta = demand.ltc_rate_ratio_per_condition
    shape = demand.propensity_shape
    propensity = rng.gamma(shape, 1.0 / shape, n_total)
    base = np.array([demand.rate_per_patient_year[b] for b in AGE_BANDS]) * demand.rate_multiplier
    # E[1 + beta * Poisson(lam)] = 1 + beta * lam, normalised per patient's expected band value
    norm = 1.0 + beta * ltc_mean[age_band]
    rate = base[age_band] * (1.0 + beta * ltc) / norm * propensity
    quintile = np.asarray(imd_quintiles if imd_quintiles is not None else [0] * len(list_sizes), dtype=np.int8)
    if demand.deprivation_gradient != 0.0:
        rate = rate * deprivation_factor(quintile, demand.deprivation_gradient)[practice]
    return Population(practice=practice, age_band=age_band, ltc=ltc, rate=rate,
                      usual_gp=np.full(n_total, -1, dtype=np.int32), imd_quintile=quintile[practice])


def assign_usual_gps(pop: Population, practice_gps: list[list[int]], gp_weights: list[list[float]],
                     rng: np.random.Generator) -> None:
    """Give each patient a usual GP in their practice, in proportion to each GP's sessions."""
    for p, gps in enumerate(practice_gps):
        idx = np.flatnonzero(pop.practice == p)
        if not gps or idx.size == 0:
            continue
        w = np.asarray(gp_weights[p], dtype=float)
        w = w / w.sum() if w.sum() > 0 else np.full(len(gps), 1.0 / len(gps))
        pop.usual_gp[idx] = np.asarray(gps, dtype=np.int32)[rng.choice(len(gps), size=idx.size, p=w)]
