"""A prototype of a change recommended for sim/clinic.py, to measure what it would gain.

Not used by the simulator; ``benchmarks/run.py --proposed`` installs it and times both versions.

``walked_session`` is a drop-in replacement for :func:`sim.clinic.booked_session` (same signature).
Each clinic session stays one SimPy process that starts at the session's start and holds the
clinician's clock until the session ends, but instead of yielding one timeout per appointment (about
1.3 SimPy events per appointment) it walks the appointments with the arithmetic SimPy would do
(``now + (scheduled - now)``, ``now + minutes``) and yields once, to the session's end. Outcomes are
the same numbers (checked: identical ledger and summary on the PCN, the borough and a walk-in area;
the only possible difference is the order of two float additions when a morning session overruns
into the afternoon's start). What changes: each appointment's outcome is recorded when its session
starts rather than at its own simulated minute, which nothing in the model reads during the day.

An earlier prototype (no SimPy process per session at all) and a leaner booking loop were measured
too; the booking loop is now in sim/model.py.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence

import simpy

from sim.clinic import SessionResult


def walked_session(env: simpy.Environment, start: float, slot_minutes: float, n_slots: int,
                   appointments: Sequence[int], attends: Callable[[int], bool],
                   duration: Callable[[int], float], on_outcome: Callable[[int, bool, float], None],
                   result: SessionResult) -> Generator[simpy.Event, None, None]:
    """One clinic session as one SimPy process with one timeout (see the module docstring)."""
    if env.now < start:
        yield env.timeout(start - env.now)
    t0 = now = env.now
    for k, rid in enumerate(appointments):
        scheduled = t0 + k * slot_minutes
        if now < scheduled:
            now = now + (scheduled - now)
        if not attends(rid):
            result.dna += 1
            on_outcome(rid, False, 0.0)
            continue
        minutes = duration(rid)
        now = now + minutes
        result.seen += 1
        result.clinical_minutes += minutes
        on_outcome(rid, True, minutes)
    if now > env.now:
        yield env.timeout(now - env.now)  # the clinician is busy until the session's last patient leaves
    result.overtime_minutes += max(0.0, now - (t0 + n_slots * slot_minutes))


def install() -> None:
    """Make sim.model start clinic sessions with ``walked_session`` (in this process only)."""
    import sim.model

    sim.model.booked_session = walked_session
