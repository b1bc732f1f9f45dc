"""The build phase: organisation, staff, population, calendars, booking options and demand.

Each function reads the scenario and fills in the model; :class:`sim.model.model.GPSimModel` calls
them in order. ``add_calendars`` and ``rebuild_options`` are also used mid-run, when staff join or a
lever changes who may see a need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.config.scenario import StaffGroup
from sim.config.types import imd_quintile_of
from sim.model.clinic import two_state_spells
from sim.model.day_book import DayBook
from sim.model.demand import DemandGenerator
from sim.model.growable import append_rows
from sim.model.memory import ordinary_pages
from sim.model.organisation import LGPOUnit, PCNUnit, PracticeUnit
from sim.model.out_of_hours import week_with_out_of_hours
from sim.model.population import assign_usual_gps, build_population

if TYPE_CHECKING:
    from sim.model.agents import Staff
    from sim.model.model import GPSimModel

HALF_DAYS = 10  # Monday AM .. Friday PM
# half-day indices (weekday*2 + 0 AM / 1 PM) in the order a week is filled: mornings, then afternoons
FILL_ORDER = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9]
# each next staff member's week starts this many places further along FILL_ORDER, so that
# part-timers' sessions spread over the week instead of all falling on Monday
ROTATION_STEP = 3


def build_organisation(model: GPSimModel) -> None:
    """Practices, PCNs and the LGPO as booking units, and every staff group's agents."""
    ordinary_pages()  # the first build step: no huge-page stalls for the run's big arrays (sim.model.memory)
    sc = model.scenario
    model.staff = []
    model.practices = []
    model.pcns = []
    n_practices = sum(len(p.practices) for p in sc.area.pcns)
    model.lgpo = LGPOUnit(code=sc.area.code, name=sc.area.name)
    for i, pcn in enumerate(sc.area.pcns):
        unit = PCNUnit(index=i, code=pcn.code, name=pcn.name or pcn.code, unit=n_practices + i)
        model.pcns.append(unit)
        model.lgpo.pcns.append(i)
        for pr in pcn.practices:
            pu = PracticeUnit(index=len(model.practices), code=pr.code, name=pr.name or pr.code, pcn=i,
                              list_size=pr.list_size, access_mode=pr.access_mode)
            model.practices.append(pu)
            unit.practices.append(pu.index)
    model.n_units = n_practices + len(model.pcns) + 1  # practices, PCN pools, the LGPO
    model.lgpo_unit = model.n_units - 1
    for i, pcn in enumerate(sc.area.pcns):
        for j, pr in enumerate(pcn.practices):
            pu = model.practices[model.pcns[i].practices[j]]
            ordinal: dict[str, int] = {}
            for g in pr.staff:
                pu.staff += _add_group(model, g, pu.index, pu.code, ordinal)
        ordinal = {}
        for g in pcn.staff:
            model.pcns[i].staff += _add_group(model, g, model.pcns[i].unit, pcn.code, ordinal)
    ordinal = {}
    for g in sc.area.staff:
        model.lgpo.staff += _add_group(model, g, model.lgpo_unit, sc.area.code, ordinal)


def _add_group(model: GPSimModel, group: StaffGroup, unit: int, unit_code: str, ordinal: dict[str, int]) -> list[int]:
    out = []
    for age in group.ages():
        k = ordinal.get(group.role, 0)
        ordinal[group.role] = k + 1
        agent = model.make_staff(group.role, unit, group.fte, group.sessions_per_week, age, group.contract,
                                 f"{unit_code}/{group.role}/{k}")
        out.append(agent.index)
    return out


def build_patients(model: GPSimModel) -> None:
    """Registered patients (age band, long-term conditions) and their usual GPs."""
    sc = model.scenario
    sizes, mixes, ltcm, quintiles = [], [], [], []
    for _, _, pr in sc.iter_practices():
        sizes.append(pr.list_size)
        mixes.append(pr.age_mix or sc.demand.default_age_mix)
        ltcm.append(pr.ltc_multiplier)
        quintiles.append(0 if pr.imd_score is None else imd_quintile_of(pr.imd_score))
    model.population = build_population(sizes, mixes, ltcm, sc.demand, model.streams.get("population"),
                                        quintiles)
    gps = [[s for s in pu.staff if model.staff[s].kind == "gp"] for pu in model.practices]
    weights = [[model.staff[s].sessions_per_week for s in g] for g in gps]
    assign_usual_gps(model.population, gps, weights, model.streams.get("registration"))


def add_calendars(model: GPSimModel, new_staff: list[Staff]) -> None:
    """Weekly half-day pattern and absence spells for newly created staff."""
    pattern = np.zeros((len(new_staff), HALF_DAYS))
    absent = np.zeros((len(new_staff), model.cal.n), dtype=bool)
    for row, s in enumerate(new_staff):
        sessions = min(s.sessions_per_week, float(HALF_DAYS))
        rot = (s.index * ROTATION_STEP) % HALF_DAYS
        seq = FILL_ORDER[rot:] + FILL_ORDER[:rot]
        full = int(sessions)
        pattern[row, seq[:full]] = 1.0
        if sessions - full > 1e-9 and full < HALF_DAYS:
            pattern[row, seq[full]] = sessions - full
        absent[row] = absence_spells(model, s, model.cal.n)
    model.pattern = append_rows(model.pattern, pattern)
    model.absent = append_rows(model.absent, absent)


def absence_spells(model: GPSimModel, s: Staff, n: int) -> np.ndarray:
    """Leave and sickness as spells (a two-state chain) from the staff member's own stream."""
    spec = model.scenario.roles[s.role]
    if spec.absence_share <= 0:
        return np.zeros(n, dtype=bool)
    rng = model.streams.get(f"absence/{s.key}")
    p_end = 1.0 / spec.absence_spell_days
    p_start = spec.absence_share * p_end / max(1e-9, 1.0 - spec.absence_share)
    return two_state_spells(rng.random(n), spec.absence_share, p_end, p_start)


def rebuild_options(model: GPSimModel) -> None:
    """For each practice and need: the role diaries that may serve it, in preference order.

    Reads the ``eligibility`` and ``shift`` levers; run again when they change or a new role diary opens.
    """
    needs = model.scenario.demand.need_types
    eligibility, shift = model.levers.eligibility, model.levers.shift
    model.options = []
    options_shift: list[list[list[int]]] = []
    for pu in model.practices:
        units = [pu.index, model.pcns[pu.pcn].unit, model.lgpo_unit]
        per_need, per_need_shift = [], []
        for need in model.need_names:
            roles = eligibility.get(need, needs[need].eligible_roles)
            per_need.append(_diaries_for(model, units, roles))
            if shift is not None:
                first = [r for r in shift.to_roles if r not in ("GP",)]
                shifted = first + [r for r in roles if r not in first]
                per_need_shift.append(_diaries_for(model, units, shifted))
        model.options.append(per_need)
        options_shift.append(per_need_shift)
    model.need_continuity = np.array([needs[n].continuity for n in model.need_names], dtype=bool)
    model.options_csr = _csr(model.options)
    model.shift_csr = _csr(options_shift) if shift is not None else model.options_csr
    model.need_roles = [frozenset(model.role_index[r] for r in eligibility.get(n, needs[n].eligible_roles))
                        for n in model.need_names]


def _csr(options: list[list[list[int]]]) -> tuple[np.ndarray, np.ndarray]:
    """Role-diary option lists per (practice, need) as compressed rows for the compiled booking loop."""
    flat = [opts for per_need in options for opts in per_need]
    ptr = np.cumsum([0] + [len(o) for o in flat]).astype(np.int32)
    rds = np.asarray([rd for o in flat for rd in o], dtype=np.int32)
    return ptr, rds


def _diaries_for(model: GPSimModel, units: list[int], roles: list[str]) -> list[int]:
    opts = []
    for role in roles:
        r = model.role_index[role]
        for u in units:
            rd = model.diaries.roles.get((u, r))
            if rd is not None:
                opts.append(rd)
    return opts


def draw_demand(model: GPSimModel) -> None:
    """Every request of the run (scaled by the ``demand_scale`` lever) and the empty ledger."""
    sc = model.scenario
    dow = week_with_out_of_hours(sc)  # the configured week, or with weekend demand (front_door.out_of_hours)
    weights = model.cal.demand_weights(dow, sc.demand.monthly_seasonality)
    annual = model.cal.mean_annual_weight(dow, sc.demand.monthly_seasonality)
    gen = DemandGenerator(sc.demand, model.population, len(model.practices), weights, annual,
                          sc.booking.routine_tolerance_days_mean, sc.booking.urgent_tolerance_days,
                          model.streams.get("demand"), calendar=model.cal)
    model.requests = R = gen.draw(0, model.n_sim_days, model.levers.demand_scale)
    n = R.size
    model.day_start = np.searchsorted(R.day, np.arange(model.n_sim_days + 1)).tolist()
    model.day_book = DayBook(R.day, model.day_start)
    model.state = np.zeros(n, dtype=np.int8)
    model.appt_day = np.full(n, -1, dtype=np.int32)
    model.appt_staff = np.full(n, -1, dtype=np.int32)
    model.appt_pool = np.full(n, -1, dtype=np.int8)
    model.duration = np.zeros(n, dtype=np.float32)
    model.queue_minutes = np.full(n, np.nan, dtype=np.float32)
