"""Shared test helpers: tiny scenario mappings built in code, and cached runs."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
from hypothesis import settings

from sim.config.loading import load_scenario, scenario_from_mapping

# Property tests draw the same examples on every run ("ci", the default), so a clean clone's result does not
# depend on luck; HYPOTHESIS_PROFILE=explore searches new random examples (and keeps failures in .hypothesis/).
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


def tiny_mapping(list_sizes=(3000, 4000), gps=(2, 3), nurses=(1, 1), days=60, seed=3, warm_up=14,
                 pcn_staff=None) -> dict:
    """A one-PCN area mapping small enough to simulate in well under a second."""
    practices = []
    for k, (size, g, n) in enumerate(zip(list_sizes, gps, nurses, strict=True)):
        staff = []
        if g:
            staff.append({"role": "GP", "count": g, "fte": 0.8, "age": 50})
        if n:
            staff.append({"role": "Nurse", "count": n, "fte": 0.8, "age": 45})
        staff.append({"role": "HCA", "count": 1, "fte": 0.6, "age": 40})
        practices.append({"code": f"T{k}", "list_size": size, "staff": staff})
    return {
        "name": "tiny", "start_date": "2025-04-01", "horizon_days": days, "warm_up_days": warm_up,
        "seed": seed,
        "area": {"code": "TL", "pcns": [{"code": "TN1", "practices": practices,
                                         "staff": pcn_staff or [{"role": "Pharmacist", "count": 1, "fte": 0.5}]}]},
    }


def scenario(mapping: dict):
    """Validate a mapping into a Scenario."""
    return scenario_from_mapping(copy.deepcopy(mapping), "<test>")


def year_mapping(**demand) -> dict:
    """A two-practice area simulated over a year from March 2019 (Easter, May and August bank holidays)."""
    m = tiny_mapping(list_sizes=(15000, 15000), gps=(6, 6), nurses=(3, 3), days=365, warm_up=0)
    m["start_date"] = "2019-03-01"
    m["demand"] = demand
    return m


def requests_of(mapping: dict):
    """The model (replication 0) built from ``mapping`` and its drawn requests."""
    from sim.experiments.runner import build_model

    model = build_model(scenario(mapping), 0)
    return model, model.requests


@pytest.fixture(scope="session")
def small_scenario():
    return load_scenario(SCENARIOS / "small.yaml")
