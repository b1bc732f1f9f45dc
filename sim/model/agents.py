"""Mesa agents: staff (GP, Nurse, Pharmacist, other direct patient care, Admin) and patients.

Staff are full Mesa agents. A patient's bulk state lives in the model's arrays
(:class:`sim.model.population.Population`) for speed; :class:`Patient` is the Mesa agent a user gets when
asking for one patient (``model.patient(i)``): a view onto those arrays and the ledger.
"""

from __future__ import annotations

import itertools
import weakref
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.config.scenario import AGE_BANDS
from sim.lazy_imports import mesa
from sim.model.states import STATE_NAMES

if TYPE_CHECKING:
    from sim.model.model import GPSimModel


class AgentNumbers:
    """Agent numbers per model (1, 2, ...), with each model held weakly.

    Mesa 3.3 numbers agents from a class-level mapping keyed by the model, which kept every model
    ever built alive (a worker running many replications grew by a whole model each time). gpsim's
    agents number themselves from this mapping instead, so a finished model is freed like any object.
    """

    def __init__(self) -> None:
        self._counters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def __getitem__(self, model: mesa.Model) -> itertools.count:
        counter = self._counters.get(model)
        if counter is None:
            counter = self._counters[model] = itertools.count(1)
        return counter

    def __len__(self) -> int:
        return len(self._counters)


class GPAgent(mesa.Agent):
    """The Mesa agent every gpsim agent derives from: numbered per model without keeping models alive."""

    _ids = AgentNumbers()  # replaces Mesa 3.3's strong class-level mapping (see AgentNumbers)


class Staff(GPAgent):
    """A member of practice, PCN or LGPO staff with FTE, sessions, age and a workload history."""

    kind = "staff"

    def __init__(self, model: GPSimModel, *, index: int, role: str, unit: int, fte: float,
                 sessions_per_week: float, age: int, contract: str | None = None, key: str = "",
                 joined_day: int = 0, hub_post: bool = False):
        super().__init__(model)
        self.key = key  # stable name, e.g. "P1/GP/0": keys the staff member's own random draws
        self.joined_day = joined_day  # internal day they start (0 for staff in post at the start)
        self.hub_post = hub_post  # an extended-access hub post (a shift agent), not a person
        self.cover_post = False  # a bank/locum post working covered absences (pooled_cover), not in post
        self.leave_draws: np.ndarray | None = None  # uniforms of monthly leaving decisions (sim.model.turnover)
        self.vacancy_handled = False  # on leaving: True when the post is not a vacancy (a trainee's: the pipeline's)
        self.market_refills = True  # on leaving: whether the labour market advertises the post (sim.model.turnover)
        self.leaving_day: int | None = None  # notice given: the internal day they leave (sim.model.turnover)
        self.overtime_excess = 0.0  # hours per FTE-week of last month's overtime above the usual (sim.model.workforce)
        self.slot_minutes: float | None = None  # own slot length instead of the role's (GP trainees; sim.model.training)
        self.trainee_year = 0  # GP specialty trainee: ST year 1-3 (0: not a trainee; sim.model.training)
        self.training_key = ""  # a trainee's key across their training years (sim.model.training)
        self.index = index  # position in the model's staff arrays
        self.role = role
        self.unit = unit  # practice index, or a PCN/LGPO unit index
        self.fte = fte
        self.sessions_per_week = sessions_per_week
        # the post's contract: a vacancy is advertised at it; burnout cuts come back to it (sim.model.workforce)
        self.contract_fte = float(fte)
        self.contract_sessions = float(sessions_per_week)
        self.session_cuts: list[tuple[int, float]] = []  # (half-day of the week, sessions) cut for burnout, newest last
        self.age = age  # years at the start of the run
        self.contract = contract
        self.active = True
        self.left_day: int | None = None
        self.burnout = 0.0  # 0 (none) .. 1 (severe); feeds attrition (scenarios issue)
        # hours per FTE-week: the overtime this clinician usually works (trailing mean; sim.model.workforce)
        self.usual_overtime: float | None = None

    @property
    def active(self) -> bool:
        """In post (False once they have left)."""
        return self._active

    @active.setter
    def active(self, value: bool) -> None:
        self._active = bool(value)
        self._staff_changed()

    @property
    def fte(self) -> float:
        """Full-time equivalent: 1.0 = FULL_TIME_HOURS_PER_WEEK (37.5) hours a week."""
        return self._fte

    @fte.setter
    def fte(self, value: float) -> None:
        self._fte = float(value)
        self._staff_changed()

    def _staff_changed(self) -> None:
        """Tell the model its per-staff arrays (in post, FTE) must be read again for this staff member."""
        self.model.staff_changed(self.index)

    @property
    def is_clinician(self) -> bool:
        """True for roles that see patients."""
        return self.kind != "admin"

    def workload(self) -> dict[str, float]:
        """Totals over the run so far: appointments seen, clinical, admin and overtime hours."""
        return self.model.staff_workload(self.index)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.role}, unit={self.unit}, fte={self.fte}, age={self.age})"


class GP(Staff):
    """A general practitioner (partner, salaried, locum ...)."""

    kind = "gp"


class Nurse(Staff):
    """A practice nurse (including advanced nurse practitioners)."""

    kind = "nurse"


class Pharmacist(Staff):
    """A clinical pharmacist (practice- or PCN-employed)."""

    kind = "pharmacist"


class OtherDPC(Staff):
    """Another direct-patient-care role configured by name: paramedic, physician associate, HCA ..."""

    kind = "other_dpc"


class Admin(Staff):
    """Administrative and back-office staff (reception, management, workflow coordinators)."""

    kind = "admin"


STAFF_CLASSES: dict[str, type[Staff]] = {
    "gp": GP, "nurse": Nurse, "pharmacist": Pharmacist, "other_dpc": OtherDPC, "admin": Admin,
}


class Patient(GPAgent):
    """A registered patient: a Mesa view onto the population arrays and the request ledger."""

    def __init__(self, model: GPSimModel, index: int):
        super().__init__(model)
        self.index = index

    @property
    def practice(self) -> str:
        """Code of the practice the patient is registered with."""
        return self.model.practices[int(self.model.population.practice[self.index])].code

    @property
    def age_band(self) -> str:
        """Age band label (e.g. '65-74')."""
        return AGE_BANDS[int(self.model.population.age_band[self.index])]

    @property
    def ltc_count(self) -> int:
        """Number of long-term conditions."""
        return int(self.model.population.ltc[self.index])

    @property
    def usual_gp(self) -> Staff | None:
        """The patient's usual GP (continuity), or None."""
        s = int(self.model.population.usual_gp[self.index])
        return self.model.staff[s] if s >= 0 else None

    def history(self) -> pd.DataFrame:
        """This patient's requests and their outcomes (the ledger's main columns; reporting days)."""
        m = self.model
        R, w = m.requests, m.cal.warm_up
        rid = np.flatnonzero(R.patient == self.index)
        booked = m.appt_day[rid] >= 0
        return pd.DataFrame({
            "request_id": rid, "day": R.day[rid] - w, "patient": self.index,
            "need": [m.need_names[k] for k in R.need[rid]], "urgent": R.urgent[rid],
            "state": [STATE_NAMES[k] for k in m.state[rid]],
            "appt_day": pd.arrays.IntegerArray(np.where(booked, m.appt_day[rid] - w, 0).astype(np.int32), ~booked),
            "staff": m.appt_staff[rid],
        })

    def __repr__(self) -> str:
        return f"Patient({self.index}, practice={self.practice}, age={self.age_band}, ltc={self.ltc_count})"
