"""The monthly staff table (staff_by_month.csv): stocks and flows that add up, at every level.

Over random small scenarios and workforce interventions (hypothesis): each role's headcount at one
census equals the previous one plus joiners, less leavers and posts ended; levels add up; the last
census agrees with the workforce outcomes in the summary.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings

from sim.experiments.runner import run_single
from sim.model.census import TRAINEE_ROLE
from sim.results.staff_month import staff_month_mean
from tests.conftest import scenario, tiny_mapping
from tests.functional.test_workforce_properties import scenarios


def check_stock_and_flow(table: pd.DataFrame) -> None:
    """Headcount(next census) == headcount + joiners - leavers - posts ended, per level, unit and role."""
    for (_level, _unit, _role), g in table.groupby(["level", "unit", "role"]):
        nums = g.set_index("date").select_dtypes("number")
        dates = sorted(table["date"].unique())
        g = nums.reindex(dates, fill_value=0)  # a role absent at a census: zero there
        h = g["headcount"].to_numpy()
        change = (g["joiners"] - g["leavers"] - g["posts_ended"]).to_numpy()
        np.testing.assert_array_equal(h[1:], h[:-1] + change[:-1])
        assert (g["leavers"] == g[[c for c in g.columns if c.startswith("leavers_")]].sum(axis=1)).all()


def check_levels_add_up(table: pd.DataFrame) -> None:
    """A PCN counts at least its practices; the LGPO at least its PCNs (their own posts on top)."""
    cols = ["headcount", "fte", "vacancies", "joiners", "leavers"]
    by = {lvl: table[table["level"] == lvl].groupby(["date", "role"])[cols].sum() for lvl in ("practice", "pcn", "lgpo")}
    for low, high in (("practice", "pcn"), ("pcn", "lgpo")):
        lo, hi = by[low].align(by[high], fill_value=0)
        assert (hi.to_numpy() >= lo.to_numpy() - 1e-9).all()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_staff_table_stocks_and_flows_add_up(mapping):
    res = run_single(scenario(mapping), 0)
    table = res.staff_month
    assert not table.empty
    check_stock_and_flow(table)
    check_levels_add_up(table)
    s = res.summary.set_index(["level", "metric"])["value"]
    end = table[table["date"] == table["date"].max()]
    lgpo_end = end[end["level"] == "lgpo"].set_index("role")["fte"]
    for role, fte in lgpo_end.items():
        if role == TRAINEE_ROLE:  # counted apart from GPs, as the summary's trainees_end
            heads = end[(end["level"] == "lgpo") & (end["role"] == role)]["headcount"].sum()
            assert s.loc[("lgpo", "trainees_end")].sum() == heads
            continue
        assert abs(s.loc[("lgpo", f"fte_end:{role}")].sum() - fte) < 1e-9


def test_staff_table_counts_a_retirement_wave_and_its_recruits_by_month():
    """Retirements and vacancy fills appear as flows in the months they happen; the mean over reps keeps totals."""
    m = tiny_mapping(days=150)
    m["interventions"] = [{"type": "retirement", "start": 0, "wave": {"role": "GP", "min_age": 18, "share": 0.5,
                                                                     "over_months": 2}},
                          {"type": "recruitment", "start": 0, "fill_probability": {"GP": 1.0},
                           "delay_months": {"GP": 1.0}}]
    tables = []
    for rep in (0, 1):
        res = run_single(scenario(m), rep)
        t = res.staff_month
        check_stock_and_flow(t)
        gp = t[(t["level"] == "lgpo") & (t["role"] == "GP")]
        assert gp["leavers_retired"].sum() == (res.events["event"] == "retired").sum() > 0
        assert gp["joiners"].sum() > 0
        early = gp["date"] < gp["date"].min() + pd.Timedelta(days=62)  # the wave runs over its 2 months
        assert gp.loc[early, "leavers_retired"].sum() == gp["leavers_retired"].sum()
        tables.append(t.assign(scenario="s", replication=rep))
    both = pd.concat(tables, ignore_index=True)
    mean = staff_month_mean(both)
    assert np.isclose(mean["leavers"].sum(), both["leavers"].sum() / 2)
