"""Mesa agents: staff (GP, Nurse, Pharmacist, other direct patient care, Admin) and patients.

Staff are full Mesa agents. A patient's bulk state lives in the model's arrays
(:class:`sim.model.population.Population`) for speed; :class:`Patient` is the Mesa agent a user gets when
asking for one patient (``model.patient(i)``): a view onto those arrays and the ledger.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from sim.model.model import GPSimModel


class Staff(mesa.Agent):
    """A member of practice, PCN or LGPO staff with FTE, sessions, age and a workload history."""

    kind = "staff"

    def __init__(self, model: GPSimModel, *, index: int, role: str, unit: int, fte: float,
                 sessions_per_week: float, age: int, contract: str | None = None):
        super().__init__(model)
        self.index = index  # position in the model's staff arrays
        self.role = role
        self.unit = unit  # practice index, or a PCN/LGPO unit index
        self.fte = fte
        self.sessions_per_week = sessions_per_week
        self.age = age  # years at the start of the run
        self.contract = contract
        self.active = True
        self.left_day: int | None = None
        self.burnout = 0.0  # 0 (none) .. 1 (severe); feeds attrition (scenarios issue)

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
        """Full-time equivalent: 1.0 = 37.5 hours a week."""
        return self._fte

    @fte.setter
    def fte(self, value: float) -> None:
        self._fte = float(value)
        self._staff_changed()

    def _staff_changed(self) -> None:
        """Tell the model its per-staff arrays (in post, FTE) must be rebuilt."""
        if hasattr(self.model, "_staff_status"):
            self.model._staff_status = None

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


class Patient(mesa.Agent):
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
        from sim.config.scenario import AGE_BANDS

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

    def history(self):
        """This patient's requests and their outcomes (rows of the ledger)."""
        led = self.model.ledger_frame()
        return led[led["patient"] == self.index].reset_index(drop=True)

    def __repr__(self) -> str:
        return f"Patient({self.index}, practice={self.practice}, age={self.age_band}, ltc={self.ltc_count})"
