"""The ``cloud_telephony`` intervention: more lines and callbacks at the scoped practices' front door.

From its start day to its end day the practices' phone queues hold more callers (fewer hear
engaged) and callers who would hang up take a callback with a probability, keeping their place
(:func:`sim.model.front_door_queue.phone_day`); at the end the practices' own settings return.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.config.interventions import CloudTelephony

if TYPE_CHECKING:
    from sim.model.model import GPSimModel


def setup_cloud_telephony(model: GPSimModel, iv: CloudTelephony, start: int, end: int, practices: list[int]) -> None:
    """Register the switch-on at ``start`` and the switch-off at ``end`` (the front door is built after set-up)."""
    if model.scenario.front_door is None:
        raise ValueError("interventions: cloud_telephony needs the scenario's front_door: block "
                         "(the telephone queue it changes); add 'front_door: {}' for the defaults")
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
