"""GP training pipelines: specialty trainees in training practices and the qualified GPs they become.

A training practice hosts GP specialty trainees (``workforce.training``, and the extra places of a
``training_expansion``). Each year in the intake month every trainee moves on: an ST1 or ST2 starts
their next year's placement (a new staff member with that year's sessions and slot length: trainees
rotate), an ST3 completes training, and new ST1s start. A trainee sees GP patients in their own,
longer slots; each of their slots costs their practice's qualified GPs supervision minutes, taken
from those GPs' sessions by the supervision mechanism (:func:`sim.model.daycycle.supervision_slots`).
A completing trainee becomes a fully qualified GP in the area with the published cumulative
probabilities, at a uniform time within their band; :func:`place_gp` says where they go. Trainees
are no one's usual GP, leave only at the end of a training year and open no vacancy; draws are keyed
by the trainee (common random numbers across scenarios).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.units import DAYS_PER_MONTH
from sim.model.workforce import add_staff, hand_over_patients, remove_staff

if TYPE_CHECKING:
    from sim.config.interventions import TrainingExpansion
    from sim.config.training import Training
    from sim.model.agents import Staff
    from sim.model.model import GPSimModel

TRAINEE_CONTRACT = "trainee"
# workforce events of the pipelines (none of them is a leaver or a vacancy filled)
TRAINEE_STARTED, YEAR_STARTED, YEAR_ENDED, COMPLETED = (
    "trainee_started", "training_year_started", "training_year_ended", "training_completed")
QUALIFIED_JOINED, INTERNATIONAL_RECRUIT = "qualified_joined", "international_recruit"


def intake_days(model: GPSimModel, month: int) -> list[int]:
    """Internal days (after day 0) that are the first of ``month``: the yearly intake and rotation."""
    return [d for d in range(1, model.n_sim_days) if model.cal.dates[d].day == 1 and model.cal.dates[d].month == month]


def choose_practices(model: GPSimModel, practices: list[int], share: float, name: str) -> list[int]:
    """A seeded ``share`` of ``practices`` (at least one when the share is above 0), in practice order."""
    if share <= 0 or not practices:
        return []
    order = model.streams.keyed("training-practices", name).permutation(len(practices))
    n = max(1, round(share * len(practices)))
    return sorted(practices[int(k)] for k in order[:n])


def gp_vacancies(model: GPSimModel, practices: list[int]) -> list[dict]:
    """Open GP vacancies of ``practices``, oldest advert first (background turnover's posts)."""
    units = set(practices)
    return [p for p in model.open_vacancies.values() if p["role"] == "GP" and p["unit"] in units]


def gp_load(model: GPSimModel, p: int) -> float:
    """Registered patients per qualified GP FTE in post at practice ``p`` (infinite with none)."""
    fte = sum(model.staff[s].fte for s in model.practices[p].staff
              if model.staff[s].kind == "gp" and model.staff[s].active and not model.staff[s].trainee_year)
    return model.practices[p].list_size / fte if fte > 0 else float("inf")


def place_gp(model: GPSimModel, first: list[int], then: list[int], fallback: int | None) -> tuple[int, int]:
    """(practice, leaver whose patients they take or -1) for a GP joining the area.

    The rule: the oldest open GP vacancy in ``first`` (e.g. the training practice's PCN), else in
    ``then`` (the area, or an intervention's scope); the GP takes the post (the vacancy closes, they
    take over the leaver's patients). Without a vacancy they add a post at ``fallback`` (their training
    practice) or, when None, at the practice of ``then`` with the most patients per GP FTE.
    """
    for practices in (first, then):
        posts = gp_vacancies(model, practices)
        if posts:
            post = posts[0]
            post["taken"] = True
            model.open_vacancies.pop(post["key"], None)
            return post["unit"], post["leaver"]
    if fallback is not None:
        return fallback, -1
    return max(then, key=lambda p: (gp_load(model, p), -p)), -1


def add_gp(model: GPSimModel, unit: int, leaver: int, day: int, *, fte: float, contract: str, age: int, key: str,
           event: str, slot_minutes: float | None = None) -> Staff:
    """A qualified GP joins ``unit`` on ``day``, taking over ``leaver``'s patients when they fill a vacancy.

    In a new post they become the usual GP of their FTE's share of the practice's patients (the list is
    shared out again), drawn with a stream keyed by the GP.
    """
    gp = add_staff(model, "GP", unit, day, fte=fte, age=age, contract=contract, key=key, event=event,
                   slot_minutes=slot_minutes)
    if leaver >= 0:
        hand_over_patients(model, leaver, gp.index)
        return gp
    staff = [model.staff[s] for s in model.practices[unit].staff]
    total = sum(s.fte for s in staff if s.kind == "gp" and s.active and not s.trainee_year)
    pop = model.population
    idx = np.flatnonzero(pop.practice == unit)
    if total > 0 and idx.size:
        take = idx[model.streams.keyed("new-post-list", key).random(idx.size) < gp.fte / total]
        pop.usual_gp[take] = gp.index
    return gp


def join_delay_months(cfg: Training, u: np.ndarray) -> float | None:
    """Months from completing training to joining the area as a qualified GP, or None (never, in the model).

    ``u``: two uniforms. The first picks the band of ``join_within_months`` (cumulative shares, times
    ``local_share``), the second a uniform time within it: 34.3% join within 6 months, 13.2% in months
    6-12 and 14.7% in months 12-24 with the HRH 2025 defaults; the other 37.8% never join here.
    """
    months = sorted(cfg.join_within_months)
    shares = [cfg.join_within_months[k] * cfg.local_share for k in months]
    band = int(np.searchsorted(shares, u[0], side="right"))
    if band == len(months):
        return None  # not a GP in this area within the last band (left, elsewhere, or later)
    lower = months[band - 1] if band else 0
    return lower + float(u[1]) * (months[band] - lower)


class Pipeline:
    """One set of training places: ST1s per intake at each training practice, and the trainees in post."""

    def __init__(self, model: GPSimModel, cfg: Training, places: dict[int, int], start: int, end: int, tag: str):
        self.model, self.cfg, self.places, self.start, self.end, self.tag = model, cfg, places, start, end, tag
        self.trainees: list[int] = []  # staff indices of this pipeline's trainees (some may have left)
        self.cohort = 0  # intakes so far (names each intake's trainees)

    def schedule(self, seed: bool) -> None:
        """Register the yearly intakes; ``seed``: a full pipeline (ST1-ST3) in post from day 0."""
        m = self.model
        if seed:  # in set-up, before the book opens: the first days' slots and supervision open with everyone's
            self._seed(0)
        for d in intake_days(m, self.cfg.intake_month):
            m.phases.at(d, lambda mm, dd: self._intake(dd))

    def _trainee(self, p: int, year: int, base: str, day: int, event: str) -> None:
        """Trainee ``base`` starts their ST ``year`` placement at practice ``p`` on ``day``."""
        m, cfg = self.model, self.cfg
        spec = m.scenario.roles["GP"]
        sessions = cfg.sessions_per_week[year]
        agent = add_staff(m, "GP", p, day, fte=sessions / spec.sessions_per_fte_week, sessions=sessions,
                          age=cfg.trainee_age + year - 1, contract=TRAINEE_CONTRACT, key=f"{base}/ST{year}",
                          event=event, slot_minutes=cfg.slot_minutes[year])
        agent.trainee_year = year
        agent.vacancy_handled = True  # a trainee's post is the pipeline's, never a vacancy
        agent.training_key = base
        m.levers.trainee_supervision[agent.index] = cfg.supervision_minutes_per_appointment[year]
        self.trainees.append(agent.index)

    def _new_cohort(self, day: int, years: tuple[int, ...], event: str) -> None:
        for p, n in self.places.items():
            code = self.model.practices[p].code
            for year in years:
                for k in range(n):
                    self._trainee(p, year, f"{self.tag}/{code}/c{self.cohort}-{year}-{k}", day, event)

    def _seed(self, day: int) -> None:
        self._new_cohort(day, (1, 2, 3), TRAINEE_STARTED)
        self.cohort += 1

    def _intake(self, day: int) -> None:
        """The yearly rotation: every trainee in post moves up a year or completes, then new ST1s start."""
        m = self.model
        current = [m.staff[s] for s in self.trainees if m.staff[s].active]
        self.trainees = []
        for agent in current:
            year, base, p = agent.trainee_year, agent.training_key, agent.unit
            m.levers.trainee_supervision.pop(agent.index, None)
            remove_staff(m, agent.index, day, event=COMPLETED if year == 3 else YEAR_ENDED, notify=False)
            if year < 3:
                self._trainee(p, year + 1, base, day, YEAR_STARTED)
            else:
                self._qualify(base, p, day)
        if self.start <= day < self.end:
            self._new_cohort(day, (1,), TRAINEE_STARTED)
            self.cohort += 1

    def _qualify(self, base: str, p: int, day: int) -> None:
        """A completing ST3 joins the area as a qualified GP, if and when their draw says (HRH 2025 bands)."""
        m = self.model
        delay = join_delay_months(self.cfg, m.streams.keyed("training-join", base).random(2))
        if delay is None:
            return
        when = day + max(1, round(delay * DAYS_PER_MONTH))
        if when < m.n_sim_days:
            m.phases.at(when, lambda mm, d: self._join(base, p, d))

    def _join(self, base: str, p: int, day: int) -> None:
        m, cfg = self.model, self.cfg
        pcn = m.pcns[m.practices[p].pcn].practices
        unit, leaver = place_gp(m, list(pcn), list(range(len(m.practices))), fallback=p)
        add_gp(m, unit, leaver, day, fte=cfg.joiner_fte, contract=cfg.joiner_contract, age=cfg.joiner_age,
               key=f"{base}/q", event=QUALIFIED_JOINED)


def setup_training(model: GPSimModel) -> None:
    """The area's own training practices (``workforce.training``), with a full pipeline in post from the start."""
    cfg = model.scenario.workforce.training
    if not cfg.enabled:
        return
    if cfg.practices is not None:
        codes = set(cfg.practices)
        chosen = [p.index for p in model.practices if p.code in codes]
    else:
        chosen = choose_practices(model, [p.index for p in model.practices], cfg.share_of_practices, "area")
    Pipeline(model, cfg, dict.fromkeys(chosen, cfg.intake_per_practice), 0, model.n_sim_days + 1,
             "st").schedule(seed=True)


def training_expansion(model: GPSimModel, iv: TrainingExpansion, start: int, end: int, practices: list[int]) -> None:
    """Extra ST1 places in the scope from ``start`` to ``end``: they qualify three years after they start."""
    chosen = choose_practices(model, practices, iv.share_of_practices, f"expansion/{start}")
    Pipeline(model, model.scenario.workforce.training, dict.fromkeys(chosen, iv.extra_intake_per_practice),
             start, end, f"tx{start}").schedule(seed=False)


__all__ = ["INTERNATIONAL_RECRUIT", "QUALIFIED_JOINED", "TRAINEE_CONTRACT", "Pipeline", "add_gp",
           "join_delay_months", "place_gp", "setup_training", "training_expansion"]
