"""Front-door interventions: ``cloud_telephony`` and ``total_triage`` at the scoped practices.

Cloud telephony: from its start day to its end day the practices' phone queues hold more callers
(fewer hear engaged) and callers who would hang up take a callback with a probability, keeping their
place (:func:`sim.model.front_door_queue.phone_day`). Total triage: every contact handled is triaged
by a GP before booking (:func:`sim.model.front_door.triage`). At the end the practices' own settings
return.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.config.interventions import CloudTelephony, TotalTriage

if TYPE_CHECKING:
    from sim.model.model import GPSimModel


def _needs_front_door(model: GPSimModel, kind: str) -> None:
    """A clear error when a front-door intervention is used without the front door."""
    if model.scenario.front_door is None:
        raise ValueError(f"interventions: {kind} needs the scenario's front_door: block "
                         "(the front door it changes); add 'front_door: {}' for the defaults")


def setup_cloud_telephony(model: GPSimModel, iv: CloudTelephony, start: int, end: int, practices: list[int]) -> None:
    """Register the switch-on at ``start`` and the switch-off at ``end`` (the front door is built after set-up)."""
    _needs_front_door(model, "cloud_telephony")
    scope = np.asarray(practices, dtype=np.int64)
    kept: dict[str, np.ndarray] = {}

    def on(m: GPSimModel, d: int) -> None:
        fd = m.front_door
        kept["queue"], kept["callback"] = fd.queue_positions[scope].copy(), fd.callback[scope].copy()
        fd.queue_positions[scope] = np.maximum(fd.queue_positions[scope], iv.queue_positions)
        fd.callback[scope] = iv.callback_share

    def off(m: GPSimModel, d: int) -> None:
        if kept:
            m.front_door.queue_positions[scope], m.front_door.callback[scope] = kept["queue"], kept["callback"]

    model.phases.at(start, on)  # on day 0 too: at() hooks run before that day's contacts are handled
    if end < model.n_sim_days:
        model.phases.at(end, off)


def setup_total_triage(model: GPSimModel, iv: TotalTriage, start: int, end: int, practices: list[int]) -> None:
    """Triage every contact of the scoped practices from ``start`` to ``end``."""
    _needs_front_door(model, "total_triage")
    scope = np.asarray(practices, dtype=np.int64)

    def on(m: GPSimModel, d: int) -> None:
        fd = m.front_door
        fd.triage[scope] = True
        fd.triage_minutes[scope] = iv.triage_minutes_per_request
        fd.resolved_share[scope] = iv.resolved_share
        fd.triage_delay[scope] = iv.triage_delay_minutes_mean

    def off(m: GPSimModel, d: int) -> None:
        m.front_door.triage[scope] = False

    model.phases.at(start, on)
    if end < model.n_sim_days:
        model.phases.at(end, off)
