"""Practices that fail (``workforce.closures``): too few GPs for too long, and the practice closes or merges.

At each month start (after the month's leavers) every open practice's GP FTE in post per 1,000
registered patients is compared with the threshold; a practice below it at ``months_below + 1``
consecutive month starts (below for ``months_below`` whole months) closes that day. Rules:

* Its registered patients move to the other open practices of its PCN (the LGPO's if the PCN has
  none with a GP in post) in proportion to their GP FTE in post ("close"), or all to the PCN's
  practice with the most GP FTE ("merge"). Which patient goes where is a keyed permutation.
* Each moved patient's usual GP becomes a GP of the new practice (chosen in proportion to sessions;
  continuity resets), except in a merge, where a patient whose usual GP transfers keeps that GP.
* Their requests from the closing day on belong to the new practice (future demand flows there);
  their appointments already booked with the closed practice's clinicians from that day are
  cancelled and rebooked at the new practice (lost if it has no free slot in the booking window).
* Staff: on "close" everyone at the practice leaves (contract handed back; event
  ``left_practice_closed``, no vacancy opened); on "merge" everyone transfers: they leave the old
  post (``transferred_out``) and the same person starts at the partner the same day
  (``transferred_in``, key ``<key>/m``), so nobody works at two places.
* Its admin tasks not yet done (backlog and those still to arrive) move with its list.
* A post of the closed practice filled later (a vacancy or a recruit in the pipeline) starts at its
  successor, the practice that took the largest share of its list (see ``sim.model.workforce.add_staff``).

Everything is recorded in ``model.closures`` (one row per closed practice and receiving practice).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.config.back_office import ADMIN_ROLES
from sim.model.back_office import ARRIVING, assign_roles, requeue
from sim.model.phases import Phase
from sim.model.states import DNA, SEEN
from sim.model.workforce import add_staff, remove_staff

if TYPE_CHECKING:
    from sim.model.agents import Staff
    from sim.model.model import GPSimModel


def _gps_in_post(model: GPSimModel, p: int) -> list[Staff]:
    """GPs in post at practice ``p`` (cover posts are not in post)."""
    return [model.staff[s] for s in model.practices[p].staff
            if model.staff[s].kind == "gp" and model.staff[s].active and not model.staff[s].cover_post]


def gp_fte(model: GPSimModel, p: int) -> float:
    """GP FTE in post at practice ``p``: its capacity to take patients."""
    return float(sum(a.fte for a in _gps_in_post(model, p)))


def _receivers(model: GPSimModel, p: int) -> tuple[list[int], np.ndarray, str]:
    """(practices, GP FTE, level) that take practice ``p``'s list: its PCN's open practices, else the LGPO's."""
    open_ = [q.index for q in model.practices if q.index != p and q.index not in model.closed_practices]
    for level, pool in (("pcn", [q for q in open_ if model.practices[q].pcn == model.practices[p].pcn]),
                        ("lgpo", open_)):
        fte = np.array([gp_fte(model, q) for q in pool], dtype=float)
        if fte.size and fte.sum() > 0:
            keep = fte > 0
            return [q for q, k in zip(pool, keep, strict=True) if k], fte[keep], level
    return [], np.zeros(0), ""


def shares(n: int, weights: np.ndarray) -> np.ndarray:
    """``n`` split in proportion to ``weights`` as whole numbers (largest remainder; ties to the first)."""
    exact = n * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    short = n - int(counts.sum())
    if short:
        counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts


def _usual_gps(model: GPSimModel, q: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` usual GPs at practice ``q``, in proportion to their sessions (-1 where it has none)."""
    gps = _gps_in_post(model, q)
    if not gps or n == 0:
        return np.full(n, -1, dtype=np.int32)
    w = np.array([a.sessions_per_week for a in gps], dtype=float)
    w = w / w.sum() if w.sum() > 0 else np.full(len(gps), 1.0 / len(gps))
    return np.array([a.index for a in gps], dtype=np.int32)[rng.choice(len(gps), size=n, p=w)]


def _keep_admin_role(model: GPSimModel, old: int, new: int) -> None:
    """A transferring admin does the same back-office role at the partner (receptionist stays receptionist)."""
    st = model.back_office
    if st is None:
        return
    at = np.flatnonzero(st.admin_staff == old)
    if at.size:
        assign_roles(model, [new], ADMIN_ROLES[int(st.admin_role[at[-1]])])


def _move_admin_tasks(model: GPSimModel, p: int, receivers: list[int], counts: np.ndarray) -> None:
    """The closed practice's admin tasks not yet done (waiting or still to arrive) follow its patients.

    Each goes to a receiving practice with the share of the list it took (keyed draws); the practice's
    own organisation tasks (per staff, per practice) move too, so a dispersed list overstates them.
    """
    st = model.back_office
    if st is None or counts.sum() == 0:
        return
    idx = np.flatnonzero((st.practice == p) & (st.state == ARRIVING))
    u = model.streams.keyed("closure-admin", model.practices[p].code).random(idx.size)
    k = np.searchsorted(np.cumsum(counts) / counts.sum(), u, side="right")
    st.practice[idx] = np.asarray(receivers, dtype=st.practice.dtype)[np.minimum(k, len(receivers) - 1)]
    requeue(st)  # its waiting tasks now queue at their new practices


def close_practice(model: GPSimModel, p: int, day: int) -> bool:
    """Close (or merge) practice ``p`` at the start of internal day ``day``; False if no practice can take its list."""
    cfg = model.scenario.workforce.closures
    pu = model.practices[p]
    receivers, fte, level = _receivers(model, p)
    if not receivers:
        return False
    merge = cfg.merge_or_close == "merge"
    if merge:
        best = int(np.argmax(fte))
        receivers, fte = [receivers[best]], fte[best:best + 1]
    ratio = gp_fte(model, p) / pu.list_size * 1000.0 if pu.list_size else 0.0
    pop, R = model.population, model.requests
    rng = model.streams.keyed("closure", pu.code)
    moved = rng.permutation(np.flatnonzero(pop.practice == p))
    counts = shares(moved.size, fte)
    dest = np.repeat(np.asarray(receivers, dtype=np.int32), counts)
    pop.practice[moved] = dest
    model.closed_practices[p] = day
    model.successor[p] = receivers[int(np.argmax(counts))] if moved.size else receivers[int(np.argmax(fte))]
    # staff: transfer (merge) or leave (close); transferring staff start at the partner the same day
    staff = [model.staff[s] for s in pu.staff if model.staff[s].active]
    new_of: dict[int, int] = {}
    if merge:
        for a in staff:
            if a.cover_post or a.hub_post:
                continue
            b = add_staff(model, a.role, receivers[0], day, fte=a.fte, sessions=a.sessions_per_week, age=a.age,
                          contract=a.contract, key=a.key + "/m", event="transferred_in")
            b.burnout = a.burnout
            b.contract_fte, b.contract_sessions = a.contract_fte, a.contract_sessions  # cut sessions may come back
            b.session_cuts = list(a.session_cuts)
            new_of[a.index] = b.index
            _keep_admin_role(model, a.index, b.index)
    # usual GPs: a transferring GP keeps their patients; everyone else gets a GP of the new practice
    old_gp = pop.usual_gp[moved]
    new_gp = np.array([new_of.get(int(g), -1) for g in old_gp], dtype=np.int32) if new_of else \
        np.full(moved.size, -1, dtype=np.int32)
    for q in receivers:
        need = (dest == q) & (new_gp < 0)
        new_gp[need] = _usual_gps(model, q, int(need.sum()), rng)
    pop.usual_gp[moved] = new_gp
    # future demand, and appointments booked with the closed practice from today, move with the patient
    from_today = (R.practice == p) & (R.day >= day)
    closed_staff = np.zeros(len(model.staff) + 1, dtype=bool)
    closed_staff[[a.index for a in staff]] = True
    rebook = ((R.practice == p) & (model.appt_day >= day) & closed_staff[model.appt_staff]
              & (model.state != SEEN) & (model.state != DNA))
    shift = from_today | rebook
    R.practice[shift] = pop.practice[R.patient[shift]]
    _move_admin_tasks(model, p, receivers, counts)
    for a in staff:  # their appointments from today are rebooked at the patients' new practice
        event = "cover_post_closed" if a.cover_post else ("transferred_out" if a.index in new_of
                                                          else "left_practice_closed")
        remove_staff(model, a.index, day, event=event, notify=False)
    before = pu.list_size
    for q, n in zip(receivers, counts.tolist(), strict=True):
        model.practices[q].list_size += n
        model.closures.append({
            "day": day - model.cal.warm_up, "practice": pu.code, "pcn": model.pcns[pu.pcn].code,
            "mode": cfg.merge_or_close, "gp_fte_per_1000": round(ratio, 4), "list_size": before,
            "to_practice": model.practices[q].code, "to_pcn": model.pcns[model.practices[q].pcn].code,
            "to_level": level, "patients_moved": n,
            "staff_left": sum(not a.cover_post and a.index not in new_of for a in staff),
            "staff_transferred": len(new_of)})
    pu.list_size = 0
    return True


def monthly_check(model: GPSimModel, day: int) -> None:
    """Month start: count the months each open practice has been below the threshold; close those below too long."""
    cfg = model.scenario.workforce.closures
    for pu in model.practices:
        if pu.index in model.closed_practices:
            continue
        size = pu.list_size
        below = size > 0 and gp_fte(model, pu.index) / size * 1000.0 < cfg.gp_fte_per_1000_threshold
        model.months_below[pu.index] = model.months_below.get(pu.index, 0) + 1 if below else 0
        if model.months_below[pu.index] > cfg.months_below:
            close_practice(model, pu.index, day)


def setup_closures(model: GPSimModel) -> None:
    """Register the monthly check (after background turnover, so the month's leavers count)."""
    if model.scenario.workforce.closures.enabled:
        model.phases.on(Phase.MONTH_START, monthly_check)


__all__ = ["close_practice", "gp_fte", "monthly_check", "setup_closures", "shares"]
