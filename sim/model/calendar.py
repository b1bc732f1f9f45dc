"""The simulated calendar: working days, English bank holidays and demand profiles by day."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from functools import lru_cache
from pathlib import Path

import holidays
import numpy as np

MINUTES_PER_DAY = 1440


UK_MODULE = "holidays.countries.united_kingdom"


def united_kingdom() -> type:
    """The ``holidays`` package's UnitedKingdom calendar, loading only its module.

    Importing any module of ``holidays.countries`` runs that package's ``__init__``, which imports all
    of its ~250 countries (about 50 ms of every run's start-up); the UK module itself needs only the
    package's shared base modules. Falls back to the usual import where the file is not found.
    """
    module = sys.modules.get(UK_MODULE)
    path = Path(holidays.__file__).parent / "countries" / "united_kingdom.py"
    if module is None and path.is_file():
        spec = importlib.util.spec_from_file_location(UK_MODULE, path)
        if spec is not None and spec.loader is not None:
            module = importlib.util.module_from_spec(spec)
            sys.modules[UK_MODULE] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[UK_MODULE]
                raise
    if module is None:
        module = importlib.import_module(UK_MODULE)
    return module.UnitedKingdom


@lru_cache(maxsize=64)
def english_bank_holidays(first_year: int, last_year: int) -> frozenset[dt.date]:
    """English bank holidays (the ``holidays`` package's UK calendar, subdivision ENG) between two years."""
    days = united_kingdom()(subdiv="ENG", years=range(first_year, last_year + 1))
    return frozenset(days.keys())


class Calendar:
    """Day index <-> date mapping for a run that starts ``warm_up_days`` before ``start_date``.

    Day 0 is ``start_date``; warm-up days are negative. Internally arrays are offset by ``warm_up``
    so index ``k`` is day ``k - warm_up``.
    """

    def __init__(self, start_date: dt.date, horizon_days: int, warm_up_days: int, extra_days: int = 0):
        self.start_date = start_date
        self.horizon = int(horizon_days)
        self.warm_up = int(warm_up_days)
        self.n = self.warm_up + self.horizon + int(extra_days)
        first = start_date - dt.timedelta(days=self.warm_up)
        self.dates = [first + dt.timedelta(days=k) for k in range(self.n)]
        hol = english_bank_holidays(self.dates[0].year, self.dates[-1].year)
        self.weekday = np.array([d.weekday() for d in self.dates], dtype=np.int8)
        self.month = np.array([d.month for d in self.dates], dtype=np.int8)
        self.is_bank_holiday = np.array([d in hol for d in self.dates], dtype=bool)
        self.is_working_day = (self.weekday < 5) & ~self.is_bank_holiday

    def date(self, index: int) -> dt.date:
        """Date of internal index ``index``."""
        return self.dates[index]

    def demand_weights(self, day_of_week: list[float], monthly: list[float]) -> np.ndarray:
        """Relative demand per internal day, zero where practices are closed (bank holidays)."""
        dow = np.asarray(day_of_week, dtype=float)
        mon = np.asarray(monthly, dtype=float)
        mon = mon / mon.mean()
        w = dow[self.weekday] * mon[self.month - 1]
        w[self.is_bank_holiday] = 0.0
        return w

    def mean_annual_weight(self, day_of_week: list[float], monthly: list[float]) -> float:
        """Sum of demand weights over a typical year (365.25 days), for turning annual rates daily."""
        dow = np.asarray(day_of_week, dtype=float)
        # over a year each weekday occurs 365.25/7 times; about 8 bank holidays fall on weekdays
        per_year = dow.sum() * 365.25 / 7.0
        weekday_mean = dow[:5].mean() if dow[:5].sum() > 0 else 0.0
        return float(per_year - 8.0 * weekday_mean)

    def in_window(self, first: tuple[int, int], last: tuple[int, int]) -> np.ndarray:
        """Whether each internal day lies in the yearly (month, day) window, wrapping the year end."""
        key = np.array([d.month * 100 + d.day for d in self.dates])
        lo, hi = first[0] * 100 + first[1], last[0] * 100 + last[1]
        return (key >= lo) & (key <= hi) if lo <= hi else (key >= lo) | (key <= hi)

    def first_after_window(self, first: tuple[int, int], last: tuple[int, int]) -> np.ndarray:
        """For each internal day in the window, the index of the first working day after it; -1 elsewhere.

        A window running past the calendar's last working day maps to ``n`` (beyond the run).
        """
        inside = self.in_window(first, last)
        out = np.full(self.n, -1, dtype=np.int64)
        nxt = self.n
        for k in range(self.n - 1, -1, -1):
            if inside[k]:
                out[k] = nxt
            elif self.is_working_day[k]:
                nxt = k
        return out
