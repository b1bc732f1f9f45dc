"""Cost rows of the run summary, priced from what the run did (group "Cost" of the outcome registry).

Every cost is a list of items (unit code, reporting day or year, GBP) added up by practice, PCN
and LGPO the way staff are: a practice counts its own items, a PCN its own and its practices', the
LGPO everything. So the PCN rows and the LGPO's own items always add up to the LGPO row.

* Staff: each person's FTE x days in post in the horizon x the daily cost of the role and contract
  (:class:`sim.costs.staff.StaffCostModel`). Member-staffed hub posts have FTE 0 (nobody is paid
  twice); a hub's own clinicians are staff of the hub's unit.
* Overtime: every overtime minute the run recorded for a person (member hub hours worked as
  ``extra`` included) at the role's overtime hourly rate (:class:`sim.costs.rates.OvertimeRate`).
* Interventions, priced by the scenario's cost fields (:mod:`sim.config.interventions`) for what
  ran: each hub's running cost for the days it was open and its set-up cost on its start day, the
  pooled back office's per-practice running cost for its days and its set-up cost, and the cost of
  each person the recruitment intervention actually recruited; absence cover actually worked
  (``pooled_cover``): the covered clinician's session hours that day, a GP at the locum session fee
  pro rata, other roles at their employer cost per hour (bank staff); a training expansion's trainer
  grant for each day an extra trainee is in post; an international recruitment's fee for each GP who
  arrives.
* ARRS: what the Additional Roles Reimbursement Scheme would reimburse of the staff a PCN itself
  employs (:func:`sim.costs.arrs.arrs_for_pcn`), on the PCN's Carr-Hill weighted population (its
  practices' ``weighted_patients`` from ``area build``; a practice without one counts its list).
* Present value (horizons over a year): each horizon year's total discounted at the Green Book
  rate (:func:`sim.costs.staff.present_value`, year 0 undiscounted).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.config.interventions import (
    ExtendedAccess,
    InternationalRecruitment,
    PooledBackOffice,
    Recruitment,
    TrainingExpansion,
)
from sim.costs.arrs import arrs_for_pcn
from sim.costs.rates import DAYS_PER_YEAR
from sim.costs.staff import StaffCostModel, present_value, staff_costs
from sim.model.interventions import internal_day, scope_practices
from sim.results.cells import code_counts
from sim.results.ledger_codes import LedgerCodes, ledger_codes
from sim.results.summary_rows import rows_frame

if TYPE_CHECKING:
    from sim.model.model import GPSimModel

DAYS_PER_MONTH = DAYS_PER_YEAR / 12.0
COST_PARTS = ("staff", "overtime", "interventions")


class CostBook:
    """GBP by (unit code, horizon year, part): what each practice, PCN and the LGPO spent."""

    def __init__(self, horizon_days: int) -> None:
        self.horizon_days = horizon_days
        self.n_years = max(1, int(np.ceil(horizon_days / DAYS_PER_YEAR)))
        self.gbp: dict[tuple[str, str], np.ndarray] = defaultdict(lambda: np.zeros(self.n_years))

    def bounds(self, year: int) -> tuple[int, int]:
        """Reporting days ``first .. last - 1`` of horizon year ``year`` (the last year ends with the horizon)."""
        last = self.horizon_days if year == self.n_years - 1 else round((year + 1) * DAYS_PER_YEAR)
        return round(year * DAYS_PER_YEAR), last

    def year_of(self, day: int) -> int:
        """Horizon year (0-based) of reporting day ``day``."""
        return next((t for t in range(self.n_years) if day < self.bounds(t)[1]), self.n_years - 1)

    def add(self, unit: str, part: str, day: int, gbp: float) -> None:
        """Count ``gbp`` for ``unit`` in the year of reporting day ``day``."""
        self.gbp[(unit, part)][self.year_of(day)] += gbp

    def add_span(self, unit: str, part: str, first: int, last: int, gbp_per_day: float) -> None:
        """Count ``gbp_per_day`` for each reporting day ``first .. last - 1`` inside the horizon."""
        first, last = max(0, first), min(self.horizon_days, last)
        for t in range(self.n_years):
            y0, y1 = self.bounds(t)
            days = max(0, min(last, y1) - max(first, y0))
            if days:
                self.gbp[(unit, part)][t] += days * gbp_per_day

    def by_year(self, units: list[str], parts: tuple[str, ...] = COST_PARTS) -> np.ndarray:
        """GBP by horizon year over ``units`` and ``parts``."""
        total = np.zeros(self.n_years)
        for u in units:
            for p in parts:
                if (u, p) in self.gbp:
                    total += self.gbp[(u, p)]
        return total


def _levels(model: GPSimModel) -> list[tuple[str, str, list[str], float]]:
    """(level, unit, unit codes whose items count, registered patients) for every summary unit."""
    out = [("lgpo", model.lgpo.code, [model.lgpo.code] + [p.code for p in model.pcns]
            + [p.code for p in model.practices], float(sum(p.list_size for p in model.practices)))]
    for pcn in model.pcns:
        codes = [model.practices[i].code for i in pcn.practices]
        out.append(("pcn", pcn.code, [pcn.code, *codes], float(sum(model.practices[i].list_size for i in pcn.practices))))
    out += [("practice", p.code, [p.code], float(p.list_size)) for p in model.practices]
    return out


def _staff_items(book: CostBook, costs: pd.DataFrame) -> None:
    """Each person's FTE-days in post per horizon year x their daily cost."""
    joined = pd.to_numeric(costs["joined_day"]).astype(float).fillna(0.0).to_numpy()
    left = pd.to_numeric(costs["left_day"]).astype(float).fillna(-1.0).to_numpy()
    end = np.where(left < 0, float(book.horizon_days), left)
    for unit, fte, daily, j, e in zip(costs["unit_code"], costs["fte"].astype(float), costs["daily_cost_gbp"],
                                      joined, end, strict=True):
        if fte > 0:
            book.add_span(str(unit), "staff", int(j), int(e), fte * daily)


def _overtime_items(book: CostBook, model: GPSimModel, staff: pd.DataFrame, prices: StaffCostModel) -> np.ndarray:
    """Overtime hours per person in the horizon priced at their role's overtime rate; returns GBP per person."""
    w = model.cal.warm_up
    minutes = model.staff_days.overtime_minutes[:, w:model.n_sim_days]
    gbp = np.zeros(len(staff))
    rate_of: dict[tuple[str, str, str], float] = {}
    for k, (role, kind, contract, unit) in enumerate(zip(staff["role"], staff["kind"], staff["contract"],
                                                         staff["unit_code"], strict=True)):
        row = minutes[k]
        if not row.any():
            continue
        key = (str(role), str(kind), str(contract or ""))
        if key not in rate_of:
            rate_of[key] = prices.overtime_hourly_gbp(key[0], key[1], key[2] or None)
        for t in range(book.n_years):
            y0, y1 = book.bounds(t)
            hours = row[y0:y1].sum() / 60.0
            if hours:
                book.add(str(unit), "overtime", y0, hours * rate_of[key])
        gbp[k] = row.sum() / 60.0 * rate_of[key]
    return gbp


def _cover_items(book: CostBook, model: GPSimModel, prices: StaffCostModel) -> None:
    """Absence cover actually worked (pooled cover): the cover post's session hours that day at the cover rate."""
    cover = model.levers.cover
    if cover is None:
        return
    w = model.cal.warm_up
    minutes = model.staff_days.session_minutes
    for t, s in cover.worked:
        if w <= t < model.n_sim_days:
            agent = model.staff[s]
            rate = prices.cover_hourly_gbp(agent.role, agent.kind)
            book.add(model.unit_level(agent.unit)[1], "interventions", t - w, minutes[s, t] / 60.0 * rate)


def _intervention_items(book: CostBook, model: GPSimModel) -> None:
    """Hubs, the pooled back office and recruitment, priced for the days and hires the run had."""
    w = model.cal.warm_up
    for iv in model.scenario.interventions:
        start = internal_day(model, iv.start, w) - w
        end = internal_day(model, iv.end, model.cal.n + 1) - w
        practices = scope_practices(model, iv.scope)
        if isinstance(iv, ExtendedAccess):
            hubs = ([model.pcns[c].code for c in sorted({model.practices[p].pcn for p in practices})]
                    if iv.level == "pcn" else [model.lgpo.code])
            for code in hubs:
                book.add_span(code, "interventions", start, end, iv.running_cost_gbp_per_hub_year / DAYS_PER_YEAR)
                if 0 <= start < book.horizon_days:
                    book.add(code, "interventions", start, iv.setup_cost_gbp_per_hub)
        elif isinstance(iv, PooledBackOffice):
            share = iv.setup_cost_gbp / len(practices) if practices else 0.0
            for p in practices:
                code = model.practices[p].code
                book.add_span(code, "interventions", start, end, iv.running_cost_gbp_per_practice_month / DAYS_PER_MONTH)
                if 0 <= start < book.horizon_days:
                    book.add(code, "interventions", start, share)
        elif isinstance(iv, TrainingExpansion | InternationalRecruitment):
            _scheme_items(book, model, iv, start + w)
    hire = {}
    for iv in model.scenario.interventions:
        if isinstance(iv, Recruitment):
            hire.update(iv.cost_per_hire_gbp)
    for e in model.events:
        if e["event"] == "recruited" and e["day"] >= w and e["role"] in hire:
            book.add(str(e["unit"]), "interventions", e["day"] - w, hire[e["role"]])


def _scheme_items(book: CostBook, model: GPSimModel, iv: TrainingExpansion | InternationalRecruitment,
                  start: int) -> None:
    """The scheme's price for its own people: each extra trainee's days in post, each international recruit's arrival.

    ``start`` is the intervention's internal start day, which names its people (``sim.model.training``:
    trainees keyed ``tx<start>/``, recruits ``ir<start>/``).
    """
    w = model.cal.warm_up
    for agent in model.staff:
        left = model.n_sim_days if agent.left_day is None else agent.left_day
        code = model.unit_level(agent.unit)[1]
        if isinstance(iv, TrainingExpansion):
            if agent.trainee_year and agent.training_key.startswith(f"tx{start}/"):
                book.add_span(code, "interventions", agent.joined_day - w, left - w,
                              iv.cost_per_trainee_year_gbp / DAYS_PER_YEAR)
        elif agent.key.startswith(f"ir{start}/") and w <= agent.joined_day < w + book.horizon_days:
            book.add(code, "interventions", agent.joined_day - w, iv.cost_per_recruit_gbp)


def _appointments(ledger: pd.DataFrame, model: GPSimModel, horizon_days: int,
                  levels: list[tuple[str, str, list[str], float]], codes: LedgerCodes) -> list[dict[str, float]]:
    """Appointments (seen or DNA) in the horizon by role, for each summary unit in ``levels``.

    Counted per (clinician's unit, role) in one pass, then summed over the unit codes each summary unit
    counts; each unit's roles with appointments, in sorted order (whole numbers: exact in any order).
    """
    day = codes.appt_day
    unit = ledger["unit"].to_numpy(dtype=np.int64)  # int64 like every code_counts cell: one compiled signature to load
    role = ledger["role"].astype("category")
    names = [str(c) for c in role.cat.categories]
    n_units = model.lgpo_unit + 1
    in_horizon = (day >= 0) & (day < horizon_days)
    counts = code_counts(unit, np.where(in_horizon, role.cat.codes.to_numpy(), -1), len(names), n_units)
    of_code: dict[str, list[int]] = {}
    for u in range(n_units):
        of_code.setdefault(model.unit_level(u)[1], []).append(u)
    order = sorted(range(len(names)), key=lambda r: names[r])
    out = []
    for _, _, unit_codes, _ in levels:
        mine = counts[[u for c in unit_codes for u in of_code.get(c, [])]].sum(axis=0)
        out.append({names[r]: float(mine[r]) for r in order if mine[r] > 0})
    return out


def _by_role(values: pd.Series, levels: list[tuple[str, str, list[str], float]]) -> list[dict[str, float]]:
    """For each summary unit, ``values`` (indexed by unit code and role) summed by role over the codes it counts.

    One grouping of the rows repeated once per unit that counts them (in place: each sum adds its
    rows in their order here, as a grouping per unit did), not two per unit: a borough has sixty.
    """
    member: dict[str, list[int]] = {}
    for k, (_, _, codes, _) in enumerate(levels):
        for c in codes:
            member.setdefault(c, []).append(k)
    of_row = [member.get(c, []) for c in values.index.get_level_values(0)]
    rows = np.repeat(np.arange(len(values)), [len(m) for m in of_row])
    which = np.array([k for m in of_row for k in m], dtype=np.int64)
    roles = values.index.get_level_values(1)
    sums = pd.Series(values.to_numpy()[rows], index=pd.MultiIndex.from_arrays([which, roles[rows]],
                                                                              names=["k", roles.name]))
    out: list[dict[str, float]] = [{} for _ in levels]
    for (k, role), v in sums.groupby(level=[0, 1]).sum().items():  # by unit, then role in sorted order
        out[k][role] = v
    return out


def cost_summary(model: GPSimModel, staff: pd.DataFrame, ledger: pd.DataFrame,
                 prices: StaffCostModel | None = None, codes: LedgerCodes | None = None) -> pd.DataFrame:
    """Cost rows (level, unit, metric, value, units) for the run summary; see the module docstring.

    ``codes``: the ledger's :func:`~sim.results.ledger_codes.ledger_codes` when the caller has them.
    """
    prices = prices or StaffCostModel()
    horizon = model.scenario.horizon_days
    years = horizon / DAYS_PER_YEAR
    book = CostBook(horizon)
    costs = staff_costs(staff, horizon, prices)
    _staff_items(book, costs)
    costs["overtime_gbp"] = _overtime_items(book, model, staff, prices)
    _intervention_items(book, model)
    _cover_items(book, model, prices)
    role_cost = (costs.assign(gbp=costs["cost_gbp"] + costs["overtime_gbp"])
                 .groupby(["unit_code", "role"])["gbp"].sum())
    rows: list[tuple[str, str, str, float]] = []
    levels = _levels(model)
    cost_of = _by_role(role_cost, levels)
    appts_of = _appointments(ledger, model, horizon, levels, ledger_codes(ledger) if codes is None else codes)
    for (level, unit, codes, patients), mine_cost, mine_appts in zip(levels, cost_of, appts_of, strict=True):
        parts = {p: float(book.by_year(codes, (p,)).sum()) / years for p in COST_PARTS}
        total = sum(parts.values())
        per_k = 1000.0 / patients if patients else np.nan
        rows += [(level, unit, "cost_total_gbp_year", total),
                 (level, unit, "cost_staff_gbp_year", parts["staff"]),
                 (level, unit, "cost_overtime_gbp_year", parts["overtime"]),
                 (level, unit, "cost_interventions_gbp_year", parts["interventions"]),
                 (level, unit, "cost_per_1000_gbp_year", total * per_k),
                 (level, unit, "staff_cost_per_1000_gbp_year", parts["staff"] * per_k)]
        if book.n_years > 1:
            rows.append((level, unit, "cost_total_pv_gbp", present_value(book.by_year(codes).tolist())))
        n_all = float(sum(mine_appts.values()))  # whole numbers: exact in any order
        rows.append((level, unit, "cost_per_appointment_gbp",
                     (parts["staff"] + parts["overtime"]) * years / n_all if n_all else np.nan))
        for role, n in mine_appts.items():
            if n > 0 and role in mine_cost:
                rows.append((level, unit, f"cost_per_appointment_gbp:{role}", float(mine_cost[role]) / n))
    arrs = {}
    weighted = {pr.code: pr.weighted_patients for _, _, pr in model.scenario.iter_practices()}
    for pcn in model.pcns:
        patients = float(sum(weighted.get(model.practices[i].code) or model.practices[i].list_size
                             for i in pcn.practices))
        _, totals = arrs_for_pcn(costs, pcn.code, patients, horizon_days=horizon)
        arrs[pcn.code] = (totals["funded_gbp"], totals["unfunded_gbp"])
        rows += [("pcn", pcn.code, "pcn_staff_arrs_reimbursable_gbp_year", totals["funded_gbp"]),
                 ("pcn", pcn.code, "pcn_staff_not_reimbursable_gbp_year", totals["unfunded_gbp"])]
    rows += [("lgpo", model.lgpo.code, "pcn_staff_arrs_reimbursable_gbp_year", sum(a for a, _ in arrs.values())),
             ("lgpo", model.lgpo.code, "pcn_staff_not_reimbursable_gbp_year", sum(b for _, b in arrs.values()))]
    return rows_frame(rows)
