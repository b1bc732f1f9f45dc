"""Laying a day's appointments onto clinic sessions (sim.model.clinic.plan_sessions), worked by hand."""

import numpy as np

from sim.model.clinic import plan_sessions

SLOT = np.array([10.0, 15.0, 10.0, 10.0])      # slot minutes of staff 0..3
SESSION = np.array([60.0, 60.0, 60.0, 60.0])   # a default session's minutes
CLINICIAN = np.array([True, True, False, True])  # staff 2 is not a clinician


def _plan(staff_of, offered, sessions):
    sess_staff = np.array([s for s, _, _ in sessions], dtype=np.int64)
    sess_start = np.array([a for _, a, _ in sessions], dtype=np.float64)
    sess_minutes = np.array([m for _, _, m in sessions], dtype=np.float64)
    return plan_sessions(np.asarray(staff_of, dtype=np.int32), 4, CLINICIAN, np.asarray(offered, dtype=np.float64),
                         sess_staff, sess_start, sess_minutes, SLOT, SESSION, 480.0)


def test_appointments_fill_sessions_in_order_and_the_last_session_takes_the_overflow():
    # staff 0: two sessions of 30 minutes (3 slots each) and 8 appointments; staff 1: 4 appointments, no session
    staff_of = [0] * 8 + [1] * 4
    owners, staff, start, minutes, owner, n_slots, first, count = _plan(
        staff_of, offered=[6, 0, 0, 0], sessions=[(0, 480.0, 30.0), (0, 780.0, 30.0), (2, 480.0, 60.0)])
    assert owners.tolist() == [0, 1]  # staff 2 has a session but is no clinician; staff 3 has nothing today
    assert staff.tolist() == [0, 0, 1]
    assert start.tolist() == [480.0, 780.0, 480.0]  # staff 1 gets one default session at the day's first start
    assert minutes.tolist() == [30.0, 30.0, 60.0]
    assert owner.tolist() == [0, 0, 1]
    assert n_slots.tolist() == [3, 3, 4]
    assert first.tolist() == [0, 3, 8]
    assert count.tolist() == [3, 5, 4]  # the afternoon takes the two appointments beyond its three slots


def test_sessions_with_slots_but_no_appointments_are_still_worked():
    owners, staff, _, _, owner, n_slots, first, count = _plan(
        [3], offered=[4, 0, 0, 6], sessions=[(0, 480.0, 40.0), (3, 780.0, 60.0)])
    assert owners.tolist() == [0, 3]
    assert staff.tolist() == [0, 3] and owner.tolist() == [0, 1]
    assert n_slots.tolist() == [4, 6]
    assert count.tolist() == [0, 1] and first.tolist() == [0, 0]


def test_a_day_with_nothing_offered_or_booked_has_no_owners():
    owners, staff, *_ = _plan([], offered=[0, 0, 0, 0], sessions=[(2, 480.0, 60.0)])
    assert owners.size == 0 and staff.size == 0
