"""The per-unit staff index the strain reads is state held by the model, not a module-level cache (architecture)."""

from __future__ import annotations

from sim.experiments.runner import build_model
from sim.model.turnover import strain_parts
from sim.model.workforce import add_staff
from tests.conftest import scenario, tiny_mapping


def test_each_model_holds_its_own_unit_index_and_joiners_enter_it():
    sc = scenario(tiny_mapping())
    first, second = build_model(sc, 0), build_model(sc, 1)
    strain_parts(first, 0, 0)
    in_unit = sorted(a.index for a in first.staff if a.unit == 0)
    assert first.unit_staff[0] == in_unit and first.unit_staff_seen == len(first.staff)
    joiner = add_staff(first, "GP", 0, 5, key="T0/joiner")
    strain_parts(first, 0, 5)
    assert first.unit_staff[0] == [*in_unit, joiner.index]
    strain_parts(second, 0, 5)
    assert second.unit_staff[0] == in_unit  # another model's joiner is not in this one's index
