"""Scenario interventions as mechanisms in the model (never a rescaling of outputs).

``attach(scenario, replication)`` builds the model with every intervention set up: staff added or
removed on their days, hooks for monthly hazards, booking-rule changes, demand scales. Random draws
are keyed by the staff member or request they concern, so scenarios keep common random numbers.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

import numpy as np

from sim.config.interventions import (
    WEEKDAYS,
    AddRole,
    CareNavigation,
    CloudTelephony,
    DemandGrowth,
    ExtendedAccess,
    InternationalRecruitment,
    MicroTeams,
    OnlineConsultation,
    PooledBackOffice,
    PooledCover,
    Recruitment,
    Retention,
    Retirement,
    SkillMix,
    TotalTriage,
    TrainingExpansion,
    default_gp_hazard,
)
from sim.config.scenario import Scenario
from sim.model.booking import BookingRules
from sim.model.build import rebuild_options
from sim.model.front_door_levers import (
    setup_care_navigation,
    setup_cloud_telephony,
    setup_online_consultation,
    setup_total_triage,
)
from sim.model.hubs import add_hub, hub_post_fte, posts_by_clinician
from sim.model.labour_market import recruitment
from sim.model.levers import MicroTeam, Shift, Supervision
from sim.model.model import GPSimModel
from sim.model.phases import Phase
from sim.model.pooled_back_office import setup_pooled_back_office
from sim.model.training import training_expansion
from sim.model.units import DAYS_PER_MONTH
from sim.model.workforce import CoverPool, add_staff, remove_staff
from sim.model.workforce_schemes import international_recruitment, retention

# skill mix: a unit whose share of an added role comes to less FTE than this gets nobody
MIN_ADDED_FTE = 0.05


# ----------------------------------------------------------------------------- helpers


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    day = min(d.day, [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30,
                      31, 31, 30, 31, 30, 31][month - 1])
    return dt.date(year, month, day)


def internal_day(model: GPSimModel, when: dt.date | int | None, default: int) -> int:
    """Internal day index of an intervention's start or end (months after start, or a date)."""
    if when is None:
        return default
    sc = model.scenario
    date = _add_months(sc.start_date, when) if isinstance(when, int) else when
    return max(0, sc.warm_up_days + (date - sc.start_date).days)


def scope_practices(model: GPSimModel, scope: str | list[str]) -> list[int]:
    """Practice indices an intervention applies to."""
    if isinstance(scope, list):
        codes = set(scope)
        return [p.index for p in model.practices if p.code in codes]
    if scope in ("lgpo", model.lgpo.code):
        return [p.index for p in model.practices]
    for pcn in model.pcns:
        if pcn.code == scope:
            return list(pcn.practices)
    return [p.index for p in model.practices if p.code == scope]


def _from_start(model: GPSimModel, start: int, hook: Callable[[GPSimModel, int], None]) -> None:
    """Run ``hook(model, day)`` at the intervention's start: now (in set-up) when it starts on day 0."""
    if start == 0:
        hook(model, 0)
    else:
        model.phases.at(start, hook)


def _at_end(model: GPSimModel, end: int, hook: Callable[[GPSimModel, int], None]) -> None:
    """Run ``hook(model, day)`` at the start of the intervention's ``end`` day, if that falls in the run."""
    if end < model.n_sim_days:
        model.phases.at(end, hook)


def _pcns_of(model: GPSimModel, practices: list[int]) -> list[int]:
    return sorted({model.practices[p].pcn for p in practices})


def _staff_in_scope(model: GPSimModel, practices: list[int], include_pooled: bool = True) -> list[int]:
    units = set(practices)
    if include_pooled:
        units |= {model.pcns[c].unit for c in _pcns_of(model, practices)}
        if len(practices) == len(model.practices):
            units.add(model.lgpo_unit)
    posts = {p.agent for hub in model.hubs for p in hub.posts}  # hub rota posts are not people
    return [s.index for s in model.staff if s.unit in units and s.index not in posts and not s.cover_post]


# ----------------------------------------------------------------------------- workforce


def _retirement(model: GPSimModel, iv: Retirement, start: int, end: int, practices: list[int]) -> None:
    if iv.wave is not None:
        wave = iv.wave
        age_at = {s: model.staff[s].age for s in _staff_in_scope(model, practices)}
        eligible = sorted((s for s, a in age_at.items()
                           if model.staff[s].role == wave.role and a >= wave.min_age),
                          key=lambda s: model.staff[s].key)
        rng = model.streams.keyed("retirement-wave", start, wave.role)
        chosen = rng.permutation(len(eligible))[: round(wave.share * len(eligible))]
        span = wave.over_months * DAYS_PER_MONTH
        for k in chosen:
            s = eligible[int(k)]
            when = start + int(rng.random() * span)
            if when < end:
                model.phases.at(when, lambda m, d, s=s: _retire(m, s, d, iv.market_refills))
        return
    hazards = iv.hazard_by_age or {"GP": default_gp_hazard()}
    in_scope = set(_staff_in_scope(model, practices))

    def monthly(m: GPSimModel, day: int) -> None:
        if not start <= day < end:
            return
        month = int(m.cal.dates[day].strftime("%Y%m"))
        for agent in list(m.staff):
            if not agent.active or agent.index not in in_scope or agent.role not in hazards:
                continue
            curve = hazards[agent.role]
            age = agent.age + (day - m.cal.warm_up) / 365.25
            bands = [b for b in sorted(curve) if b <= age]
            if not bands:
                continue
            p_month = 1.0 - (1.0 - curve[bands[-1]]) ** (1 / 12)
            if m.streams.keyed("retire", month, agent.key).random() < p_month:
                _retire(m, agent.index, day, iv.market_refills)

    model.phases.on(Phase.MONTH_START, monthly)


def _retire(model: GPSimModel, s: int, day: int, market_refills: bool) -> None:
    """Staff member ``s`` retires on ``day``; the market advertises their post only if ``market_refills``."""
    if model.staff[s].active:
        model.staff[s].market_refills = market_refills
    remove_staff(model, s, day, event="retired")


# ----------------------------------------------------------------------------- skill mix


def _need_weight(model: GPSimModel, p: int, by: str) -> float:
    """Practice ``p``'s allocation weight: its list x IMD score, or its weighted patients (else its list)."""
    pr = [q for _, _, q in model.scenario.iter_practices()][p]
    if by == "imd_score":
        return model.practices[p].list_size * float(pr.imd_score or 0.0)
    return float(pr.weighted_patients) if pr.weighted_patients is not None else float(model.practices[p].list_size)


def _need_shares(model: GPSimModel, add: AddRole, practices: list[int], targets: list[tuple[int, int]]
                 ) -> list[float | None]:
    """FTE of each target unit when ``add`` shares the scope's FTE by need (None: per list size, as before)."""
    if add.allocate_by == "list_size" or add.count is not None:
        return [None] * len(targets)
    assert add.per_10k_patients is not None
    total = add.per_10k_patients * sum(model.practices[p].list_size for p in practices) / 10_000
    members = {p: [p] for p in practices}  # a practice's unit index is its own index
    members |= {model.pcns[c].unit: [p for p in model.pcns[c].practices if p in practices]
                for c in _pcns_of(model, practices)}
    members[model.lgpo_unit] = list(practices)
    weight = [sum(_need_weight(model, p, add.allocate_by) for p in members[unit]) for unit, _ in targets]
    if sum(weight) <= 0:
        raise ValueError(f"skill_mix add {add.role}: allocate_by {add.allocate_by} but no practice in scope has one")
    return [total * w / sum(weight) for w in weight]


def _skill_mix(model: GPSimModel, iv: SkillMix, start: int, end: int, practices: list[int]) -> None:
    added: list[str] = []  # keys of the posts added
    for k, add in enumerate(iv.add):
        if add.level == "practice":
            targets = [(p, model.practices[p].list_size) for p in practices]
        elif add.level == "pcn":
            targets = [(model.pcns[c].unit, sum(model.practices[p].list_size for p in model.pcns[c].practices
                                                if p in practices)) for c in _pcns_of(model, practices)]
        else:
            targets = [(model.lgpo_unit, sum(model.practices[p].list_size for p in practices))]
        shares = _need_shares(model, add, practices, targets)
        for (unit, patients), share in zip(targets, shares, strict=True):
            if add.count is not None:
                heads, fte = add.count, add.fte
            else:
                total = add.per_10k_patients * patients / 10_000 if share is None else share
                heads = max(1, math.ceil(total / add.fte - 1e-9)) if total >= MIN_ADDED_FTE else 0
                fte = min(add.fte, total / heads) if heads else 0.0
            code = model.unit_level(unit)[1]
            for h in range(heads):
                key = f"{code}/{add.role}/add{k}-{h}"
                added.append(key)
                model.phases.at(start, lambda m, d, u=unit, f=fte, key=key, role=add.role, age=add.age:
                                add_staff(m, role, u, d, fte=f, age=age, key=key, event="added"))
    needs = {n: i for i, n in enumerate(model.need_names)}
    before: dict[str, list[str] | None] = {}
    supervision_before: list[Supervision | None] = []

    def switch_on(m: GPSimModel, d: int) -> None:
        lv = m.levers
        before.update({n: lv.eligibility.get(n) for n in iv.eligibility})
        supervision_before.append(lv.supervision)
        lv.eligibility.update(iv.eligibility)
        if iv.shift is not None:
            lv.shift = Shift(frozenset(needs[n] for n in iv.shift.needs), iv.shift.share, tuple(iv.shift.to_roles))
        lv.supervision = Supervision(frozenset(iv.supervised_roles), iv.gp_supervision_minutes_per_appointment)
        if m.built:
            rebuild_options(m)

    def switch_off(m: GPSimModel, d: int) -> None:
        """The added posts end (not refilled) and needs go back to the roles that saw them before."""
        keys = set(added)
        for agent in list(m.staff):
            if agent.key in keys and agent.active:
                remove_staff(m, agent.index, d, event="skill_mix_ended", notify=False)
        lv = m.levers
        for need, roles in before.items():
            if roles is None:
                lv.eligibility.pop(need, None)
            else:
                lv.eligibility[need] = roles
        lv.shift = None
        lv.supervision = supervision_before[0] if supervision_before else None  # the baseline's again
        rebuild_options(m)

    _from_start(model, start, switch_on)
    _at_end(model, end, switch_off)


# ----------------------------------------------------------------------------- access


def _hub_items(iv: ExtendedAccess) -> list[tuple[int, str, int, int, float]]:
    """(clinician k, role, weekday, start minute, minutes) for every clinician-session of a hub week."""
    items = []
    k = 0
    for hs in iv.staff:
        for _ in range(hs.count):
            for sess in iv.sessions:
                s0, s1 = sess.minutes()
                for day in sess.days:
                    items.append((k, hs.role, WEEKDAYS.index(day), s0, float(s1 - s0)))
            k += 1
    return items


def _extended_access(model: GPSimModel, iv: ExtendedAccess, start: int, end: int, practices: list[int]) -> None:
    """Hub posts with their own clinicians and booked slots here; member-staffed or walk-in hubs in sim.model.hubs."""
    if iv.level == "pcn":
        groups = [(model.pcns[c].unit, [p for p in model.pcns[c].practices if p in practices])
                  for c in _pcns_of(model, practices)]
    else:
        groups = [(model.lgpo_unit, practices)]
    items = _hub_items(iv)
    if iv.staffed_from != "own" or iv.mode != "booked":
        units = []
        for hub_unit, members in groups:
            assignment = {hub_unit: items} if iv.pooled else _split_items(model, items, members)
            units += [(unit, members, its) for unit, its in assignment.items()]
        add_hub(model, iv, start, end, units)
        return
    for hub_unit, members in groups:
        hub_code = model.unit_level(hub_unit)[1]
        if iv.pooled:
            assignment = {hub_unit: items}
        else:
            assignment = _split_items(model, items, members)
        for unit, its in assignment.items():
            for (k, role), sessions in posts_by_clinician(its).items():
                hours = sum(m for v in sessions.values() for _, m in v) / 60.0
                key = f"{hub_code}/hub/{model.unit_level(unit)[1]}/{role}/{k}"
                model.phases.at(start, lambda m, d, u=unit, r=role, ss=sessions, key=key, h=hours:
                                add_staff(m, r, u, d, fte=hub_post_fte(h), sessions=sum(len(v) for v in ss.values()),
                                          key=key, custom_sessions=ss, same_day_share=iv.same_day_slot_share,
                                          hub_post=True, event="hub_added"))
                if end < model.cal.n:
                    model.phases.at(end, lambda m, d, key=key: [remove_staff(m, s.index, d, event="hub_closed")
                                                                for s in m.staff if s.key == key])


def _split_items(model: GPSimModel, items: list, members: list[int]) -> dict[int, list]:
    """The same clinician-sessions split across member practices in proportion to list size."""
    sizes = np.array([model.practices[p].list_size for p in members], dtype=float)
    quota = sizes / sizes.sum() * len(items)
    counts = np.floor(quota).astype(int)
    for j in np.argsort(-(quota - counts))[: len(items) - counts.sum()]:
        counts[j] += 1
    out: dict[int, list] = {}
    order = sorted(items, key=lambda it: (it[2], it[3], it[0]))  # spread weekdays across practices
    slots = [p for p, c in zip(members, counts, strict=True) for _ in range(c)]
    # round-robin so each practice gets sessions on different days
    rr = sorted(range(len(slots)), key=lambda i: (i % max(1, len(members)), i))
    for idx, it in zip(rr, order, strict=False):
        out.setdefault(slots[idx], []).append(it)
    return out


# ----------------------------------------------------------------------------- demand


def _demand_growth(model: GPSimModel, iv: DemandGrowth, start: int, end: int, practices: list[int]) -> None:
    n_days, n_p = model.n_sim_days, len(model.practices)
    years = np.clip((np.arange(n_days) - start) / 365.25, 0.0, None)
    years = np.minimum(years, max(0.0, (end - start) / 365.25)) + iv.years_ahead
    beta = model.scenario.demand.ltc_rate_ratio_per_condition
    pop = model.population
    mean_ltc = np.bincount(pop.practice, weights=pop.ltc, minlength=n_p) / np.maximum(
        np.bincount(pop.practice, minlength=n_p), 1)
    scale = np.ones((n_days, n_p)) if model.levers.demand_scale is None else model.levers.demand_scale
    for p in practices:
        ltc_factor = (1 + beta * mean_ltc[p] * (1 + iv.ltc_prevalence_growth_per_year) ** years) / (1 + beta * mean_ltc[p])
        scale[:, p] *= (1 + iv.list_growth_per_year) ** years * (1 + iv.rate_growth_per_year) ** years * ltc_factor
        # the registered list grows too: report per-1,000 figures on the mean list over the horizon
        window = slice(model.cal.warm_up, n_days)
        model.practices[p].list_size = round(model.practices[p].list_size
                                             * float(np.mean((1 + iv.list_growth_per_year) ** years[window])))
    model.levers.demand_scale = scale


def _micro_teams(model: GPSimModel, iv: MicroTeams, start: int, end: int, practices: list[int]) -> None:
    b = model.scenario.booking
    rules = BookingRules(b.book_ahead_days, iv.extra_days, b.preference_days_per_rank)

    def on(m: GPSimModel, d: int) -> None:
        m.levers.micro_team = MicroTeam(iv.min_ltc, rules)

    def off(m: GPSimModel, d: int) -> None:
        m.levers.micro_team = None

    _from_start(model, start, on)
    _at_end(model, end, off)


def _pooled_cover(model: GPSimModel, iv: PooledCover, start: int, end: int, practices: list[int]) -> None:
    if iv.level == "practice":
        pool_of = {p: model.practices[p].code for p in practices}
    elif iv.level == "pcn":
        pool_of = {p: model.pcns[model.practices[p].pcn].code for p in practices}
    else:
        pool_of = dict.fromkeys(practices, model.lgpo.code)
    # the same total cover in every arrangement: split by list size, largest remainder
    sizes = np.array([model.practices[p].list_size for p in practices], dtype=float)
    total = round(iv.cover_days_per_week_per_10k * sizes.sum() / 10_000)
    quota = sizes / sizes.sum() * total if sizes.sum() else sizes
    counts = np.floor(quota).astype(int)
    for j in np.argsort(-(quota - counts))[: total - counts.sum()]:
        counts[j] += 1
    weekly: dict[str, int] = {}
    for p, c in zip(practices, counts, strict=True):
        weekly[pool_of[p]] = weekly.get(pool_of[p], 0) + int(c)
    model.levers.cover = CoverPool(roles=frozenset(iv.roles), pool_of_practice=pool_of, weekly_days=weekly,
                            scope=frozenset(practices), start_day=start, end_day=end)


MECHANISMS: dict[type, Callable] = {
    Retirement: _retirement, Recruitment: recruitment, SkillMix: _skill_mix,
    PooledBackOffice: setup_pooled_back_office, ExtendedAccess: _extended_access, DemandGrowth: _demand_growth,
    MicroTeams: _micro_teams, PooledCover: _pooled_cover, TrainingExpansion: training_expansion,
    InternationalRecruitment: international_recruitment, Retention: retention,
    CloudTelephony: setup_cloud_telephony, TotalTriage: setup_total_triage,
    CareNavigation: setup_care_navigation, OnlineConsultation: setup_online_consultation,
}


def setup_interventions(model: GPSimModel) -> None:
    """Apply every intervention of the model's scenario (called before demand is drawn)."""
    end_default = model.cal.n + 1
    for iv in model.scenario.interventions:
        start = internal_day(model, iv.start, model.cal.warm_up)
        end = internal_day(model, iv.end, end_default)
        MECHANISMS[type(iv)](model, iv, start, end, scope_practices(model, iv.scope))


def attach(scenario: Scenario, replication: int = 0) -> GPSimModel:
    """The model for one replication with the scenario's interventions in place."""
    return GPSimModel(scenario, replication, setup=setup_interventions)


def describe(iv) -> str:
    """One plain-words line for reports."""
    when = f"from month {iv.start}" if isinstance(iv.start, int) else f"from {iv.start}"
    scope = "the whole area" if iv.scope == "lgpo" else (f"PCN {iv.scope}" if isinstance(iv.scope, str)
                                                         else f"practices {', '.join(iv.scope)}")
    text = {
        "retirement": lambda: (f"{iv.wave.share:.0%} of {iv.wave.role}s aged {iv.wave.min_age}+ retire over "
                               f"{iv.wave.over_months} month{'s' if iv.wave.over_months != 1 else ''}"
                               if iv.wave else "staff retire by an age hazard"),
        "recruitment": lambda: "recruitment drive on top of the labour market, per advert: " + ", ".join(
            f"{r} {p:.0%}" + (f" in {iv.delay_months[r]:g} month{'' if iv.delay_months[r] == 1 else 's'}"
                              if r in iv.delay_months else "")
            for r, p in iv.fill_probability.items()),
        "skill_mix": lambda: "skill mix: " + "; ".join(
            [f"add {a.role} {a.per_10k_patients:g} FTE per 10,000 ({a.level})" if a.per_10k_patients is not None
             else f"add {a.count} {a.role} per {a.level}" for a in iv.add]
            + ([f"{iv.shift.share:.0%} of {', '.join(iv.shift.needs)} triaged to {', '.join(iv.shift.to_roles)} first"]
               if iv.shift else [])
            + [f"{n} seen by {', '.join(r)}" for n, r in iv.eligibility.items()]),
        "pooled_back_office": lambda: ("pooled back office (" + ", ".join(
            [x for x, on in (("one queue per role", iv.queue_pooling), ("specialised staff", iv.specialisation.enabled),
                             ("shared functions", iv.shared_functions.enabled)) if on] or ["no pooling"])
            + f"; one pool per {iv.pool}; released hours to {iv.redeploy}"
            + (f"; {iv.coordinators.added_hours_per_1000_week:g} coordinator hours a week per 1,000 added"
               if iv.coordinators.added_hours_per_1000_week else "") + ")"),
        "extended_access": lambda: (f"{'pooled' if iv.pooled else 'split'} {iv.level.upper()} extended-access "
                                    f"{'walk-in ' if iv.mode == 'walk_in' else ''}hub"
                                    + (f" worked by member practices' clinicians ({iv.member_hours} hours)"
                                       if iv.staffed_from == "member_practices" else "") + ": "
                                    + "; ".join(f"{','.join(s.days)} {s.start}-{s.end}" for s in iv.sessions)),
        "demand_growth": lambda: (f"demand growth: list +{iv.list_growth_per_year:.1%}/yr, rate +{iv.rate_growth_per_year:.1%}/yr, "
                                  f"LTC prevalence +{iv.ltc_prevalence_growth_per_year:.1%}/yr"),
        "micro_teams": lambda: f"micro-teams: patients with {iv.min_ltc}+ LTCs wait up to {iv.extra_days} days for their named GP",
        "cloud_telephony": lambda: (f"cloud telephony: {iv.queue_positions} queue places, "
                                    f"{iv.callback_share:.0%} of callers who would hang up take a callback"),
        "total_triage": lambda: (f"total triage: every request triaged by a GP ({iv.triage_minutes_per_request:g} min), "
                                 f"{iv.resolved_share:.0%} resolved without an appointment"),
        "care_navigation": lambda: "care navigation: " + "; ".join(
            f"{need} " + ", ".join(f"{x:.0%} to {t}" for t, x in row.items()) for need, row in iv.shares.items()),
        "online_consultation": lambda: (f"online consultation: {iv.online_share:.0%} of requests online, "
                                        f"{iv.new_demand:+.0%} new demand (all online)"),
        "pooled_cover": lambda: f"absence cover held by each {iv.level}: {iv.cover_days_per_week_per_10k:g} clinician-days/week per 10,000",
        "training_expansion": lambda: (f"{iv.extra_intake_per_practice} extra GP training place(s) a year in "
                                       f"{iv.share_of_practices:.0%} of practices (qualified GPs after 3 years)"),
        "international_recruitment": lambda: (f"{iv.gps_per_year:g} international GPs a year, settling in over "
                                              f"{iv.settling_in_months:g} months at {iv.settling_in_capacity:.0%}"),
        "retention": lambda: (f"retention scheme: leaving hazard x{iv.hazard_ratio:g} for {', '.join(iv.roles)}"
                              + (f" aged {iv.min_age}+" if iv.min_age is not None else "")
                              + (f" under {iv.max_age}" if iv.max_age is not None else "")
                              + (f" on {', '.join(iv.contracts)} contracts" if iv.contracts else "")),
    }[iv.type]()
    return f"{text} ({scope}, {when})"


__all__ = ["attach", "describe", "setup_interventions"]
