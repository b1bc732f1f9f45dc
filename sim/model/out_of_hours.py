"""Demand while the practice is closed (``front_door.out_of_hours``): weekend requests, 111 referrals.

Off by default: the configured week (weekend demand zero) and every draw as before. With it the
weekend days carry ``weekend_day_weight`` of the mean weekday's demand; the week's total is kept (the
annual weight is computed from the same week, so weekday demand is that much lower).
"""

from __future__ import annotations

from sim.config.scenario import Scenario

SATURDAY, SUNDAY = 5, 6


def week_with_out_of_hours(sc: Scenario) -> list[float]:
    """Relative demand Monday..Sunday: the configured week, or with the front door's weekend demand."""
    dow = list(sc.demand.day_of_week)
    ooh = sc.front_door.out_of_hours if sc.front_door is not None else None
    if ooh is None:
        return dow
    weekday_mean = sum(dow[:5]) / 5.0
    for k in (SATURDAY, SUNDAY):
        dow[k] = max(dow[k], ooh.weekend_day_weight * weekday_mean)
    return dow
