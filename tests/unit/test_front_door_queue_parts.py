"""The telephone queue's compiled heap and hour: exactly as the plain sift-down and floor division.

Ties are common (calls ring on whole minutes, and every call before opening waits for the same
minute), and which tied call is served first depends on the heap's layout, so the compiled heap
must keep the layout of the plain binary heap item for item (sim.model.front_door_queue).
"""

from fractions import Fraction

import numpy as np
import pytest

from sim.model.front_door_queue import _hour, _pop, _push


def _pop_ref(key, val, n):
    """Plain binary-heap pop: sift the last item down to the smaller child (left on a tie) while it is smaller."""
    n -= 1
    k, v = key[n], val[n]
    i = 0
    while True:
        lo, lk = i, k
        left, right = 2 * i + 1, 2 * i + 2
        if left < n and key[left] < lk:
            lo, lk = left, key[left]
        if right < n and key[right] < lk:
            lo, lk = right, key[right]
        if lo == i:
            break
        key[i], val[i] = lk, val[lo]
        i = lo
    key[i], val[i] = k, v
    return n


@pytest.mark.parametrize("keys", ["whole minutes", "continuous", "all equal"])
def test_heap_matches_plain_sift_down(keys):
    rng = np.random.default_rng(11)
    for _ in range(30):
        size = int(rng.integers(1, 400))
        key, val = np.empty(size), np.empty(size, dtype=np.int64)
        key_ref, val_ref = key.copy(), val.copy()
        n = n_ref = 0
        popped, popped_ref = [], []
        for v in range(4 * size):
            if n < size and (n == 0 or rng.random() < 0.55):
                if keys == "whole minutes":
                    k = float(rng.integers(480, 520))
                elif keys == "continuous":
                    k = 480.0 + 40.0 * rng.random()
                else:
                    k = 480.0
                n = _push(key, val, n, k, v)
                n_ref = _push.py_func(key_ref, val_ref, n_ref, k, v)  # the push is unchanged: its own Python
            else:
                popped.append((key[0], val[0]))
                popped_ref.append((key_ref[0], val_ref[0]))
                n = _pop(key, val, n)
                n_ref = _pop_ref(key_ref, val_ref, n_ref)
            assert n == n_ref
            np.testing.assert_array_equal(key[:n], key_ref[:n])
            np.testing.assert_array_equal(val[:n], val_ref[:n])
        assert popped == popped_ref


def test_hour_is_exact_floor():
    """The queue's hour of a minute (a multiplication and two checks) is the exact floor of t / 60."""
    rng = np.random.default_rng(5)
    whole = np.arange(0, 48 * 60 + 1, dtype=float)  # every whole minute, hours included
    near = np.concatenate([np.nextafter(whole[1:], -np.inf), np.nextafter(whole, np.inf)])  # either side of each
    t = np.concatenate([whole, near, 2880.0 * rng.random(20000)])
    got = np.array([_hour(x) for x in t])
    np.testing.assert_array_equal(got, np.floor_divide(t, 60.0).astype(np.int64))
    assert all(_hour(x) == int(Fraction(x) // 60) for x in t[:: 97])
