"""The controller that builds and steps the dashboard's models, and the read-only view the app draws.

One side (the area with its levers as set) or the split pair (standalone / collaborating), each
run as several replications stepped together. The costly views are taken only on the last day of
each :meth:`Controller.step` call (and every ``FULL_EVERY`` days of a long replay).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sim.config.loading import scenario_from_mapping
from sim.dashboard.controls import SIDES, Controls, Side, scenario_mapping
from sim.dashboard.state import Reps, Running, Snapshot, reporting_days, snapshot
from sim.model.interventions import attach
from sim.model.model import GPSimModel

DEFAULT_REPLICATIONS = 5  # replications per side: enough for a 95% t-interval, few enough to play live
MAX_REPLICATIONS = 10
FULL_EVERY = 14  # during a long replay, take the costly views every this many days (progress redraws)


@dataclass(frozen=True)
class View:
    """What the app draws: every side's snapshots so far, per replication, and where the run stands.

    ``history[side][r][d]`` is replication r's snapshot after reporting day d (light or full);
    ``current[side][r]`` is replication r's latest full snapshot (for the bars and the area picture).
    """

    day: int
    horizon: int
    finished: bool
    controls: Controls
    split: bool
    history: dict[Side, Reps]
    current: dict[Side, tuple[Snapshot, ...]]
    scenario: str = ""  # the scenario's name
    first_replication: int = 0
    days_per_second: float = float("nan")  # how fast the models ran in the last step call (simulated days)

    @property
    def replications(self) -> int:
        """Replications per side."""
        return len(next(iter(self.history.values())))

    def latest(self, side: Side) -> tuple[Snapshot, ...]:
        """The last snapshot of each replication of one side (light or full)."""
        return tuple(h[-1] for h in self.history[side])


def build_model(mapping: dict, source: str, replication: int = 0) -> GPSimModel:
    """Validate a scenario mapping, build the model with its interventions, and run the warm-up."""
    model = attach(scenario_from_mapping(mapping, source), replication)
    while model.day < model.cal.warm_up and model.running:
        model.step()
    return model


class Controller:
    """The dashboard's models: one side (the area with its levers as set) or the split pair, each replicated.

    In the split view the "standalone" models have every collaboration lever off and the
    "collaborating" models have them as set; both use the scenario's seed and replications
    ``replication .. replication + replications - 1``, so each pair sees the same demand. Changing
    a control rebuilds the models and replays them to the day they had reached, so the views show
    the whole run as if the controls had always been so. All public methods are thread-safe (the
    app steps from a worker thread).
    """

    def __init__(self, base: dict, source: str = "<dashboard>", controls: Controls | None = None,
                 split: bool = True, replication: int = 0, replications: int = DEFAULT_REPLICATIONS):
        if not 1 <= replications <= MAX_REPLICATIONS:
            raise ValueError(f"replications must be 1..{MAX_REPLICATIONS}, got {replications}")
        self.base = base
        self.source = source
        self.controls = controls or Controls()
        self.split = split
        self.replication = replication
        self.replications = replications
        self.models: dict[Side, list[GPSimModel]] = {}
        self.history: dict[Side, list[list[Snapshot]]] = {}
        self.current: dict[Side, list[Snapshot]] = {}
        self.running: dict[Side, list[Running]] = {}
        self.lock = threading.RLock()
        self.builds = 0
        self.published: View | None = None
        self.days_per_second = float("nan")
        self.replay_to: int | None = None  # the day a cancelled replay had to reach; the next configure replays to it
        self.reset()

    @property
    def sides(self) -> tuple[Side, ...]:
        """Sides shown: both in the split view, else only the area with its levers as set."""
        return SIDES if self.split else ("collaborating",)

    def mapping(self, side: Side) -> dict:
        """Scenario mapping of one side."""
        controls = self.controls.standalone() if side == "standalone" else self.controls
        return scenario_mapping(self.base, controls)

    def _first(self) -> GPSimModel:
        return next(iter(self.models.values()))[0]

    def _all(self) -> list[GPSimModel]:
        return [m for ms in self.models.values() for m in ms]

    @property
    def day(self) -> int:
        """Reporting days simulated (the same for every model)."""
        with self.lock:
            return reporting_days(self._first())

    @property
    def horizon(self) -> int:
        """Reporting days the scenario runs for."""
        with self.lock:
            m = self._first()
            return m.n_sim_days - m.cal.warm_up

    @property
    def finished(self) -> bool:
        """True when the models have reached the end of the scenario's horizon."""
        with self.lock:
            return all(m.day >= m.n_sim_days for m in self._all())

    def reset(self) -> None:
        """Rebuild every model from the current controls and return to the start date (after warm-up)."""
        with self.lock:
            self.models = {side: [build_model(self.mapping(side), self.source, self.replication + r)
                                  for r in range(self.replications)] for side in self.sides}
            self.running = {side: [Running(m) for m in ms] for side, ms in self.models.items()}
            self.current = {side: [snapshot(m, running=t) for m, t in zip(ms, self.running[side], strict=True)]
                            for side, ms in self.models.items()}
            self.history = {side: [[s] for s in snaps] for side, snaps in self.current.items()}
            self.replay_to = None
            self.builds += 1
            self._publish()

    def step(self, days: int = 1, progress: Callable[[int, int], None] | None = None,
             stop: Callable[[], bool] | None = None) -> int:
        """Simulate up to ``days`` more days on every model; returns the days actually run.

        The costly views are taken on the last day run (and every ``FULL_EVERY`` days of a long call).
        ``stop()``, checked before each day, ends the call early (a newer control change supersedes it).
        """
        done, started = 0, time.perf_counter()
        for k in range(days):
            if stop is not None and stop():
                break
            with self.lock:
                if self.finished:
                    break
                full = k == days - 1 or (k + 1) % FULL_EVERY == 0
                for side, ms in self.models.items():
                    for r, m in enumerate(ms):
                        m.step()
                        snap = snapshot(m, full=full or m.day >= m.n_sim_days, running=self.running[side][r])
                        self.history[side][r].append(snap)
                        if snap.full:
                            self.current[side][r] = snap
                self._publish()
            done += 1
            if progress is not None:
                progress(done, days)
        if done:
            self.days_per_second = done / max(1e-9, time.perf_counter() - started)
            with self.lock:
                self._publish()
        return done

    def configure(self, controls: Controls | None = None, split: bool | None = None, replay: bool = True,
                  progress: Callable[[int, int], None] | None = None, replications: int | None = None,
                  base: dict | None = None, source: str | None = None,
                  stop: Callable[[], bool] | None = None) -> None:
        """Apply new controls, view, replications or scenario, rebuild, and replay to the day reached.

        With a new ``base`` scenario, or ``replay`` False, the run starts again from day 0.
        ``progress(done, total)`` is called after each replayed day. ``stop()`` ends the replay early
        when a newer change supersedes this one (a slider dragged over several steps rebuilds once for
        its last value, not once per step); the day to reach is kept, so the next configure replays to it.
        """
        with self.lock:
            day = self.day if self.replay_to is None else max(self.day, self.replay_to)
            if replications is not None:
                if not 1 <= replications <= MAX_REPLICATIONS:
                    raise ValueError(f"replications must be 1..{MAX_REPLICATIONS}, got {replications}")
                self.replications = replications
            if controls is not None:
                self.controls = controls
            if split is not None:
                self.split = split
            if base is not None:
                self.base, self.source, replay = base, source or self.source, False
            self.reset()
            if replay:
                done = self.step(day, progress, stop)
                if done < day:
                    self.replay_to = day

    def _publish(self) -> None:
        """Replace the read-only view the app draws from (one attribute write: safe to read without the lock)."""
        first = self._first()
        self.published = View(day=reporting_days(first), horizon=first.n_sim_days - first.cal.warm_up,
                              finished=all(m.day >= m.n_sim_days for m in self._all()),
                              controls=self.controls, split=self.split,
                              history={side: tuple(tuple(h) for h in reps) for side, reps in self.history.items()},
                              current={side: tuple(snaps) for side, snaps in self.current.items()},
                              scenario=str(self.base.get("name", "")), first_replication=self.replication,
                              days_per_second=self.days_per_second)

    def latest(self) -> dict[Side, tuple[Snapshot, ...]]:
        """The latest full snapshot of each replication of each side shown."""
        with self.lock:
            return {side: tuple(snaps) for side, snaps in self.current.items()}
