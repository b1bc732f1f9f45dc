"""The back office's queue against Erlang C: one pooled admin team against separate teams at the same load.

The model serves admin queues with ``sim.model.back_office_queue.serve_teams`` (FCFS, several staff
per team). With Poisson arrivals and exponential handling and staff who never go home, a team of c
is an M/M/c queue: its mean wait must agree with Erlang C within 5%, and pooling c single-member
teams into one team of c must cut the mean wait as the formula says.
"""

import numpy as np
import pytest

from sim.model.back_office_queue import serve_teams
from tests.analytic.erlang import MMc

LAM, MU, C = 0.7, 1.0, 4  # per-team arrivals and handling rate per minute; c practices pooled: rho = 0.7
N = 200_000  # tasks per separate team: the M/M/1 mean wait at rho 0.7 settles within about 1-2%
WARM = 5_000  # first tasks of each team left out (the queue starts empty)


def _mean_waits(teams: np.ndarray, arrival: np.ndarray, service: np.ndarray, servers_per_team: int) -> np.ndarray:
    """Mean wait per team of the compiled queue (tasks sorted by team, then arrival)."""
    n_teams = int(teams.max()) + 1
    order = np.lexsort((arrival, teams))
    teams, arrival, service = teams[order], arrival[order], service[order]
    task_first = np.searchsorted(teams, np.arange(n_teams + 1))
    s_team = np.repeat(np.arange(n_teams), servers_per_team)
    server_first = np.searchsorted(s_team, np.arange(n_teams + 1))
    n_s = s_team.size
    start, finish = np.full(teams.size, -1.0), np.full(teams.size, -1.0)
    server = np.full(teams.size, -1, dtype=np.int64)
    serve_teams(teams, arrival, service, task_first, s_team, np.zeros(n_s), np.full(n_s, np.inf), server_first,
                start, finish, server, np.empty(n_s))
    assert (start >= arrival).all() and (finish > start).all()
    waits = []
    for k in range(n_teams):
        w = (start - arrival)[task_first[k]:task_first[k + 1]]
        waits.append(w[WARM:].mean())
    return np.array(waits)


def _arrivals(rng: np.random.Generator, n: int, lam: float) -> np.ndarray:
    return np.cumsum(rng.exponential(1 / lam, n))


def test_pooled_admin_queue_agrees_with_erlang_c_and_beats_separate_queues():
    rng = np.random.default_rng(20261201)
    # the same tasks (arrival times and handling) in both arrangements: common random numbers
    arrivals = [_arrivals(rng, N, LAM) for _ in range(C)]
    service = rng.exponential(1 / MU, N * C)
    arrival = np.concatenate(arrivals)
    separate = _mean_waits(np.repeat(np.arange(C), N), arrival, service, 1)
    pooled = _mean_waits(np.zeros(N * C, dtype=np.int64), arrival, service, C)[0]
    one, many = MMc(LAM, MU, 1).wq, MMc(C * LAM, MU, C).wq
    assert separate.mean() == pytest.approx(one, rel=0.05)
    assert pooled == pytest.approx(many, rel=0.05)
    assert pooled < 0.5 * separate.mean()  # pooling four queues at rho 0.7 more than halves the wait


def test_staff_take_no_task_after_their_working_window():
    # two staff, one leaving at minute 10: nothing starts on it after 10, and every task is served by the other
    arrival = np.arange(0.0, 40.0, 2.0)
    service = np.full(arrival.size, 3.0)
    teams = np.zeros(arrival.size, dtype=np.int64)
    start, finish = np.full(arrival.size, -1.0), np.full(arrival.size, -1.0)
    server = np.full(arrival.size, -1, dtype=np.int64)
    serve_teams(teams, arrival, service, np.array([0, arrival.size]), np.zeros(2, dtype=np.int64), np.zeros(2),
                np.array([10.0, np.inf]), np.array([0, 2]), start, finish, server, np.empty(2))
    assert (start[server == 0] < 10.0).all()
    assert (start >= 0).all()
