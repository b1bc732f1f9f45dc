"""Calendar mechanisms of the calibration (issue 4): seasonal staff mix, holiday booking, lead shape.

Each mechanism is off by default; these tests check that turning it on moves the simulated demand
the way its configuration says, that it leaves the other random draws alone where it promises to,
and that the estimators from other areas' GPAD data give known values on generated files.
Demand is drawn when the model is built, so no test runs the daily simulation except the
holiday-share estimate, which is checked against a stub.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from sim.calibrate import seasonal as seasonal_module
from sim.calibrate.observed import (
    december_same_day_lift,
    read_appointments,
    staff_mix_profile,
    weighted_days,
)
from sim.calibrate.parameters import fitted_overrides
from sim.calibrate.seasonal import estimate_holiday_share, same_day_lift
from sim.config.loading import ScenarioError
from sim.config.scenario import HolidayBooking
from sim.model.calendar import Calendar
from tests.conftest import requests_of, scenario, year_mapping

CCG_HEADER = ("CCG_CODE,CCG_ONS_CODE,CCG_NAME,STP_ONS,STPNM,REGION_ONS_CODE,REGION_NAME,"
              "Appointment_Month,APPT_STATUS,HCP_TYPE,APPT_MODE,TIME_BETWEEN_BOOK_AND_APPT,"
              "COUNT_OF_APPOINTMENTS")
DOW = [1.25, 1.02, 0.96, 0.95, 0.90, 0.0, 0.0]
WINDOW = list(pd.date_range("2019-03-01", "2020-02-01", freq="MS"))


# ------------------------------------------------------------------- seasonal need (staff) mix


def test_monthly_share_factor_moves_the_need_mix_in_the_configured_month():
    base = year_mapping()
    model, _ = requests_of(base)
    needs = model.need_names
    target = needs.index("procedure")
    factor = [1.0] * 12
    factor[9] = 2.0  # October: procedures (vaccinations) weigh twice as much
    mixed = year_mapping(need_types={k: {**v, "monthly_share_factor": factor if k == "procedure" else None}
                                     for k, v in model.scenario.demand.model_dump()["need_types"].items()})
    model2, req = requests_of(mixed)
    month = model2.cal.month[req.day]
    share = {k: float(np.mean(req.need[month == k] == target)) for k in (4, 10)}
    p = model2.scenario.demand.need_types["procedure"].share
    expected_oct = 2 * p / (1 + p)  # the day's mix renormalised
    assert share[4] == pytest.approx(p, abs=0.01)
    assert share[10] == pytest.approx(expected_oct, abs=0.015)
    # the total is untouched by the mix: the same expected count per day, so about the same count
    _, req0 = requests_of(base)
    assert abs(req.size / req0.size - 1) < 0.01


def test_monthly_share_factor_needs_twelve_positive_values():
    with pytest.raises(ScenarioError, match="monthly_share_factor"):
        scenario(year_mapping(need_types={"a": {"share": 1.0, "eligible_roles": ["GP"], "same_day_share": 0.5,
                                                 "monthly_share_factor": [1.0] * 11}}))
    with pytest.raises(ScenarioError, match="monthly_share_factor"):
        scenario(year_mapping(need_types={"a": {"share": 1.0, "eligible_roles": ["GP"], "same_day_share": 0.5,
                                                 "monthly_share_factor": [0.0] * 12}}))


def _write_regional(path: Path, rows: list[tuple]) -> Path:
    lines = [CCG_HEADER]
    for ccg, month, status, hcp, interval, count in rows:
        lines.append(f"{ccg},E380000{ccg[-2:]},NHS {ccg} CCG,E54000099,Test STP,E40000003,London,"
                     f"{month},{status},{hcp},Face-to-Face,{interval},{count}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_staff_mix_profile_recovers_a_known_factor_from_a_generated_file(tmp_path):
    known = np.array([1.0, 1.0, 0.9, 0.9, 0.9, 0.9, 0.95, 0.95, 1.05, 1.3, 1.15, 1.0])
    rows = []
    for m in WINDOW:
        days = weighted_days(m, DOW)
        label = m.strftime("%b%Y").upper()
        for ccg, scale in (("X01", 100.0), ("X02", 37.0)):
            # GP flat per weighted day (any status counts); other staff follow the known profile
            rows.append((ccg, label, "Attended", "GP", "Same Day", round(scale * days * 50)))
            rows.append((ccg, label, "DNA", "GP", "Same Day", round(scale * days * 10)))
            rows.append((ccg, label, "Attended", "Other Practice staff", "Same Day",
                         round(scale * days * 30 * known[m.month - 1])))
        # the fitted area: excluded, whatever its counts
        rows.append(("Z99", label, "Attended", "Other Practice staff", "Same Day", 10 ** (m.month % 5 + 3)))
    frame = read_appointments([_write_regional(tmp_path / "Regional_CSV_Gen.csv", rows)])
    factors, table = staff_mix_profile(frame, ["Z99"], WINDOW, DOW)
    assert factors == pytest.approx(list(known / known.mean()), abs=2e-4)
    assert table["gp"].to_numpy() == pytest.approx(np.ones(12), abs=1e-4)
    with pytest.raises(ValueError, match="every calendar month"):
        staff_mix_profile(frame, ["Z99"], WINDOW[:11], DOW)


def test_december_same_day_lift_on_a_generated_file(tmp_path):
    shares = {"X01": (0.40, 0.45, 0.42), "X02": (0.30, 0.36, 0.34)}  # Nov, Dec, Jan
    rows = []
    for ccg, (nov, dec, jan) in shares.items():
        for label, s in (("NOV2019", nov), ("DEC2019", dec), ("JAN2020", jan)):
            rows.append((ccg, label, "Attended", "GP", "Same Day", round(10000 * s)))
            rows.append((ccg, label, "Attended", "GP", "8  to 14 Days", round(10000 * (1 - s))))
            rows.append((ccg, label, "Attended", "GP", "Unknown / Data Issue", 5000))  # left out
    rows.append(("Z99", "DEC2019", "Attended", "GP", "Same Day", 99999))
    frame = read_appointments([_write_regional(tmp_path / "Regional_CSV_Gen.csv", rows)])
    lift, table = december_same_day_lift(frame, ["Z99"], WINDOW)
    assert table.loc["X01", "lift"] == pytest.approx(4.0)
    assert table.loc["X02", "lift"] == pytest.approx(4.0)
    assert lift == pytest.approx(4.0)
    with pytest.raises(ValueError, match="November, December and January"):
        december_same_day_lift(frame, ["Z99"], WINDOW[:9])


# ------------------------------------------------------------------------------ holiday booking


def test_calendar_window_and_first_working_day_after_it():
    cal = Calendar(dt.date(2019, 12, 1), 45, 0)
    idx = {d: k for k, d in enumerate(cal.dates)}
    inside = cal.in_window((12, 24), (1, 1))
    assert [d for d, k in idx.items() if inside[k]] == [dt.date(2019, 12, 24) + dt.timedelta(days=k)
                                                       for k in range(9)]
    after = cal.first_after_window((12, 24), (1, 1))
    assert after[idx[dt.date(2019, 12, 27)]] == idx[dt.date(2020, 1, 2)]
    assert after[idx[dt.date(2019, 12, 23)]] == -1
    # a window inside one year, ending on a Friday: the first working day after is Monday
    w = cal.first_after_window((12, 9), (12, 13))
    assert w[idx[dt.date(2019, 12, 10)]] == idx[dt.date(2019, 12, 16)]
    with pytest.raises(ValidationError):
        HolidayBooking(first_day=(4, 31))


@pytest.mark.parametrize("action", ["drop_request", "defer_request", "move_preferred_day"])
def test_holiday_booking_keeps_routine_preferred_days_out_of_the_window(action):
    model, req = requests_of(year_mapping(holiday_booking={"avoid_share": 1.0, "action": action}))
    inside = model.cal.in_window((12, 24), (1, 1))
    pref = req.day.astype(np.int64) + req.lead
    ok = pref < inside.size
    routine_in = ~req.urgent & ok & inside[np.minimum(pref, inside.size - 1)]
    assert not routine_in.any()
    urgent_in = req.urgent & inside[req.day]
    assert urgent_in.sum() > 100  # same-day requests still come in the window
    _, base = requests_of(year_mapping())
    if action == "drop_request":
        assert req.size < base.size
    elif action == "defer_request":
        jan2 = model.cal.dates.index(dt.date(2020, 1, 2))
        assert req.size == base.size
        assert (req.day == jan2).sum() > (base.day == jan2).sum()
    else:
        assert req.size == base.size


def test_holiday_booking_with_no_avoidance_leaves_every_draw_unchanged():
    _, base = requests_of(year_mapping())
    _, req = requests_of(year_mapping(holiday_booking={"avoid_share": 0.0}))
    for name in ("day", "minute", "patient", "need", "urgent", "lead", "tolerance", "mode", "u_dna"):
        assert np.array_equal(getattr(base, name), getattr(req, name)), name


def test_holiday_share_is_interpolated_to_the_target_lift(monkeypatch):
    """The estimate runs the model at shares 0 and 1 and interpolates; here the model is a stub."""
    december = pd.Timestamp("2019-12-01")
    months = [pd.Timestamp("2019-11-01"), december, pd.Timestamp("2020-01-01")]

    def fake_run(sc, replication, months_run, list_size=None):
        share = sc.demand.holiday_booking.avoid_share
        same = [0.40, 0.40 + 0.01 + 0.04 * share, 0.40]  # lift 1 point at 0, 5 points at 1
        return pd.DataFrame({"month": months_run, "target": "wait_bin:Same Day", "value": same, "n": 1})

    monkeypatch.setattr(seasonal_module, "run_many", lambda tasks, months_run, list_size=None: [
        fake_run(sc, r, months_run, list_size) for sc, r in tasks])
    mapping = scenario(year_mapping(holiday_booking={})).model_dump(mode="json")
    share, table = estimate_holiday_share(mapping, 3.0, december, reps=1)
    assert share == pytest.approx(0.5)
    assert list(table["simulated_lift_pp"][:2]) == pytest.approx([1.0, 5.0])
    assert estimate_holiday_share(mapping, 9.0, december, reps=1)[0] == 1.0  # clipped
    sim = fake_run(scenario(year_mapping(holiday_booking={})), 0, months)
    assert same_day_lift(sim, december) == pytest.approx(100 * (0.41 + 0.04 - 0.40))


# ---------------------------------------------------------------------------------- lead shape


def test_lead_shape_keeps_the_mean_and_thins_the_long_tail():
    _, geo = requests_of(year_mapping())
    _, nb = requests_of(year_mapping(lead_shape=4.0))
    routine_geo, routine_nb = geo.lead[~geo.urgent], nb.lead[~nb.urgent]
    assert routine_nb.mean() == pytest.approx(routine_geo.mean(), rel=0.03)
    assert np.mean(routine_nb > 28) < 0.5 * np.mean(routine_geo > 28)
    assert np.mean(routine_nb == 0) < np.mean(routine_geo == 0)
    # shape 1 is the geometric draw itself (the default)
    _, one = requests_of(year_mapping(lead_shape=1.0))
    assert np.array_equal(one.lead, geo.lead)


def test_fitted_overrides_carry_the_new_demand_fields():
    full = scenario(year_mapping(lead_shape=2.5, holiday_booking={"avoid_share": 0.7})).model_dump(mode="json")
    out = fitted_overrides(copy.deepcopy(full), None)
    assert out["demand"]["lead_shape"] == 2.5
    assert out["demand"]["holiday_booking"]["avoid_share"] == 0.7
    plain = fitted_overrides(scenario(year_mapping()).model_dump(mode="json"), None)
    assert "holiday_booking" not in plain["demand"]
