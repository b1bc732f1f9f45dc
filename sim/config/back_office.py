"""The back office's schema: admin task types, admin roles and the pooling mechanisms.

Admin tasks arrive per registered patient, per staff member or per practice and are worked by the
practice's admin staff agents, split into admin roles (``role_shares``). Every default has its unit
and its source; most are assumptions (no national series counts back-office tasks), each says so.
Mechanisms: :mod:`sim.model.back_office`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.config.types import Fraction, Strict

AdminRole = Literal["receptionist", "medical_secretary", "practice_manager", "workflow_coordinator"]
ADMIN_ROLES: tuple[str, ...] = ("receptionist", "medical_secretary", "practice_manager", "workflow_coordinator")
Basis = Literal["per_1000_patients_week", "per_staff_month", "per_practice_month"]


class AdminTask(Strict):
    """One kind of back-office task: how often it arrives, who does it and how long it takes."""

    rate: Annotated[float, Field(ge=0.0, le=10_000.0)] = Field(description="tasks per basis unit")
    basis: Basis = Field(description="per 1,000 registered patients a week, per staff member a month, "
                                     "or per practice a month")
    role: AdminRole = Field(description="admin role that does it")
    # minutes: a working day is 450 minutes; nothing here is a whole day's single task
    handling_minutes: dict[AdminRole, Annotated[float, Field(gt=0.0, le=450.0)]] = Field(
        description="mean handling minutes by the role that handles it (exponential)")
    target_working_days: Annotated[float, Field(gt=0.0, le=60.0)] = Field(
        5.0, description="turnaround target, working days (24 h each, weekends and bank holidays excluded)")
    shared_function: bool = Field(
        False, description="an organisation function (HR, payroll, finance...) that a pool does once, not n times")
    source: str = ""

    @model_validator(mode="after")
    def _has_own_role(self) -> AdminTask:
        if self.role not in self.handling_minutes:
            raise ValueError(f"handling_minutes must give the minutes of its role '{self.role}'")
        return self


def _t(rate: float, basis: Basis, role: AdminRole, minutes: dict, target: float = 5.0, shared: bool = False,
       source: str = "assumption") -> AdminTask:
    return AdminTask(rate=rate, basis=basis, role=role, handling_minutes=minutes, target_working_days=target,
                     shared_function=shared, source=source)


def default_tasks() -> dict[str, AdminTask]:
    """The default task types (sources in each; 'assumption' where no published count was found)."""
    return {
        # 1.21bn items dispensed in England 2023/24 (NHSBSA), ~19 per patient; about three quarters repeat
        # (secondary), ~3 items a request: ~4.8 requests per patient a year = 92 per 1,000 a week
        "repeat_prescription": _t(92.0, "per_1000_patients_week", "receptionist", {"receptionist": 3.0}, 2.0,
                                  source="NHSBSA Prescription Cost Analysis 2023/24 (items); requests per item "
                                         "and minutes: assumption; 48-hour turnaround: NHS guidance to patients"),
        "clinical_correspondence": _t(40.0, "per_1000_patients_week", "medical_secretary",
                                      {"medical_secretary": 4.0, "workflow_coordinator": 3.0}, 5.0,
                                      source="assumption (about 2 documents per patient a year)"),
        "referrals_results": _t(25.0, "per_1000_patients_week", "medical_secretary", {"medical_secretary": 6.0},
                                3.0, source="assumption"),
        "appointment_admin": _t(30.0, "per_1000_patients_week", "receptionist", {"receptionist": 2.0}, 1.0,
                                source="assumption (rebooking, cancellations, reminders; not the front door)"),
        "registration_deduction": _t(4.0, "per_1000_patients_week", "receptionist", {"receptionist": 20.0}, 5.0,
                                     source="assumption (list turnover about 10% a year each way)"),
        "payroll": _t(0.5, "per_staff_month", "practice_manager", {"practice_manager": 40.0}, 10.0, True),
        "hr": _t(0.5, "per_staff_month", "practice_manager", {"practice_manager": 60.0}, 10.0, True),
        "finance": _t(16.0, "per_practice_month", "practice_manager", {"practice_manager": 60.0}, 10.0, True),
        "estates": _t(6.0, "per_practice_month", "practice_manager", {"practice_manager": 60.0}, 10.0, True),
        "rotas": _t(8.0, "per_practice_month", "practice_manager", {"practice_manager": 60.0}, 5.0, True),
        "contract_qof_returns": _t(10.0, "per_practice_month", "practice_manager", {"practice_manager": 60.0},
                                   10.0, True),
    }


def default_role_shares() -> dict[str, float]:
    """Share of each practice's admin FTE in each admin role (assumption: no national split by role)."""
    return {"receptionist": 0.65, "medical_secretary": 0.25, "practice_manager": 0.10, "workflow_coordinator": 0.0}


def default_front_desk() -> dict[str, float]:
    """Share of each admin role's hours at the front desk (phones, counter), not the back office (assumption)."""
    return {"receptionist": 0.7, "medical_secretary": 0.2, "practice_manager": 0.0, "workflow_coordinator": 0.0}


class BackOffice(Strict):
    """Back-office work: task types, the admin role split, working hours and admin cost."""

    enabled: bool = Field(True, description="simulate the back office (admin tasks served by admin staff)")
    tasks: dict[str, AdminTask] = Field(default_factory=default_tasks)
    role_shares: dict[AdminRole, Fraction] = Field(default_factory=default_role_shares,
                                                   description="share of admin FTE in each admin role")
    front_desk_share: dict[AdminRole, Fraction] = Field(
        default_factory=default_front_desk, description="share of each role's hours at the front desk")
    # minutes after midnight: 08:30, as the clinic day's first session (scenario.booking)
    start_minute: Annotated[int, Field(ge=0, le=1200)] = Field(
        510, description="admin staff's day starts (08:30): the front desk first, then the back office")
    # minutes: a full-time admin day (37.5 h / 5, NHS Digital FTE)
    full_time_minutes_per_day: Annotated[float, Field(gt=0.0, le=720.0)] = Field(450.0)
    # arrivals: uniform over the practice's opening hours on working days
    open_minute: Annotated[int, Field(ge=0, le=1439)] = Field(480, description="tasks arrive from 08:00")
    close_minute: Annotated[int, Field(ge=1, le=1440)] = Field(1110, description="tasks arrive until 18:30")

    @model_validator(mode="after")
    def _shares(self) -> BackOffice:
        total = sum(self.role_shares.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"role_shares must add up to 1 (they add up to {total:g})")
        if self.close_minute <= self.open_minute:
            raise ValueError("close_minute must be after open_minute")
        return self


class Specialisation(Strict):
    """Specialised pooled staff handle tasks faster once they have learnt (a learning period)."""

    enabled: bool = True
    handling_time_reduction: Fraction = Field(
        0.15, description="share of handling time saved by specialised staff once learnt (assumption)")
    learning_months: Annotated[float, Field(ge=0.0, le=60.0)] = Field(
        6.0, description="months from the pool's start to the full reduction, linear (assumption)")


class SharedFunctions(Strict):
    """One HR, payroll, finance, estates, rota and returns function for the pool instead of one per practice."""

    enabled: bool = True
    scale_elasticity: Fraction = Field(
        0.6, description="a pool of n practices has n^elasticity practices' fixed function work (assumption, "
                         "the previous fixed-hours model)")


class Transition(Strict):
    """Costs of moving to the pool: set-up months before it runs, then a dip while staff settle in."""

    setup_months: Annotated[float, Field(ge=0.0, le=36.0)] = Field(
        3.0, description="months from the intervention's start until the pool runs (assumption)")
    setup_hours_per_practice_month: Annotated[float, Field(ge=0.0, le=500.0)] = Field(
        8.0, description="practice manager hours a month per practice during set-up (assumption)")
    dip_months: Annotated[float, Field(ge=0.0, le=36.0)] = Field(
        3.0, description="months after the pool starts with slower handling (assumption)")
    dip_handling_increase: Annotated[float, Field(ge=0.0, le=2.0)] = Field(
        0.10, description="extra handling time during the dip, share (assumption)")


class Coordinators(Strict):
    """Workflow coordinators take clinical correspondence off GPs (Sunderland GP Alliance, seed)."""

    max_moved_share: Fraction = Field(0.8, description="most of GP correspondence coordinators can take (seed)")
    review_minutes_per_document: Annotated[float, Field(ge=0.0, le=120.0)] = Field(
        2.7, description="coordinator minutes per document taken off a GP (1.5 x the GP's 1.8; assumption)")
    added_hours_per_1000_week: Annotated[float, Field(ge=0.0, le=100.0)] = Field(
        0.0, description="coordinator hours a week per 1,000 patients added as new admin staff")
