"""Analytic tier: GPSimModel's walk-in queue against Erlang C (M/M/c) and Little's law.

One walk-in practice whose only need is same-day, seen by ``c`` GPs: requests arrive as a Poisson
process (a flat demand profile over all 24 hours, identical patients), the queue is open all day and
every GP serves it all day, so the model is an M/M/c queue that starts empty each day. Only arrivals
between 06:00 and 22:00 are measured: by 06:00 the queue has run for at least 2.4 relaxation times
1/(c mu (1 - sqrt(rho))^2), and almost nobody who arrives by 22:00 is still waiting at midnight, when
the day's queue closes (at most 1 in 10,000, asserted).

Days are independent (each starts empty), so standard errors come from day-to-day variation (a ratio
estimator clustered by day). Each check asserts that the run is long enough for the standard error to
be small, then that the model is within three standard errors of the theory. With fixed seeds the
outcome is deterministic; the three-sigma margin says how surprising a failure would be.

Consultation times: the model draws each consultation as its slot length times a mean-one lognormal
(``RoleSpec.duration_cv``). With cv = 1 an M/G/1 queue has exactly the M/M/1 mean wait and P(wait)
(Pollaczek-Khinchine), so the one-server setting runs the model as configured. With more servers the
whole distribution matters and the scenario schema has no exponential option, so those settings map
each request's own standard-normal draw to an exponential one (probability integral transform) before
the run: the model then scales it by the slot length as usual.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import pytest
from scipy.special import log_ndtr

from sim.config.loading import scenario_from_mapping
from sim.config.scenario import AGE_BANDS
from sim.model.model import GPSimModel
from sim.results.tables import ledger_frame
from tests.analytic.erlang import MMc

SERVICE_MINUTES = 5.0  # mean consultation (the GP slot length): 288 consultations in a day
WINDOW = (360, 1320)  # minutes of the day whose arrivals are measured: 06:00-22:00
WEEKS = 208  # four years from a Monday (~1,000 open days); the last simulated day is a Sunday, with no demand
ANNUAL_WEIGHT = 5 * 365.25 / 7 - 8  # working days a year with demand weight 1 (Calendar.mean_annual_weight)

SETTINGS = [  # servers, utilisation, exponential consultations (else the model's lognormal, cv 1)
    pytest.param(1, 0.5, False, id="M/G/1-rho0.5-lognormal-cv1"),
    pytest.param(2, 0.7, True, id="M/M/2-rho0.7"),
    pytest.param(3, 0.8, True, id="M/M/3-rho0.8"),
]


def walk_in_mapping(servers: int, rho: float, seed: int = 15) -> tuple[dict, float]:
    """The scenario mapping and its arrival rate per minute on working days."""
    lam_target = rho * servers / SERVICE_MINUTES
    list_size = round(lam_target * 1440 * ANNUAL_WEIGHT)  # one request per patient a year
    lam = list_size / ANNUAL_WEIGHT / 1440
    mapping = {
        "name": "mmc", "start_date": "2025-01-06", "horizon_days": 7 * WEEKS, "warm_up_days": 0, "seed": seed,
        "roles": {"GP": {"slot_minutes": SERVICE_MINUTES, "duration_cv": 1.0, "absence_share": 0.0,
                         "session_minutes": 1440, "same_day_slot_share": 1.0, "safe_contacts_per_day": 0}},
        "area": {"code": "Q", "pcns": [{"code": "QN", "practices": [{
            "code": "Q1", "list_size": list_size, "access_mode": "walk_in",
            "staff": [{"role": "GP", "count": servers, "fte": 1.0, "sessions_per_week": 10}]}]}]},
        "demand": {
            "rate_per_patient_year": dict.fromkeys(AGE_BANDS, 1.0),
            "ltc_mean_by_age": dict.fromkeys(AGE_BANDS, 0.0),
            "propensity_shape": 1000.0,  # the schema's largest: propensities within about 3%, so the total rate is lam to ~0.1%
            "day_of_week": [1, 1, 1, 1, 1, 0, 0], "monthly_seasonality": [1] * 12,
            "hourly_arrival": dict.fromkeys(range(24), 1.0),
            "need_types": {"walk_in": {"share": 1.0, "eligible_roles": ["GP"], "same_day_share": 1.0}},
        },
        "walk_in": {"open_minute": 0, "close_minute": 1439, "max_wait_minutes": 720},
        "workforce": {"feedback": False, "turnover": {"enabled": False}},  # a fixed set of c servers
    }
    return mapping, lam


def exponential_consultations(model: GPSimModel, cv: float) -> None:
    """Replace each request's consultation draw z so that slot x exp(sigma z - sigma^2/2) is slot x Exp(1)."""
    z = model.requests.z_duration
    s2 = math.log1p(cv * cv)
    e = -log_ndtr(-z)  # -log(1 - Phi(z)): Exp(1), still the request's own draw
    z[:] = (np.log(e) + 0.5 * s2) / math.sqrt(s2)


@dataclass
class Measured:
    """Per-day sums over the measured window, one row per day with arrivals."""

    arrivals: np.ndarray
    waited: np.ndarray  # arrivals who found every GP busy
    wait: np.ndarray  # minutes waited by the window's arrivals
    lost: np.ndarray
    busy: np.ndarray  # GP-minutes consulting inside the window
    queue_area: np.ndarray  # patient-minutes waiting inside the window (integral of queue length)

    def ratio(self, num: np.ndarray) -> tuple[float, float]:
        """Sum(num) / sum(arrivals) and its standard error, clustered by day."""
        n = self.arrivals
        r = num.sum() / n.sum()
        k = n.size
        return float(r), float(np.sqrt(((num - r * n) ** 2).sum() / (k * (k - 1))) / n.mean())


def measure(model: GPSimModel) -> Measured:
    """Window sums per day from the ledger: arrival minute, minutes queued, minutes consulting."""
    ledger = ledger_frame(model)
    day = ledger["day"].to_numpy()
    arrive = ledger["minute"].to_numpy().astype(float)
    queued = ledger["queue_minutes"].to_numpy().astype(float)
    start = arrive + queued  # NaN for the lost
    end = start + ledger["duration_minutes"].to_numpy()
    lo, hi = WINDOW
    served = ~np.isnan(start)
    inside = (arrive >= lo) & (arrive < hi)
    days, idx = np.unique(day, return_inverse=True)

    def per_day(values: np.ndarray, where: np.ndarray) -> np.ndarray:
        return np.bincount(idx[where], weights=values[where], minlength=days.size)

    def overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.clip(np.minimum(b, hi) - np.maximum(a, lo), 0.0, None)

    ones = np.ones(day.size)
    return Measured(arrivals=per_day(ones, inside), waited=per_day((queued > 0).astype(float), inside & served),
                    wait=per_day(queued, inside & served), lost=per_day(ones, inside & ~served),
                    busy=per_day(overlap(start, end), served), queue_area=per_day(overlap(arrive, start), served))


@pytest.mark.parametrize("servers, rho, exponential", SETTINGS)
def test_walk_in_model_matches_erlang_c_and_littles_law(servers, rho, exponential):
    mapping, lam = walk_in_mapping(servers, rho)
    model = GPSimModel(scenario_from_mapping(copy.deepcopy(mapping), "<analytic>"))
    if exponential:
        exponential_consultations(model, cv=1.0)
    model.run()
    m = measure(model)
    theory = MMc(lam, 1.0 / SERVICE_MINUTES, servers)
    span = WINDOW[1] - WINDOW[0]
    open_days = m.arrivals.size
    assert open_days > 1000  # four years of working days, less bank holidays
    assert m.lost.sum() <= 1e-4 * m.arrivals.sum()  # still queued at midnight, when the day's queue closes

    lam_hat = m.arrivals.sum() / (open_days * span)
    assert lam_hat == pytest.approx(lam, rel=0.015)  # Poisson counts: standard error under 0.5%

    wait, wait_se = m.ratio(m.wait)
    assert wait_se / theory.wq < 0.025, "run too short for the mean-wait check to be tight"
    assert abs(wait - theory.wq) < 3 * wait_se, f"mean wait {wait:.3f} vs Erlang C {theory.wq:.3f}"

    p_wait, p_se = m.ratio(m.waited)
    assert p_se < 0.006
    assert abs(p_wait - theory.p_wait) < 3 * p_se, f"P(wait) {p_wait:.4f} vs Erlang C {theory.p_wait:.4f}"

    busy = m.busy / (servers * span)  # each day's utilisation
    utilisation, util_se = busy.mean(), busy.std(ddof=1) / math.sqrt(open_days)
    assert util_se < 0.005
    assert abs(utilisation - theory.rho) < 3 * util_se, f"utilisation {utilisation:.4f} vs {theory.rho:.4f}"

    # Little's law on the queue: time-average number waiting = arrival rate x mean wait
    queue_length = m.queue_area.sum() / (open_days * span)
    assert queue_length == pytest.approx(lam_hat * wait, rel=0.02)
    assert queue_length == pytest.approx(theory.lq, rel=4 * wait_se / theory.wq)


def test_erlang_c_known_values():
    # M/M/1: Wq = rho / (mu - lambda)
    assert MMc(0.5, 1.0, 1).wq == pytest.approx(1.0)
    assert MMc(0.9, 1.0, 1).wq == pytest.approx(9.0)
    # M/M/2 with a = 1: P0 = 1/3, P(wait) = 1/3, Lq = 1/3
    assert MMc(1.0, 1.0, 2).p_wait == pytest.approx(1 / 3)
    assert MMc(1.0, 1.0, 2).lq == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="unstable"):
        _ = MMc(2.0, 1.0, 2).wq


def test_pooling_waits_less_than_separate_queues():
    # the arithmetic behind pooled hubs: one queue for c servers beats c separate queues
    pooled = MMc(1.6, 1.0, 2).wq
    separate = MMc(0.8, 1.0, 1).wq
    assert pooled < separate / 2
