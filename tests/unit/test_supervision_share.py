"""The compiled supervision share-out equals the numpy rule it replaced, exactly, on random days."""

from __future__ import annotations

import numpy as np

from sim.model.supervision_share import numpy_sum, share_supervision


def _numpy_rule(who, slots, unit, gp, can, slot, per_slot, pcn_of, n_p, lgpo_unit, sup_minutes, t):
    """The numpy version of sim.model.daycycle.supervision_slots before it was compiled (the reference)."""
    take = np.zeros(who.size, dtype=np.int64)
    supervised = per_slot > 0
    if not supervised.any():
        return take
    units = unit[who]
    minutes = np.bincount(units[supervised], weights=slots[supervised] * per_slot[supervised])
    gp_here = gp[who] & (units < n_p) & (slots > 0) & can
    for u in np.flatnonzero(minutes > 0).tolist():
        if u < n_p:
            mine = gp_here & (units == u)
        elif u < lgpo_unit:
            pcn = np.zeros(n_p + 1, dtype=bool)
            pcn[np.flatnonzero(pcn_of == u - n_p)] = True
            mine = gp_here & pcn[np.minimum(units, n_p)]
        else:
            mine = gp_here
        j = np.flatnonzero(mine)
        if j.size == 0:
            continue
        exact = minutes[u] / j.size / slot[who[j]]
        base = np.floor(exact).astype(np.int64)
        extra = round(float(exact.sum())) - int(base.sum())
        if extra > 0:
            base[np.argsort(-(exact - base), kind="stable")[:extra]] += 1
        take[j] += base
    take = np.minimum(take, slots)
    gps = np.flatnonzero(take > 0)
    sup_minutes[who[gps], t] += take[gps] * slot[who[gps]]
    return take


def test_numpy_sum_is_numpys_order() -> None:
    """The pairwise sum gives numpy's float64 sum bit for bit, across its three size regimes."""
    rng = np.random.default_rng(3)
    for n in [*range(1, 40), 127, 128, 129, 300, 1000, 5000]:
        a = rng.random(n) * 13.7
        assert numpy_sum(a, 0, n) == a.sum()


def test_share_matches_numpy_rule_on_random_days() -> None:
    """Practice, PCN and LGPO posts, GP trainees, ties in remainders and slot caps: identical takes and minutes."""
    rng = np.random.default_rng(11)
    n_p, n_pcn = 6, 2
    lgpo_unit = n_p + n_pcn
    pcn_of = np.array([0, 0, 0, 1, 1, 1], dtype=np.int64)
    for _ in range(400):
        n_staff = int(rng.integers(5, 60))
        role = rng.integers(0, 4, n_staff).astype(np.int64)
        gp = role == 0
        unit = rng.choice(np.arange(lgpo_unit + 1), n_staff).astype(np.int64)
        unit[gp] = rng.integers(0, n_p, int(gp.sum()))  # GPs work in practices
        slot = rng.choice([10.0, 15.0, 12.5], n_staff)
        who = np.sort(rng.choice(n_staff, int(rng.integers(1, n_staff + 1)), replace=False)).astype(np.int64)
        slots = rng.integers(0, 30, who.size).astype(np.int64)
        supervised_role = np.array([False, True, rng.random() < 0.5, True])
        mpa = float(rng.choice([1.0, 2.5, 3.0, 7.5]))
        per_slot = np.where(supervised_role[role[who]], mpa, 0.0)
        trainee = gp[who] & (rng.random(who.size) < 0.2)  # GP trainees: supervised, supervise nobody
        per_slot[trainee] = rng.choice([2.0, 3.0, 5.0], int(trainee.sum()))
        can = ~trainee
        t = int(rng.integers(0, 5))
        got_minutes, ref_minutes = np.zeros((n_staff, 5)), np.zeros((n_staff, 5))
        got = share_supervision(who, slots, unit, gp, can, slot, per_slot, pcn_of, n_p, lgpo_unit, got_minutes, t)
        ref = _numpy_rule(who, slots, unit, gp, can, slot, per_slot, pcn_of, n_p, lgpo_unit, ref_minutes, t)
        np.testing.assert_array_equal(got, ref)
        np.testing.assert_array_equal(got_minutes, ref_minutes)
