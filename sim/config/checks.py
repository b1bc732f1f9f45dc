"""Checks on a validated scenario that need more than one field.

Intervention windows against the horizon, the memory a run will need against the machine, and
whether two scenarios share an area.

Each runs before any model is built, so bad input fails in a second with where and why instead of
deep inside a simulation (or after it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import psutil

from sim.config.scenario import Scenario

GIB = 1024**3


def _add_months(d: dt.date, months: int) -> dt.date:
    """``d`` moved by whole calendar months (the day clipped to the month's length), as the model does."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(d.day, day))
        except ValueError:
            continue
    raise ValueError(f"no date {months} months after {d}")  # pragma: no cover


def _as_date(sc: Scenario, when: dt.date | int) -> dt.date:
    return _add_months(sc.start_date, when) if isinstance(when, int) else when


def _show(when: dt.date | int, date: dt.date) -> str:
    return f"month {when} ({date})" if isinstance(when, int) else str(date)


def check_intervention_windows(sc: Scenario, fail: Callable[[tuple[Any, ...], str], None]) -> None:
    """Every intervention must act inside the run: start by the last day, ``end`` after ``start`` and the first day.

    An ``end`` past the horizon is fine (the intervention simply outlasts the run).
    """
    first = sc.start_date
    last = sc.start_date + dt.timedelta(days=sc.horizon_days - 1)
    for k, iv in enumerate(sc.interventions):
        base = ("interventions", k)
        start = _as_date(sc, iv.start)
        if start > last:
            fail((*base, "start"), f"starts {_show(iv.start, start)}, after the run ends on {last} "
                                   f"(horizon_days {sc.horizon_days} from {first}), so it would never act; "
                                   "allowed: a date up to the last day, or months after the start inside the horizon")
        if iv.end is None:
            continue
        end = _as_date(sc, iv.end)
        if end <= start:
            fail((*base, "end"), f"ends {_show(iv.end, end)}, not after it starts ({_show(iv.start, start)}); "
                                 "allowed: an end after start, or no end")
        if end <= first:
            fail((*base, "end"), f"ends {_show(iv.end, end)}, on or before the run starts on {first}, so it "
                                 "would never act")


def check_recruitment_roles(sc: Scenario, fail: Callable[[tuple[Any, ...], str], None]) -> None:
    """A recruitment delay is given for a defined role (a misspelt role would silently use 3 months)."""
    roles = sc.roles
    for k, iv in enumerate(sc.interventions):
        for role in getattr(iv, "delay_months", None) or {}:
            if role not in roles:
                fail(("interventions", k, "delay_months", role),
                     f"unknown role '{role}'; allowed roles: {', '.join(sorted(roles))}")



def check_navigation_needs(sc: Scenario, fail: Callable[[tuple[Any, ...], str], None]) -> None:
    """Care navigation's shares name need types the demand has (a misspelt need would silently navigate nobody)."""
    needs = sc.demand.need_types
    for k, iv in enumerate(sc.interventions):
        for field in ("shares", "team_shares"):
            for need in getattr(iv, field, None) or {}:
                if need not in needs:
                    fail(("interventions", k, field, need),
                         f"unknown need type '{need}'; allowed need types: {', '.join(sorted(needs))}")

# --------------------------------------------------------------------------------------------
# Memory
# --------------------------------------------------------------------------------------------

# Bytes per item, measured on the shipped scenarios (peak RSS over the imports' ~300 MiB): baseline.yaml,
# 250,020 patients, 695 staff, 393 days, 1.58 million requests: 354 MiB; small.yaml, 40,000 patients, 252,000
# requests: 94 MiB. About 220 bytes per request all told; the estimate adds a third for the summary tables and
# the ledger frame built at the end, and adds the patient and staff-day arrays.
BYTES_PER_REQUEST = 300
BYTES_PER_PATIENT = 400
BYTES_PER_STAFF_DAY = 300
BASE_BYTES = 400 * 1024**2  # the interpreter, numpy/pandas/numba and compiled kernels


def expected_requests(sc: Scenario) -> float:
    """Requests over warm-up and horizon: patients x mean rate (age mix, LTCs) x multiplier x years."""
    d = sc.demand
    per_year = sum(d.default_age_mix[b] * d.rate_per_patient_year[b]
                   * (1.0 + d.ltc_rate_ratio_per_condition * d.ltc_mean_by_age[b]) for b in d.default_age_mix)
    per_year *= d.rate_multiplier
    growth = 1.0
    for iv in sc.interventions:
        if getattr(iv, "type", "") == "demand_growth":
            years = iv.years_ahead + (sc.horizon_days + sc.warm_up_days) / 365.25
            growth *= (1 + iv.list_growth_per_year + iv.rate_growth_per_year) ** years
    return sc.list_size * per_year * growth * (sc.horizon_days + sc.warm_up_days) / 365.25


def staff_count(sc: Scenario) -> int:
    """Headcount named in the area (practices, PCNs and the LGPO)."""
    groups = list(sc.area.staff)
    for pcn in sc.area.pcns:
        groups += pcn.staff
        for pr in pcn.practices:
            groups += pr.staff
    return sum(g.count for g in groups)


def memory_estimate(sc: Scenario) -> dict[str, float]:
    """Rough peak memory of one replication, in bytes, and what it is made of."""
    days = sc.horizon_days + sc.warm_up_days
    requests = expected_requests(sc)
    staff = staff_count(sc)
    total = (BASE_BYTES + requests * BYTES_PER_REQUEST + sc.list_size * BYTES_PER_PATIENT
             + staff * days * BYTES_PER_STAFF_DAY)
    return {"bytes": total, "requests": requests, "patients": sc.list_size, "staff": staff, "days": days}


def available_memory() -> int | None:
    """Bytes of memory available to a new process now (psutil), or None if unknown."""
    return int(psutil.virtual_memory().available)


def memory_problem(sc: Scenario, available: int | None = None, copies: int = 1) -> str | None:
    """A message if ``copies`` replications of ``sc`` at once would not fit in memory, else None."""
    available = available_memory() if available is None else available
    if available is None:
        return None
    est = memory_estimate(sc)
    need = est["bytes"] * copies
    if need <= 0.9 * available:
        return None
    what = (f"{est['patients']:,.0f} patients, about {est['requests'] / 1e6:,.1f} million requests and "
            f"{est['staff']:,.0f} staff over {est['days']:,.0f} days (horizon plus warm-up)")
    times = f" x {copies} replications at once" if copies > 1 else ""
    return (f"needs about {need / GIB:,.1f} GiB of memory{times} ({what}), but this machine has "
            f"{available / GIB:,.1f} GiB available; use fewer patients, fewer days (--days), a smaller "
            "demand.rate_multiplier, or a machine with more memory")


# --------------------------------------------------------------------------------------------
# Comparisons
# --------------------------------------------------------------------------------------------


def area_key(sc: Scenario) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """What makes two scenarios comparable unit by unit: the area code, its PCNs and its practices."""
    pcns = tuple(sorted(p.code for p in sc.area.pcns))
    practices = tuple(sorted(pr.code for _, _, pr in sc.iter_practices()))
    return sc.area.code, pcns, practices


def area_mismatch(first: Scenario, other: Scenario, first_name: str = "") -> str | None:
    """Why ``other`` cannot be compared with ``first`` unit by unit, or None when they share an area."""
    a, b = area_key(first), area_key(other)
    if a == b:
        return None
    n_a, n_b = len(a[2]), len(b[2])
    detail = []
    if a[0] != b[0]:
        detail.append(f"area '{b[0]}' instead of '{a[0]}'")
    if a[1] != b[1]:
        detail.append(f"{len(b[1])} PCN(s) instead of {len(a[1])}")
    if a[2] != b[2]:
        only = sorted(set(b[2]) - set(a[2]))[:3]
        detail.append(f"{n_b} practice(s) instead of {n_a}" + (f" ({', '.join(only)}, ... not in the first)"
                                                                 if only else ""))
    named = f" ({first_name})" if first_name else ""
    return (f"has a different area from the first scenario{named}: " + "; ".join(detail) + ". Paired differences "
            "compare the same practices, PCNs and area replication by replication, so scenarios on different "
            "areas cannot be compared; compare each with a baseline on its own area")
