"""The back office's cell queues serve each day exactly as one FCFS queue per team sorted by arrival would."""

from __future__ import annotations

import numpy as np

from sim.model.back_office_queue import enqueue, queued, serve_cells, serve_teams


def _reference_day(pending, cell_team, cell_role, cell_review, practice, kind, arrival, e, minutes,
                   s_open, s_close, server_first, n_k):
    """The straightforward day: route every waiting task, sort by (team, arrival), serve with serve_teams."""
    cell = practice[pending] * n_k + kind[pending]
    team = cell_team[cell]
    order = np.lexsort((arrival[pending], team))
    p_s, t_s = pending[order], team[order]
    service = e[p_s] * minutes[kind[p_s], cell_role[cell[order]]] + cell_review[cell[order]]
    task_first = np.searchsorted(t_s, np.arange(server_first.size))
    start, finish = np.full(p_s.size, -1.0), np.full(p_s.size, -1.0)
    server, s_end = np.full(p_s.size, -1, dtype=np.int64), np.empty(s_open.size)
    serve_teams(t_s, arrival[p_s], service, task_first, np.zeros(0, dtype=np.int64), s_open, s_close, server_first,
                start, finish, server, s_end)
    served = start >= 0
    return p_s[served], finish[served], p_s[~served], s_end


def test_cell_queues_match_one_sorted_queue_per_team() -> None:
    """Over 30 days with teams re-routed daily, the same tasks are done at the same finish, the rest wait."""
    rng = np.random.default_rng(4)
    n_p, n_k, n_teams, days = 4, 3, 5, 30
    per_day = rng.poisson(40, days)
    n = int(per_day.sum())
    practice = rng.integers(0, n_p, n).astype(np.int32)
    kind = rng.integers(0, n_k, n).astype(np.int8)
    day = np.repeat(np.arange(days), per_day)
    arrival = day * 1440.0 + 480.0 + rng.random(n) * 600.0
    e = rng.standard_exponential(n).astype(np.float32)
    minutes = rng.uniform(2.0, 30.0, (n_k, 2))
    head, tail = np.full(n_p * n_k, -1, dtype=np.int64), np.full(n_p * n_k, -1, dtype=np.int64)
    count, nxt = np.zeros(n_p * n_k, dtype=np.int64), np.full(n, -1, dtype=np.int32)
    state, took = np.zeros(n, dtype=np.int8), np.full(n, np.nan, dtype=np.float32)
    working_before = np.arange(days + 2, dtype=float)
    zeros = np.zeros(n_p)
    first = np.concatenate([[0], np.cumsum(per_day)])
    waiting = np.zeros(0, dtype=np.int64)
    for d in range(days):
        new = np.arange(first[d], first[d + 1])
        enqueue(new[np.argsort(arrival[new], kind="stable")], practice, kind, n_k, head, tail, count, nxt)
        pending = np.concatenate([waiting, new])
        cell_team = rng.integers(0, n_teams, n_p * n_k)
        cell_role = rng.integers(0, 2, n_p * n_k)
        cell_review = rng.choice([0.0, 3.0], n_p * n_k)
        servers = np.sort(rng.integers(0, n_teams, int(rng.integers(0, 8))))
        server_first = np.searchsorted(servers, np.arange(n_teams + 1))
        s_open = d * 1440.0 + 480.0 + rng.random(servers.size) * 60.0
        s_close = s_open + rng.uniform(30.0, 400.0, servers.size)
        done, _, waiting, ref_end = _reference_day(pending, cell_team, cell_role, cell_review, practice, kind,
                                                        arrival, e, minutes, s_open, s_close, server_first, n_k)
        team_cells = np.argsort(cell_team, kind="stable")
        team_first = np.searchsorted(cell_team[team_cells], np.arange(n_teams + 1))
        rec, s_end = np.zeros((5, n_p)), np.empty(servers.size)
        before = state.copy()
        serve_cells(team_cells, team_first, cell_role, cell_review, head, tail, count, nxt, practice, kind, arrival,
                    e, minutes, zeros, zeros, zeros, s_open, s_close, server_first, state, 1, took, working_before,
                    rec, s_end)
        assert set(np.flatnonzero(state != before)) == set(done.tolist())
        np.testing.assert_array_equal(s_end, ref_end)
        assert sorted(queued(head, count, nxt).tolist()) == sorted(waiting.tolist())
        assert count.sum() == waiting.size
        np.testing.assert_allclose(rec[0].sum(), sum(
            e[i] * minutes[kind[i], cell_role[practice[i] * n_k + kind[i]]] + cell_review[practice[i] * n_k + kind[i]]
            for i in done))
    assert waiting.size > 0 and (state == 1).sum() > 100
