"""The named phases of the day cycle, and the hooks mechanisms register on them.

One simulated day runs, in order (see ``docs/architecture.md``, "The day cycle: phases"):

MONTH_START   first simulated day of a calendar month (monthly hazards, burnout feedback)
DAY_START     every day before booking; one-off hooks for a given day run here too (``at``)
BOOK_OPENING  as a day of the book opens (book_ahead_days ahead), before its slots are counted (hub rotas)
AFTER_BOOKING after the day's requests are booked (walk-in hub queues)
DAY_END       after the day's sessions are collected into the staff-days (hub attribution)
FINISH        once, after the last day (hub appointments named)

STAFF_LEFT is an event, not a phase: its hooks get ``(model, agent, day)`` whenever someone leaves.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any


class Phase(enum.Enum):
    """A point in the day cycle at which mechanisms act."""

    MONTH_START = "month start"
    DAY_START = "day start"
    BOOK_OPENING = "book opening"
    AFTER_BOOKING = "after booking"
    DAY_END = "day end"
    FINISH = "finish"
    STAFF_LEFT = "staff left"


class Phases:
    """Hooks per phase, in registration order, and one-off hooks for given days."""

    def __init__(self) -> None:
        self.hooks: dict[Phase, list[Callable[..., Any]]] = {p: [] for p in Phase}
        self.scheduled: dict[int, list[Callable[..., Any]]] = {}

    def on(self, phase: Phase, hook: Callable[..., Any]) -> None:
        """Call ``hook`` in ``phase``: ``hook(model, day)``; FINISH ``hook(model)``; STAFF_LEFT ``hook(model, agent, day)``."""
        self.hooks[phase].append(hook)

    def at(self, day: int, hook: Callable[..., Any]) -> None:
        """Call ``hook(model, day)`` once, at the start of internal day ``day`` (after the DAY_START hooks)."""
        self.scheduled.setdefault(max(0, int(day)), []).append(hook)

    def run(self, phase: Phase, *args: Any) -> None:
        """Run the hooks of ``phase`` with ``args``."""
        for hook in self.hooks[phase]:
            hook(*args)

    def run_day_start(self, model: Any, day: int) -> None:
        """Run the DAY_START hooks, then the one-off hooks of ``day``."""
        for hook in self.hooks[Phase.DAY_START]:
            hook(model, day)
        for hook in self.scheduled.pop(day, []):
            hook(model, day)
