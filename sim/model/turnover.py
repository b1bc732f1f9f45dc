"""Background turnover and vacancies: the stock and flow of a baseline workforce (``workforce.turnover``).

Each month every staff member in post (hub and cover posts aside) may leave, with an annual hazard
by role scaled by their age band (as they age during the run) and contract; a leaver moves to another
practice or leaves general practice. Every leaver whose post no intervention handles (see
``Staff.vacancy_handled``) opens a vacancy: adverts follow one another, each taking a gamma time to
fill and filling with the labour market's probability lowered by the practice's strain (overtime,
burnout, turnover: sim.model.strain); the recruit takes over the leaver's registered patients. A
background leaver gives notice (sim.model.notice): the post is advertised from the notice date and a
recruit found within the notice starts the day the leaver goes. Vacancies and notices already open at
the start are seeded in proportion to their stationary stocks, so the baseline holds steady. Draws are keyed by the staff
member and month or advert: common random numbers across scenarios. Each advert's fill probability and
time to fill come from the practice's labour market and any recruitment drive covering it
(sim.model.labour_market).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.config.types import imd_quintile_of
from sim.model.back_office import take_over_role
from sim.model.labour_market import AdvertTerms, advert_terms, drive_contract, market_terms
from sim.model.notice import expected_gap_days, notice_days, systematic_draw
from sim.model.phases import Phase
from sim.model.strain import (
    StrainParts,
    combined,
    overtime_part,
    strained_fill_probability,
    turnover_part,
)
from sim.model.workforce import add_staff, hand_over_patients, remove_staff

if TYPE_CHECKING:
    from sim.config.scenario import Turnover
    from sim.model.agents import Staff
    from sim.model.model import GPSimModel

TIME_TO_FILL_SHAPE = 2  # gamma shape (whole phases) of an advert's time to fill (assumption: neither instant nor memoryless)
RECRUIT_AGE_MIN, RECRUIT_AGE_SPAN = 30, 15  # a recruit's age: uniform 30-44 years (assumption)
# workforce events that are someone leaving (skill-mix posts ending and hubs closing are not)
LEAVING_EVENTS = ("retired", "left", "left_burnout", "left_general_practice", "left_to_practice")
MAX_ADVERTS = 60  # a post advertised this many times without filling is given up (about 15 years for GPs)


def age_on(model: GPSimModel, agent: Staff, day: int) -> float:
    """Age in years of ``agent`` on internal day ``day`` (everyone ages during the run)."""
    return agent.age + (day - model.cal.warm_up) / 365.25


def annual_rate(cfg: Turnover, agent: Staff, age: float) -> float:
    """Annual leaving probability of ``agent`` at ``age``: the role's rate x age band x contract multipliers."""
    rate = cfg.annual_leaving_rate.get(agent.role, cfg.other_roles_rate)
    bands = [b for b in sorted(cfg.age_multiplier) if b <= age]
    if bands:
        rate *= cfg.age_multiplier[bands[-1]]
    if agent.contract:
        rate *= cfg.contract_multiplier.get(agent.contract, 1.0)
    return min(rate, 1.0)


def _people(model: GPSimModel) -> list[Staff]:
    """Staff who can leave: in post, not a hub rota post or a cover post."""
    posts = {p.agent for hub in model.hubs for p in hub.posts}
    # GP trainees leave only at the end of a training year (sim.model.training); someone working their
    # notice has already decided
    return [a for a in model.staff if a.active and not a.hub_post and not a.cover_post and a.index not in posts
            and not a.trainee_year and a.leaving_day is None]


def strain_parts(model: GPSimModel, unit: int, day: int) -> StrainParts:
    """A unit's overtime, burnout and turnover strain on internal day ``day`` (sim.model.strain)."""
    cfg = model.scenario.workforce.turnover
    staff = model.staff
    people = [staff[i] for i in _unit_staff(model, unit)
              if staff[i].active and not staff[i].hub_post and not staff[i].cover_post]
    clinicians = [a for a in people if a.is_clinician]
    burnout = float(np.mean([a.burnout for a in clinicians])) if clinicians else 0.0
    overtime = overtime_part(cfg, [a.overtime_excess for a in clinicians])
    turnover = 0.0
    if cfg.strain_weights.get("turnover", 0.0) > 0 and people:
        quintiles = practice_quintiles(model)
        expected = float(np.mean([min(1.0, annual_rate(cfg, a, age_on(model, a, day))
                                      * deprivation_multiplier(cfg, a, quintiles)) for a in people]))
        posts = len(people) + sum(1 for v in model.open_vacancies.values()
                                  if v["unit"] == unit and v.get("leave_day", 0) <= day)
        turnover = turnover_part(cfg, model.leaver_days.get(unit, []), day, posts, expected)
    return StrainParts(overtime=overtime, burnout=burnout, turnover=turnover)


def strain(model: GPSimModel, unit: int, day: int | None = None) -> float:
    """A unit's strain (0-1): overtime, burnout and turnover combined (sim.model.strain)."""
    parts = strain_parts(model, unit, model.today if day is None else day)
    return combined(model.scenario.workforce.turnover, parts)


def _unit_staff(model: GPSimModel, unit: int) -> list[int]:
    """Every staff member ever in booking unit ``unit``, by index (a unit never changes; joiners are added).

    The index is the model's (``GPSimModel.unit_staff``), extended with the staff added since it was last read.
    """
    by_unit = model.unit_staff
    for a in model.staff[model.unit_staff_seen:]:
        by_unit.setdefault(a.unit, []).append(a.index)
    model.unit_staff_seen = len(model.staff)
    return by_unit.get(unit, [])


def practice_quintiles(model: GPSimModel) -> list[int]:
    """National IMD quintile (1-5) of each practice, in model order; 0 where the area gives no score."""
    scores = {p.code: p.imd_score for pcn in model.scenario.area.pcns for p in pcn.practices}
    return [0 if scores.get(p.code) is None else imd_quintile_of(scores[p.code]) for p in model.practices]


def deprivation_multiplier(cfg: Turnover, agent: Staff, quintiles: list[int]) -> float:
    """GPs' leaving hazard multiplier for their practice's deprivation (Parisi et al. 2021); 1 for others."""
    if agent.kind != "gp" or not 0 <= agent.unit < len(quintiles):
        return 1.0
    return cfg.gp_deprivation_multiplier.get(quintiles[agent.unit], 1.0)


def retention_ratio(model: GPSimModel, agent: Staff, age: float, day: int) -> float:
    """Product of the hazard ratios (each at most 1) of the retention schemes covering ``agent`` on ``day``."""
    ratio = 1.0
    for rule in model.levers.retention:
        if rule.covers(agent.role, agent.unit, agent.contract, age, day):
            ratio *= rule.hazard_ratio
    return ratio


def _leaving_draws(model: GPSimModel, agent: Staff) -> np.ndarray:
    """(month of the run, 2) uniforms of one person's leaving decisions, drawn once from their own key."""
    if agent.leave_draws is None:
        months = model.cal.n // 28 + 2
        agent.leave_draws = model.streams.keyed("turnover", agent.key).random((months, 2))
    return agent.leave_draws


def monthly_leaving(model: GPSimModel, day: int) -> None:
    """Month start: each person leaves with the monthly share of their annual hazard."""
    cfg = model.scenario.workforce.turnover
    date, first = model.cal.dates[day], model.cal.dates[0]
    month = (date.year - first.year) * 12 + date.month - first.month
    people = _people(model)
    quintiles = practice_quintiles(model)
    u = np.array([_leaving_draws(model, a)[month] for a in people]).reshape(-1, 2)
    # a person can leave only if their draw is below the largest monthly hazard anyone can have
    top = (max([1.0, *cfg.age_multiplier.values()]) * max([1.0, *cfg.contract_multiplier.values()])
           * max([1.0, *cfg.gp_deprivation_multiplier.values()]))
    top_rate = min(1.0, max([cfg.other_roles_rate, *cfg.annual_leaving_rate.values()]) * top)
    bound = 1.0 - (1.0 - top_rate) ** (1 / 12)
    for k in np.flatnonzero(u[:, 0] < bound).tolist():
        agent = people[k]
        age = age_on(model, agent, day)
        rate = annual_rate(cfg, agent, age) * deprivation_multiplier(cfg, agent, quintiles)
        p = 1.0 - (1.0 - min(rate, 1.0) * retention_ratio(model, agent, age, day)) ** (1 / 12)
        if u[k, 0] < p:
            event = "left_general_practice" if u[k, 1] < cfg.share_leaving_general_practice else "left_to_practice"
            give_notice(model, agent, day, day + notice_days(cfg, agent), event)


def give_notice(model: GPSimModel, agent: Staff, day: int, leave_day: int, event: str, elapsed: float = 0.0) -> None:
    """``agent`` gives notice on ``day`` and leaves on ``leave_day``; their post is advertised from the notice.

    ``elapsed``: days the adverts have already run (a notice given before the start). No notice
    (``leave_day`` <= ``day``) is leaving today, the post advertised as they go.
    """
    if leave_day <= day:
        remove_staff(model, agent.index, day, event=event)
        return
    agent.leaving_day = leave_day
    if not (agent.vacancy_handled or agent.hub_post or agent.cover_post):
        post = _post_of(agent, agent.key, agent.index)
        post["leave_day"] = leave_day
        _advertise(model, post, day, elapsed=elapsed)
    if leave_day < model.n_sim_days:
        model.phases.at(leave_day, lambda m, d: remove_staff(m, agent.index, d, event=event))


def resign(model: GPSimModel, agent: Staff, day: int, event: str) -> None:
    """``agent`` decides on ``day`` to leave (burnout): they give their contract's notice, as any leaver does.

    A notice is a term of the contract, whatever the reason for going (salaried GPs 3 months, partners
    6, Agenda for Change staff 1-2: ``workforce.turnover.notice_months``, docs/sources.md), so the post is
    advertised from the decision and the leaver works the notice. Someone already on notice is leaving
    anyway. Without background turnover there is no notice rule: they leave that day.
    """
    if agent.leaving_day is not None:
        return
    cfg = model.scenario.workforce.turnover
    if not cfg.enabled or agent.hub_post or agent.cover_post:
        remove_staff(model, agent.index, day, event=event)
        return
    give_notice(model, agent, day, day + notice_days(cfg, agent), event)


def _advertise(model: GPSimModel, post: dict, day: int, in_progress: bool = False, elapsed: float = 0.0) -> None:
    """Advertise ``post`` from ``day``: schedule the end of this advert (filled or advertised again).

    ``in_progress``: an advert already running at the start, caught at a random point of a stationary
    sequence of adverts. Its time left is then the forward recurrence time, not a fresh advert's: a
    gamma(k) advert is k exponential phases, and a random moment falls in each phase alike, so the
    time left is gamma(j) with j uniform on 1..k (mean (k+1)/2k of a fresh advert: 3/4 for k = 2).
    ``elapsed``: days this advert began before ``day`` (a notice given before the start); an advert
    that would have ended before ``day`` ends the day after (approximation: at most the notice late).
    """
    terms = advert_terms(model, post["role"], post["unit"], day, drives=not in_progress, market=post.get("market", True))
    if post["adverts"] >= MAX_ADVERTS or terms is None:
        model.open_vacancies.pop(post["key"], None)  # given up, or no market and no drive to advertise it
        return
    model.open_vacancies[post["key"]] = post
    rng = model.streams.keyed("vacancy", post["key"], post["adverts"])
    post["adverts"] += 1
    u = rng.random(2)
    shape = int(rng.integers(1, TIME_TO_FILL_SHAPE + 1)) if in_progress else TIME_TO_FILL_SHAPE
    wait = rng.gamma(shape, terms.mean_days / TIME_TO_FILL_SHAPE)
    when = day + max(1, round(wait - elapsed))
    if when < model.n_sim_days:
        model.phases.at(when, lambda m, d: _advert_ends(m, post, d, u, terms))


def _advert_ends(model: GPSimModel, post: dict, day: int, u: np.ndarray, terms: AdvertTerms) -> None:
    """An advert closes: the post fills with its terms' probability less the practice's strain, or is advertised again.

    A recruitment drive's advert that fills is a drive recruit ('recruited', on the drive's contract).
    """
    cfg = model.scenario.workforce.turnover
    if post.get("taken"):  # a newly qualified GP or an international recruit took the post (sim.model.training)
        return
    p = strained_fill_probability(cfg, terms.fill_probability, strain_parts(model, post["unit"], day))
    if u[0] >= p:
        _advertise(model, post, day)
        return
    model.open_vacancies.pop(post["key"], None)
    leaver = model.staff[post["leaver"]] if post["leaver"] >= 0 else None
    if leaver is not None and leaver.active and post.get("leave_day", 0) > day:  # filled within the notice
        model.phases.at(post["leave_day"], lambda m, d: _fill(m, post, d, u, terms))
        return
    _fill(model, post, day, u, terms)


def _fill(model: GPSimModel, post: dict, day: int, u: np.ndarray, terms: AdvertTerms) -> None:
    """The recruit to a filled advert starts on ``day`` (the leaver's leaving day when it filled within the notice)."""
    contract, sessions, fte = post["contract"], post["sessions"], post["fte"]
    event, suffix = "vacancy_filled", "/v"
    if terms.drive is not None:
        contract, sessions, fte = drive_contract(model, terms.drive, post)
        event, suffix = "recruited", "/r"
    recruit = add_staff(model, post["role"], post["unit"], day, fte=fte, sessions=sessions,
                        age=RECRUIT_AGE_MIN + int(u[1] * RECRUIT_AGE_SPAN), contract=contract,
                        key=post["key"] + suffix, event=event)
    if recruit.kind == "gp" and post["leaver"] >= 0:
        hand_over_patients(model, post["leaver"], recruit.index)
    if recruit.kind == "admin":  # the recruit works the post's back-office role (sim.model.back_office)
        take_over_role(model, post.get("post_of", post["leaver"]), recruit.index)


def _post_of(agent: Staff, key: str, leaver: int) -> dict:
    return {"role": agent.role, "unit": agent.unit, "unit_code": agent.model.unit_level(agent.unit)[1],
            "fte": agent.contract_fte, "sessions": agent.contract_sessions,  # the contract, not a burnout cut
            "contract": agent.contract, "key": key, "leaver": leaver, "adverts": 0,
            "post_of": agent.index}  # whose post it is (a seeded vacancy twins someone in post)


def on_leave(model: GPSimModel, agent: Staff, day: int) -> None:
    """STAFF_LEFT: a leaver's post becomes a vacancy (a trainee's post is the training pipeline's).

    A leaver who gave notice has their post advertised already; every leaver counts in their unit's
    turnover strain.
    """
    if agent.hub_post or agent.cover_post:
        return
    model.leaver_days.setdefault(agent.unit, []).append(day)
    if agent.vacancy_handled or agent.leaving_day is not None:
        return
    post = _post_of(agent, agent.key, agent.index)
    post["market"] = agent.market_refills  # False: only a recruitment drive refills it
    _advertise(model, post, day)


def seed_vacancies(model: GPSimModel) -> None:
    """Vacancies and notices open at the start: each person in post with the chance of the stationary stock.

    In a steady state, per person in post, the posts vacant are rate x the expected gap (the adverts'
    time beyond the notice, sim.model.notice) and the people working their notice are rate x notice.
    The gap is at the fill probability the run's adverts have: the market's lowered by the unit's strain
    at the start, which is the steady level of its turnover part (sim.model.strain); at the market's own
    probability the seeded stock was smaller than the one the run then held, a drift down of in-post FTE.
    A vacant post is a twin of the person's (the same FTE and sessions) in an advert caught part-way
    with the stationary time left (:func:`_advertise`); a person on notice leaves on a day uniform over
    the notice, their post advertised since they gave it. So inflow matches outflow from the first day.
    Within each role the draws are systematic (sim.model.notice.systematic_draw): every person keeps
    their chance, and the role's count is its expected stock rounded down or up.
    """
    cfg = model.scenario.workforce.turnover
    quintiles = practice_quintiles(model)
    start = model.cal.warm_up
    people = _people(model)
    p_vacant, p_notice, notices = [], [], []
    start_strain: dict[int, StrainParts] = {}  # unit -> its strain at the start
    for agent in people:
        rate = min(1.0, annual_rate(cfg, agent, agent.age) * deprivation_multiplier(cfg, agent, quintiles))
        p_fill, mean_days = market_terms(model, agent.role, agent.unit)
        if agent.unit not in start_strain:
            start_strain[agent.unit] = strain_parts(model, agent.unit, 0)
        p_fill = strained_fill_probability(cfg, p_fill, start_strain[agent.unit])
        notice = notice_days(cfg, agent)
        gap = expected_gap_days(max(p_fill, 0.05), mean_days, float(notice), TIME_TO_FILL_SHAPE)
        # a retention scheme in force when reporting starts keeps those it covers from having given notice
        kept = retention_ratio(model, agent, age_on(model, agent, start), start)
        pv = min(1.0, rate * gap / 365.25)
        p_vacant.append(pv)
        p_notice.append(min(1.0, rate * notice * kept / 365.25) / max(1e-12, 1.0 - pv) if pv < 1.0 else 0.0)
        notices.append(notice)
    # each role's seeded vacancies, then notices among the others, by systematic sampling (sim.model.notice)
    vacant = np.zeros(len(people), dtype=bool)
    on_notice = np.zeros(len(people), dtype=bool)
    for role in sorted({a.role for a in people}):
        idx = np.flatnonzero([a.role == role for a in people])
        u = model.streams.keyed("vacancy-seed-role", role).random(2)
        vacant[idx] = systematic_draw(np.asarray(p_vacant)[idx], u[0])
        rest = idx[~vacant[idx]]
        on_notice[rest] = systematic_draw(np.minimum(1.0, np.asarray(p_notice)[rest]), u[1])
    for k, agent in enumerate(people):
        if vacant[k]:
            _advertise(model, _post_of(agent, agent.key + "/s", -1), 0, in_progress=True)
        elif on_notice[k]:
            u = model.streams.keyed("vacancy-seed", agent.key).random(3)
            leave_day = max(1, round(u[1] * notices[k]))
            event = "left_general_practice" if u[2] < cfg.share_leaving_general_practice else "left_to_practice"
            give_notice(model, agent, 0, leave_day, event, elapsed=notices[k] - leave_day)


def setup_turnover(model: GPSimModel) -> None:
    """Register background turnover and vacancies (after interventions: recruitment drives are in ``levers.drives``).

    Without background turnover a recruitment drive still advertises the posts of leavers it covers.
    """
    if not model.scenario.workforce.turnover.enabled:
        if model.levers.drives:
            model.phases.on(Phase.STAFF_LEFT, on_leave)
        return
    model.phases.on(Phase.MONTH_START, monthly_leaving)
    model.phases.on(Phase.STAFF_LEFT, on_leave)
    seed_vacancies(model)
