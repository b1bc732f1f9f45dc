"""The day book returns each day's appointments grouped by clinician, in the order they were booked."""

import numpy as np

from sim.model.day_book import DayBook

# ten requests: 0-3 made on day 0, 4-6 on day 1, 7-9 on day 2
REQUEST_DAY = np.array([0, 0, 0, 0, 1, 1, 1, 2, 2, 2])
DAY_START = [0, 4, 7, 10, 10, 10, 10]


def test_a_day_comes_back_grouped_by_clinician_in_booking_order_with_rebookings_in_their_place():
    book = DayBook(REQUEST_DAY, DAY_START)
    staff = np.array([5, 3, 5, 3, 5, 3, 5, 3, 5, 5], dtype=np.int32)
    book.add(np.array([0, 1, 2, 3]), np.array([3, 3, 1, 3]))  # day 0's bookings
    book.add_one(8, 3)  # a rebooking made between day 0 and day 1: after day 0's, before day 1's
    book.add(np.array([4, 5, 6]), np.array([3, 1, 3]))
    staff_of, rids = book.pop_day(3, staff)
    assert staff_of.tolist() == [3, 3, 5, 5, 5, 5]
    assert rids.tolist() == [1, 3, 0, 8, 4, 6]
    again_staff, again = book.pop_day(3, staff)  # popped days are empty
    assert again.size == 0 and again_staff.size == 0
    assert book.pop_day(1, staff)[1].tolist() == [5, 2]  # by clinician: 3 before 5
    assert book.days() == []


def test_removing_a_leaver_returns_their_appointments_by_day_then_booking_order():
    book = DayBook(REQUEST_DAY, DAY_START)
    staff = np.array([7, 7, 2, 7, 7, 2, 7, 7, 7, 2], dtype=np.int32)
    book.add(np.array([0, 1, 2, 3]), np.array([4, 2, 2, 2]))
    book.add(np.array([4, 5, 6]), np.array([2, 4, 5]))
    assert book.remove_staff(7, 3, staff) == [0, 6]  # from day 3 on only
    assert book.days() == [2, 4]
    staff_of, rids = book.pop_day(2, staff)
    assert rids.tolist() == [2, 1, 3, 4] and staff_of.tolist() == [2, 7, 7, 7]
    assert book.pop_day(4, staff)[1].tolist() == [5]
    assert book.pop_day(5, staff)[1].size == 0


def test_a_rebooking_of_an_old_request_is_still_found_on_its_new_day():
    book = DayBook(REQUEST_DAY, DAY_START)
    staff = np.zeros(10, dtype=np.int32)
    book.add_one(0, 5)  # request of day 0 rebooked five days on, further than any first booking
    book.add(np.array([7]), np.array([5]))
    assert book.pop_day(5, staff)[1].tolist() == [0, 7]


def test_removing_a_leaver_finds_the_same_appointments_as_a_scan_of_the_whole_book():
    """remove_staff scans only requests that can reach the day: the same result as scanning everything."""
    rng = np.random.default_rng(5)
    n_days, per_day = 60, 30
    request_day = np.repeat(np.arange(n_days), per_day)
    day_start = [d * per_day for d in range(n_days + 1)] + [n_days * per_day] * 10
    for _ in range(20):
        book = DayBook(request_day, day_start)
        staff = rng.integers(0, 4, request_day.size).astype(np.int32)
        booked_day = np.full(request_day.size, -1)
        today = int(rng.integers(10, n_days))
        for d in range(today + 1):  # each day books its own requests up to 20 days ahead
            rids = np.arange(d * per_day, (d + 1) * per_day)
            days = d + rng.integers(0, 21, rids.size)
            book.add(rids, days)
            booked_day[rids] = days
        from_day = int(rng.integers(0, today + 1))
        want = np.flatnonzero((booked_day >= from_day) & (staff == 1))
        want = want[np.lexsort((want, booked_day[want]))].tolist()  # by day, then booking order (= id here)
        assert book.remove_staff(1, from_day, staff) == want


def test_compiled_book_and_pop_match_the_numpy_passes():
    """add (compiled) and pop_day give what the NumPy passes gave, on random books."""
    rng = np.random.default_rng(17)
    n_days, per_day = 40, 25
    request_day = np.repeat(np.arange(n_days), per_day).astype(np.int32)
    day_start = [d * per_day for d in range(n_days + 1)] + [n_days * per_day] * 30
    for _ in range(10):
        book = DayBook(request_day, day_start)
        ref_day = np.full(request_day.size, -1, dtype=np.int32)
        ref_seq = np.zeros(request_day.size, dtype=np.int64)
        ref_next = ref_reach = ref_end = 0
        staff = rng.integers(0, 6, request_day.size).astype(np.int32)
        for d in range(n_days):
            rids = rng.permutation(np.arange(d * per_day, (d + 1) * per_day))[: int(rng.integers(0, per_day))]
            days = (d + rng.integers(0, 15, rids.size)).astype(np.int32)
            book.add(rids, days)
            if rids.size:  # the NumPy passes add made
                ref_day[rids] = days
                ref_seq[rids] = np.arange(ref_next, ref_next + rids.size)
                ref_next += rids.size
                ref_reach = max(ref_reach, int((days - request_day[rids]).max()))
                ref_end = max(ref_end, int(rids.max()) + 1)
            staff_of, popped = book.pop_day(d, staff)
            lo = day_start[min(max(0, d - ref_reach), len(day_start) - 1)]
            hi = day_start[min(d + 1, len(day_start) - 1)]
            want = lo + np.flatnonzero(ref_day[lo:hi] == d)  # the NumPy passes pop_day made
            ref_day[want] = -1
            order = np.argsort((staff[want].astype(np.int64) << 40) | ref_seq[want])
            assert popped.tolist() == want[order].tolist()
            assert staff_of.tolist() == staff[want][order].tolist()
            assert staff_of.dtype == np.int32 and popped.dtype == np.int64
        assert book.days() == np.unique(ref_day[ref_day >= 0]).tolist()
