"""Destinations of unmet demand by IMD quintile and age band: the groups add up to the unit's destination rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.config.types import AGE_BANDS
from sim.experiments.runner import build_model
from sim.results.metrics import Organisation
from sim.results.outcomes import outcome
from sim.results.summary_destination_groups import destination_group_summary, group_patients
from sim.results.summary_destinations import DESTINATION_METRICS, destination_summary
from sim.results.summary_equity import QUINTILES
from sim.results.tables import ledger_frame
from tests.conftest import scenario, tiny_mapping


@pytest.fixture(scope="module")
def run() -> tuple[pd.Series, np.ndarray, np.ndarray, Organisation]:
    """Three practices short of GPs (Q1, Q1, Q5): summary rows, group patients and the organisation."""
    m = tiny_mapping(list_sizes=(4000, 3000, 5000), gps=(1, 1, 2), nurses=(1, 0, 1), days=60, seed=5)
    for pr, score in zip(m["area"]["pcns"][0]["practices"], (45.0, 38.0, 8.0), strict=True):
        pr["imd_score"] = score
    model = build_model(scenario(m), 0)
    model.run()
    ledger, org = ledger_frame(model), Organisation.from_model(model)
    rows = pd.concat([destination_summary(ledger, org), destination_group_summary(model, ledger, org)])
    by_age, by_imd = group_patients(model, org)
    return rows.set_index(["level", "unit", "metric"])["value"], by_age, by_imd, org


def test_destinations_by_quintile_and_by_age_add_up_to_the_unit_destination_totals(run):
    s, by_age, by_imd, org = run
    assert s["lgpo", "TL", "ae_attendances_unmet_per_1000_year"] > 0  # the test has lost requests to share
    units = [("lgpo", "TL", [0, 1, 2]), ("pcn", "TN1", [0, 1, 2])] + [("practice", f"T{k}", [k]) for k in range(3)]
    for level, unit, members in units:
        total = float(np.asarray(org.list_size)[members].sum())
        for metric in DESTINATION_METRICS.values():
            whole = s[level, unit, metric] * total
            ages = by_age[members].sum(axis=0)
            assert sum(s.get((level, unit, f"{metric}_age:{b}"), 0.0) * ages[k]
                       for k, b in enumerate(AGE_BANDS)) == pytest.approx(whole)
            if level == "practice":
                assert (level, unit, f"{metric}_imd:Q1") not in s.index  # by quintile only where practices differ
                continue
            quints = by_imd[members].sum(axis=0)
            assert sum(s.get((level, unit, f"{metric}_imd:{q}"), 0.0) * quints[k]
                       for k, q in enumerate(QUINTILES)) == pytest.approx(whole)
    # group patients are the registered lists, split
    assert by_age.sum(axis=1) == pytest.approx(np.asarray(org.list_size, dtype=float))
    assert by_imd[:, 0].sum() == 7000 and by_imd[:, 4].sum() == 5000
    # only the quintiles present get rows; a practice's quintile is its own row
    assert ("lgpo", "TL", "ae_attendances_unmet_per_1000_year_imd:Q3") not in s.index
    assert s["lgpo", "TL", "unmet_not_pursued_per_1000_year_imd:Q5"] == pytest.approx(
        s["practice", "T2", "unmet_not_pursued_per_1000_year"])


def test_the_group_rows_are_registered_equity_outcomes_with_their_units(run):
    s = run[0]
    for level, _unit, metric in s.index:
        if "_imd:" in metric or "_age:" in metric:
            o = outcome(metric)
            assert o.group == "Equity" and "per 1,000 patients of the" in o.unit and level in o.levels
