"""Staff cost per FTE by role and contract, and the cost of a run's staff table.

:class:`StaffCostModel` prices one FTE-year of each role:

* GPs by contract, from GP Earnings and Expenses (:class:`~sim.costs.rates.GpRates`, uplifted to
  2025/26 by the DDRB awards): a partner costs the income before tax per FTE (it already pays the
  partner's own pension contributions; in the NHS perspective the 9.4% paid centrally is added); a
  salaried or retained GP costs the employment earnings per FTE plus employer NI and pension; a
  trainee costs the resident doctors' 2025/26 basic pay of their training year (ST1-ST2 nodal point
  3, ST3 nodal point 4; :class:`~sim.costs.rates.TraineeRates`) plus employer NI and pension; a
  locum costs the sessional fee for an FTE's sessions (:class:`~sim.costs.rates.LocumRate`), with
  no on-costs.
* Every other role at its Agenda for Change 2025/26 band (:data:`~sim.costs.rates.ROLE_BANDS`;
  by kind for unlisted roles) at the chosen step point, plus employer NI and pension.

:func:`staff_costs` prices a staff table with the columns of a run's ``staff.parquet`` (``role``,
``kind``, ``level``, ``unit_code``, ``fte``, ``contract``, ``joined_day``, ``left_day``): each
person's FTE-days in post over the horizon times the daily cost of their role. Everything a
person costs is ``fte x days in post x cost per FTE-year / 365.25``, so totals add up by
construction at every level. :func:`unit_costs` sums by practice, PCN and area and divides by
patients; :func:`cost_per_appointment` divides cost by appointments, by role;
:func:`present_value` discounts a stream of annual costs at the Green Book rate.

Limits: FTE is each person's FTE at the end of the run (``staff.parquet`` keeps no history of
session changes); overtime is costed separately (:meth:`StaffCostModel.overtime_hourly_gbp`). Every price
is 2025/26 pounds (:data:`~sim.costs.rates.PRICE_YEAR`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from sim.costs.rates import (
    AFC_2025_26,
    DAYS_PER_YEAR,
    GREEN_BOOK,
    HOURS_PER_FTE_WEEK,
    KIND_BANDS,
    ROLE_BANDS,
    AfcBand,
    Discounting,
    GpRates,
    LocumRate,
    OnCosts,
    OvertimeRate,
    TraineeRates,
)
from sim.nhsdata.earnings import gp_measure

GP_CONTRACTS = ("partner", "salaried", "locum", "retainer", "trainee")

#: A trainee's training year in their staff key (``sim.model.training`` keys trainees ``.../ST<year>``).
_TRAINING_YEAR = re.compile(r"/ST([1-9])$")


def training_year_of(key: object) -> int | None:
    """The training year (1-3) in a trainee's staff key, or None."""
    found = _TRAINING_YEAR.search(key) if isinstance(key, str) else None
    return int(found.group(1)) if found else None


@dataclass(frozen=True)
class RoleCost:
    """The cost of 1.0 FTE of one role for a year, and how it was made (GBP a year)."""

    role: str
    contract: str
    pay_gbp: float
    employer_ni_gbp: float
    pension_gbp: float
    basis: str

    @property
    def total_gbp(self) -> float:
        """Pay plus on-costs, GBP per FTE a year."""
        return self.pay_gbp + self.employer_ni_gbp + self.pension_gbp

    @property
    def daily_gbp(self) -> float:
        """GBP per FTE-day (a year / 365.25)."""
        return self.total_gbp / DAYS_PER_YEAR


@dataclass(frozen=True)
class StaffCostModel:
    """Costs per FTE-year by role and contract. Every default is cited in :mod:`sim.costs.rates`."""

    on_costs: OnCosts = field(default_factory=OnCosts)
    gp: GpRates = field(default_factory=GpRates)
    locum: LocumRate = field(default_factory=LocumRate)
    trainee: TraineeRates = field(default_factory=TraineeRates)
    bands: Mapping[str, AfcBand] = field(default_factory=lambda: dict(AFC_2025_26))
    role_bands: Mapping[str, str] = field(default_factory=lambda: dict(ROLE_BANDS))
    kind_bands: Mapping[str, str] = field(default_factory=lambda: dict(KIND_BANDS))
    afc_point: Literal["entry", "midpoint", "top"] = "midpoint"
    """Agenda for Change step point used for pay (midpoint = mean of entry and top)."""
    overtime: OvertimeRate = field(default_factory=OvertimeRate)

    def gp_cost(self, contract: str = "salaried", training_year: int | None = None) -> RoleCost:
        """One FTE-year of a GP on ``contract`` (partner, salaried, locum, retainer, trainee), 2025/26 pounds.

        A trainee's ``training_year`` (1-3) picks their pay point; None costs the mean over ST1-ST3.
        """
        contract = (contract or "salaried").lower()
        if contract not in GP_CONTRACTS:
            raise KeyError(f"unknown GP contract {contract!r}; one of {GP_CONTRACTS}")
        uplift = self.gp.uplift
        if contract == "locum":
            return RoleCost("GP", contract, self.locum.annual_per_fte_gbp, 0.0, 0.0,
                            f"locum: GBP {self.locum.session_price_gbp:,.2f} a session ({self.locum.price_year} "
                            f"GBP {self.locum.session_gbp:,.0f} uplifted by the DDRB awards) x "
                            f"{self.locum.sessions_per_fte_week:g} x {self.locum.weeks_per_year:g} "
                            f"weeks ({self.locum.source})")
        if contract == "trainee":
            pay = self.trainee.basic_pay(training_year)
            year = f"ST{training_year}" if training_year else "mean of ST1-ST3"
            return RoleCost("GP", contract, pay, self.on_costs.employer_ni(pay), self.on_costs.pension_rate * pay,
                            f"trainee ({year}): {self.trainee.source} + employer NI + pension")
        if contract == "partner":
            pay = self.gp.partner_income_gbp * uplift / self.gp.fte_per_head
            return RoleCost("GP", contract, pay, 0.0, self.on_costs.central_pension_rate * pay,
                            f"partner: income before tax x {uplift:.4f} (DDRB awards, {self.gp.price_year} to "
                            f"2025/26) / {self.gp.fte_per_head:g} FTE per head ({self.gp.source}); pension paid "
                            "centrally added in the NHS perspective")
        pay = self.gp.salaried_pay_gbp * uplift / self.gp.fte_per_head
        what = "salaried" if contract == "salaried" else f"{contract} (costed as salaried)"
        return RoleCost("GP", contract, pay, self.on_costs.employer_ni(pay),
                        self.on_costs.pension_rate * pay,
                        f"{what}: employment earnings x {uplift:.4f} (DDRB awards, {self.gp.price_year} to "
                        f"2025/26) / {self.gp.fte_per_head:g} FTE per head ({self.gp.source}) + employer NI + pension")

    def band_of(self, role: str, kind: str | None = None) -> str:
        """The Agenda for Change band a role is costed at."""
        if role in self.role_bands:
            return self.role_bands[role]
        if kind is not None and kind in self.kind_bands:
            return self.kind_bands[kind]
        raise KeyError(f"no Agenda for Change band for role {role!r} (kind {kind!r}); "
                       "add it to role_bands")

    def afc_cost(self, role: str, kind: str | None = None) -> RoleCost:
        """One FTE-year of a role paid on Agenda for Change, with employer NI and pension."""
        band = self.bands[self.band_of(role, kind)]
        pay = band.point(self.afc_point)
        return RoleCost(role, "", pay, self.on_costs.employer_ni(pay),
                        self.on_costs.pension_rate * pay,
                        f"Agenda for Change 2025/26 band {band.band} {self.afc_point} "
                        "+ employer NI + pension")

    def role_cost(self, role: str, kind: str | None = None, contract: str | None = None,
                  training_year: int | None = None) -> RoleCost:
        """One FTE-year of ``role`` (a GP by ``contract``, a trainee by ``training_year``; anything else by its band)."""
        if role == "GP" or kind == "gp":
            cost = self.gp_cost(contract or "salaried", training_year)
            return RoleCost(role, cost.contract, cost.pay_gbp, cost.employer_ni_gbp,
                            cost.pension_gbp, cost.basis)
        return self.afc_cost(role, kind)

    def overtime_hourly_gbp(self, role: str, kind: str | None = None, contract: str | None = None) -> float:
        """GBP per overtime hour of ``role`` (:class:`~sim.costs.rates.OvertimeRate`; NI only where employed)."""
        cost = self.role_cost(role, kind, contract)
        gp = role == "GP" or kind == "gp"
        band = None if gp else self.bands[self.band_of(role, kind)].band
        on_costs = self.on_costs if cost.employer_ni_gbp > 0 else OnCosts(employer_ni_rate=0.0)
        return self.overtime.hourly_gbp(cost.pay_gbp, gp=gp, band=band, on_costs=on_costs)

    def cover_hourly_gbp(self, role: str, kind: str | None = None) -> float:
        """GBP per hour of absence cover: a GP locum's session fee pro rata, else the role's employer cost per hour.

        A locum session is 37.5 h / ``sessions_per_fte_week`` (4 h 10 min); other roles are covered
        by bank staff at the employer cost of the role (no agency premium).
        """
        if role == "GP" or kind == "gp":
            return self.locum.session_price_gbp / (HOURS_PER_FTE_WEEK / self.locum.sessions_per_fte_week)
        return self.afc_cost(role, kind).total_gbp / (HOURS_PER_FTE_WEEK * DAYS_PER_YEAR / 7.0)

    def table(self, roles: Sequence[str] = ("Nurse", "HCA", "Pharmacist", "Paramedic",
                                              "PhysicianAssociate", "Physiotherapist", "Admin")
              ) -> pd.DataFrame:
        """Cost per FTE-year of the GP contracts and ``roles``: one row each, GBP a year."""
        rows = [self.gp_cost(c) for c in GP_CONTRACTS] + [self.afc_cost(r) for r in roles]
        return pd.DataFrame([{"role": r.role, "contract": r.contract, "pay_gbp": r.pay_gbp,
                              "employer_ni_gbp": r.employer_ni_gbp, "pension_gbp": r.pension_gbp,
                              "total_gbp": r.total_gbp, "basis": r.basis} for r in rows])


def gp_rates_from_earnings(earnings: pd.DataFrame, *, fte_per_head: float = GpRates.fte_per_head,
                           contract_type: str = "GPMS", country: str = "England",
                           label: str = "2022/23") -> GpRates:
    """:class:`GpRates` read from a GP Earnings and Expenses frame (see :mod:`sim.nhsdata.earnings`).

    ``label`` is the edition's financial year ("2021/22"): the price year its figures are uplifted from.
    """
    partner = gp_measure(earnings, "Contractor", contract_type=contract_type, country=country)
    salaried = gp_measure(earnings, "Salaried", "Average Emp Gross Earnings",
                          contract_type=contract_type, country=country)
    return GpRates(partner_income_gbp=partner, salaried_pay_gbp=salaried,
                   fte_per_head=fte_per_head, price_year=label,
                   source=f"NHS Digital, GP Earnings and Expenses {label} ({country}, {contract_type})")


def days_in_post(staff: pd.DataFrame, horizon_days: int) -> pd.Series:
    """Days each person was in post within reporting days ``0 .. horizon_days - 1``.

    ``left_day`` missing (as ``staff.parquet`` writes it, a nullable integer) or negative means
    still in post at the end.
    """
    joined = pd.to_numeric(staff["joined_day"]).astype(float).fillna(0.0).to_numpy()
    left = pd.to_numeric(staff["left_day"]).astype(float).fillna(-1.0).to_numpy()
    end = np.where(left < 0, float(horizon_days), np.minimum(left, float(horizon_days)))
    start = np.clip(joined, 0.0, float(horizon_days))
    return pd.Series(np.clip(end - start, 0.0, None), index=staff.index, name="days_in_post")


def staff_costs(staff: pd.DataFrame, horizon_days: int,
                model: StaffCostModel | None = None) -> pd.DataFrame:
    """Each person's cost over the horizon.

    Args:
        staff: a run's ``staff.parquet`` (``role``, ``kind``, ``level``, ``unit_code``, ``fte``,
            ``contract``, ``joined_day``, ``left_day``; ``kind`` and the days are optional: without
            them everyone is in post for the whole horizon; a trainee's ``key`` ending ``/ST<year>``
            picks their pay point).
        horizon_days: the reporting horizon, days.
        model: the cost model (default :class:`StaffCostModel`).

    Returns:
        ``staff`` with ``fte_days`` (FTE x days in post), ``cost_per_fte_year_gbp``,
        ``daily_cost_gbp`` (GBP per FTE-day), ``cost_gbp`` (GBP over the horizon = FTE-days x
        daily cost) and ``annual_cost_gbp`` (``cost_gbp`` x 365.25 / horizon_days).
    """
    model = model or StaffCostModel()
    frame = staff.copy()
    if "joined_day" not in frame:
        frame["joined_day"] = 0
    if "left_day" not in frame:
        frame["left_day"] = -1
    kinds = frame["kind"] if "kind" in frame else pd.Series(None, index=frame.index)
    contracts = frame["contract"] if "contract" in frame else pd.Series("", index=frame.index)
    staff_keys = frame["key"] if "key" in frame else pd.Series(None, index=frame.index)
    cache: dict[tuple[str, str | None, str, int | None], RoleCost] = {}
    per_year = []
    for role, kind, contract, staff_key in zip(frame["role"], kinds, contracts, staff_keys, strict=True):
        contract = contract if isinstance(contract, str) else ""
        kind = kind if isinstance(kind, str) else None
        year = training_year_of(staff_key) if contract == "trainee" else None
        key = (str(role), kind, contract, year)
        if key not in cache:
            cache[key] = model.role_cost(str(role), kind, contract or None, year)
        per_year.append(cache[key].total_gbp)
    frame["fte_days"] = frame["fte"].astype(float) * days_in_post(frame, horizon_days)
    frame["cost_per_fte_year_gbp"] = per_year
    frame["daily_cost_gbp"] = frame["cost_per_fte_year_gbp"] / DAYS_PER_YEAR
    frame["cost_gbp"] = frame["fte_days"] * frame["daily_cost_gbp"]
    frame["annual_cost_gbp"] = frame["cost_gbp"] * DAYS_PER_YEAR / float(horizon_days)
    return frame


def unit_costs(costs: pd.DataFrame, list_sizes: Mapping[str, float],
               pcn_of: Mapping[str, str] | None = None, area: str | None = None) -> pd.DataFrame:
    """Staff cost by practice, PCN and area, per year and per 1,000 patients.

    Args:
        costs: from :func:`staff_costs`.
        list_sizes: registered patients by practice code.
        pcn_of: practice code -> PCN code; a PCN's row counts its own staff and its practices'.
        area: the area (LGPO) code; its row counts everyone, LGPO staff included.

    Returns:
        Rows in the order of ``summary.csv`` (lgpo, pcn, practice) with ``level``, ``unit``,
        ``list_size`` (patients), ``cost_gbp`` (over the horizon), ``annual_cost_gbp`` (GBP a
        year) and ``cost_per_1000_year_gbp`` (GBP per 1,000 patients a year).
    """
    by_unit = costs.groupby("unit_code")[["cost_gbp", "annual_cost_gbp"]].sum()
    rows = []
    pcn_of = dict(pcn_of or {})

    def add(level: str, unit: str, members: list[str], patients: float) -> None:
        got = by_unit.reindex(members).fillna(0.0).sum()
        rows.append({"level": level, "unit": unit, "list_size": patients,
                     "cost_gbp": float(got["cost_gbp"]),
                     "annual_cost_gbp": float(got["annual_cost_gbp"]),
                     "cost_per_1000_year_gbp": (float(got["annual_cost_gbp"]) / patients * 1000.0
                                                if patients > 0 else float("nan"))})

    if area is not None:
        add("lgpo", area, list(by_unit.index), float(sum(list_sizes.values())))
    for pcn in sorted(set(pcn_of.values())):
        practices = [p for p, q in pcn_of.items() if q == pcn]
        add("pcn", pcn, [pcn, *practices], float(sum(list_sizes.get(p, 0.0) for p in practices)))
    for practice, patients in list_sizes.items():
        add("practice", practice, [practice], float(patients))
    return pd.DataFrame(rows)


def cost_per_appointment(costs: pd.DataFrame, appointments: Mapping[str, float]) -> pd.DataFrame:
    """Staff cost per appointment, by role, over the same horizon.

    Args:
        costs: from :func:`staff_costs`.
        appointments: appointments (seen or did not attend) by role over the horizon, e.g. from
            ``summary.csv``'s ``appointments_role:ROLE`` rows or the ledger.

    Returns:
        One row per role: ``cost_gbp``, ``appointments``, ``cost_per_appointment_gbp`` (missing
        for a role with no appointments, such as Admin), plus an ``all`` row where the cost of
        every role, admin included, is divided by every appointment.
    """
    by_role = costs.groupby("role")["cost_gbp"].sum()
    rows = []
    for role, cost in by_role.items():
        n = float(appointments.get(str(role), 0.0))
        rows.append({"role": str(role), "cost_gbp": float(cost), "appointments": n,
                     "cost_per_appointment_gbp": float(cost) / n if n > 0 else float("nan")})
    total_n = float(sum(appointments.values()))
    total = float(by_role.sum())
    rows.append({"role": "all", "cost_gbp": total, "appointments": total_n,
                 "cost_per_appointment_gbp": total / total_n if total_n > 0 else float("nan")})
    return pd.DataFrame(rows)


def present_value(annual_costs: Sequence[float], discounting: Discounting = GREEN_BOOK) -> float:
    """Present value of costs in years 0, 1, 2, ... (year 0 undiscounted), Green Book rates.

    With the default schedule every year up to 30 is discounted at 3.5%: a cost ``c`` in year
    ``t`` counts ``c / 1.035**t``.
    """
    return float(sum(c * discounting.factor(t) for t, c in enumerate(annual_costs)))


def staff_from_area(area: Mapping) -> pd.DataFrame:
    """A staff table (the columns :func:`staff_costs` needs) from a scenario's ``area`` mapping.

    For costing a scenario's staff as written, before (or without) a run: every person of every
    staff group of the area's practices, PCNs and the LGPO, in post for the whole horizon.
    ``area`` is the raw mapping (``code``, ``staff``, ``pcns`` -> ``code``, ``staff``,
    ``practices`` -> ``code``, ``list_size``, ``staff``), as in a scenario YAML file.
    """
    rows = []

    def add(level: str, unit: str, groups) -> None:  # type: ignore[no-untyped-def]
        for group in groups or []:
            get = group.get
            for _ in range(int(get("count", 1))):
                rows.append({"role": get("role"), "level": level, "unit_code": unit,
                             "fte": float(get("fte", 1.0)), "contract": get("contract") or "",
                             "joined_day": 0, "left_day": -1})

    add("lgpo", area.get("code", ""), area.get("staff"))
    for pcn in area.get("pcns", []):
        add("pcn", pcn["code"], pcn.get("staff"))
        for practice in pcn.get("practices", []):
            add("practice", practice["code"], practice.get("staff"))
    return pd.DataFrame(rows)


def appointments_by_role(ledger: pd.DataFrame, horizon_days: int,
                         practices: Sequence[str] | None = None) -> dict[str, float]:
    """Appointments (seen or did not attend) by role in the reporting horizon, from a run's ledger.

    Counts ledger rows with a role and an ``appt_day`` in ``0 .. horizon_days - 1`` (warm-up
    appointments left out), as ``summary.csv``'s ``appointments`` does.

    Args:
        ledger: a run's ``ledger.parquet`` (``role``, ``appt_day``; ``practice`` to filter).
        horizon_days: the reporting horizon, days.
        practices: count only these practices' patients (default all).
    """
    day = pd.to_numeric(ledger["appt_day"]).astype(float)
    keep = ledger["role"].notna() & day.ge(0) & day.lt(horizon_days)
    if practices is not None:
        keep &= ledger["practice"].astype(str).isin(list(practices))
    counts = ledger.loc[keep].groupby(ledger.loc[keep, "role"].astype(str)).size()
    return {str(k): float(v) for k, v in counts.items()}
