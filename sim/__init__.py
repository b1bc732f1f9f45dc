"""gpsim: agent-based simulation of general-practice workforce and demand in England.

The public API, loaded on first use so that ``import sim.config`` stays light::

    from sim import load_scenario, run_single
    result = run_single(load_scenario("scenarios/small.yaml"), replication=0)
    result.summary  # one row per level, unit and outcome

``Scenario`` (the validated schema), ``GPSimModel`` (the Mesa model, for stepping day by day),
``RunResult`` and ``OUTCOMES`` (the outcome registry: label, unit, direction of every outcome).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

#: public name -> module that defines it
_PUBLIC: dict[str, str] = {
    "Scenario": "sim.config.scenario",
    "ScenarioError": "sim.config.loading",
    "load_scenario": "sim.config.loading",
    "GPSimModel": "sim.model.model",
    "RunResult": "sim.experiments.runner",
    "run_single": "sim.experiments.runner",
    "write_run": "sim.experiments.runner",
    "OUTCOMES": "sim.results.outcomes",
}

__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name: str) -> Any:
    """Import a public name from its module the first time it is asked for (PEP 562)."""
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
