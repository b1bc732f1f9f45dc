"""The dashboard's replications, bands and export: means and 95% intervals across replications, CSV and PNG."""

from __future__ import annotations

import dataclasses
import io
import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.dashboard import bands, charts, export
from sim.dashboard.about import ABOUT
from sim.dashboard.controller import Controller
from sim.dashboard.controls import Controls
from sim.dashboard.state import Snapshot
from tests.conftest import tiny_mapping

REPS = 4


def tiny(days: int = 30) -> dict:
    m = tiny_mapping(list_sizes=(3000, 4000, 2500), gps=(2, 3, 2), nurses=(1, 1, 1), days=days, warm_up=7)
    for k, practice in enumerate(m["area"]["pcns"][0]["practices"]):
        practice["name"] = f"Riverside Medical Centre {k}"
    return m


@pytest.fixture(scope="module")
def controller() -> Controller:
    c = Controller(tiny(), "<test>", Controls(hub_sessions=2), replications=REPS)
    c.step(12)
    return c


def t95(x: list[float]) -> tuple[float, float, float]:
    """Textbook mean and 95% t-interval, written out independently of sim.results.intervals."""
    x = np.asarray(x, dtype=float)
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return float(x.mean()), float(x.mean() - half), float(x.mean() + half)


# ----------------------------------------------------------------------------- replications


def test_replications_differ_from_each_other_and_pair_across_sides(controller):
    view = controller.published
    assert view.replications == REPS and set(view.history) == {"standalone", "collaborating"}
    models = controller.models
    for side in models:
        assert len(models[side]) == REPS
    # each replication draws its own demand; the two sides of one replication draw the same demand
    days = [m.requests.day for m in models["collaborating"]]
    assert len({(len(d), int(d.sum())) for d in days}) == REPS
    for alone, collab in zip(models["standalone"], models["collaborating"], strict=True):
        np.testing.assert_array_equal(alone.requests.patient, collab.requests.patient)
    assert len({s.waiting_list for s in view.latest("collaborating")}) > 1  # replications really vary
    assert all(m.day == models["standalone"][0].day for ms in models.values() for m in ms)  # stepped together


def test_replications_control_rebuilds_and_replays():
    c = Controller(tiny(days=10), "<test>", replications=1)
    c.step(4)
    c.configure(replications=3)
    assert c.day == 4 and c.published.replications == 3 and all(len(ms) == 3 for ms in c.models.values())
    with pytest.raises(ValueError, match="replications"):
        c.configure(replications=0)
    with pytest.raises(ValueError, match="replications"):
        Controller(tiny(days=10), "<test>", replications=99)


def test_a_new_scenario_starts_again_from_day_zero():
    c = Controller(tiny(days=10), "<test>", replications=1)
    c.step(3)
    other = tiny(days=20)
    other["name"] = "other"
    c.configure(base=other, source="<other>")
    assert c.day == 0 and c.horizon == 20 and c.published.scenario == "other"


# ----------------------------------------------------------------------------- bands


def test_band_is_the_t_interval_clipped_to_the_range():
    x = [3.0, 5.0, 4.0, 8.0]
    b = bands.band(x)
    assert (b.mean, b.low, b.high) == pytest.approx(t95(x)) and b.n == 4
    clipped = bands.band([0.0, 0.0, 1.0, 0.0], bands.NON_NEGATIVE)  # the raw interval goes below zero
    assert t95([0.0, 0.0, 1.0, 0.0])[1] < 0 and clipped.low == 0.0
    assert bands.band([99.0, 100.0, 100.0], bands.PERCENT).high == 100.0
    one = bands.band([2.0])
    assert one.mean == 2.0 and not one.has_interval
    assert bands.band([1.0, math.nan, 3.0]).n == 2  # a replication with no value is left out
    assert math.isnan(bands.band([]).mean)


def test_series_band_matches_the_interval_of_each_day(controller):
    reps = controller.published.history["collaborating"]
    b = bands.series_band(reps, "waiting_list", bands.NON_NEGATIVE)
    assert b.days.tolist() == list(range(13))
    for d in (0, 5, 12):
        mean, lo, hi = t95([h[d].waiting_list for h in reps])
        assert (b.mean[d], b.low[d], b.high[d]) == pytest.approx((mean, max(lo, 0), hi))
    skipped = bands.series_band(reps, "continuity_pct", bands.PERCENT, skip_first=True)
    assert skipped.days[0] == 1 and np.all(skipped.low <= skipped.mean) and np.all(skipped.high <= 100)


def test_series_band_uses_the_replications_that_have_a_value():
    def snap(day: int, value: float) -> Snapshot:
        return Snapshot(day=day, date=None, waiting_list=0, mean_wait_days=math.nan, unmet_per_1000_year=math.nan,
                        unmet_per_1000_year_recent=math.nan, continuity_pct=value, gp_admin_hours_week=0.0,
                        gp_admin_hours_per_fte_week=0.0, gp_fte=1.0, full=False)

    reps = ((snap(0, math.nan), snap(1, 10.0)), (snap(0, 50.0), snap(1, 20.0)), (snap(0, 70.0), snap(1, 30.0)))
    b = bands.series_band(reps, "continuity_pct", bands.PERCENT)
    assert (b.mean[0], b.low[0], b.high[0]) == pytest.approx((60.0, *(np.clip(t95([50.0, 70.0])[1:], 0, 100))))
    mean, lo, hi = t95([10.0, 20.0, 30.0])
    assert lo < 0 and (b.mean[1], b.low[1], b.high[1]) == pytest.approx((mean, 0.0, hi))  # clipped at 0%


def test_difference_is_paired_by_replication(controller):
    view = controller.published
    a, b = view.latest("standalone"), view.latest("collaborating")
    d = bands.paired_difference(a, b, "waiting_list")
    assert (d.mean, d.low, d.high) == pytest.approx(t95([y.waiting_list - x.waiting_list for x, y in zip(a, b, strict=True)]))


def test_bar_bands_and_practices(controller):
    current = controller.published.current["collaborating"]
    waits = bands.wait_share_bands(current, 7)
    shares = [[100 * c / sum(s.wait_bins) for c in s.wait_bins] for s in current]
    assert waits[0].mean == pytest.approx(np.mean([row[0] for row in shares]))
    assert sum(w.mean for w in waits) == pytest.approx(100.0)
    gp = bands.role_bands(current, "utilisation_pct", ["GP"])[0]
    assert gp.mean == pytest.approx(np.mean([s.utilisation_pct["GP"] for s in current]))
    practices = bands.practice_bands(current)
    assert [p.name for p in practices] == [f"Riverside Medical Centre {k}" for k in range(3)]
    assert practices[1].strain.mean == pytest.approx(np.mean([s.practices[1].strain_pct for s in current]))


# ----------------------------------------------------------------------------- charts


def test_every_chart_names_its_axes_and_draws_bands(controller):
    view = controller.published
    labels = {s: charts.side_label(s, view.controls, view.split) for s in view.history}
    lines = charts.time_series(view.history, labels)
    bars = [charts.wait_distribution(view.current, labels), charts.utilisation(view.current, labels),
            charts.overtime(view.current, labels)]
    for option in [*lines.values(), *bars]:
        json.dumps(option, allow_nan=False)
        x = option["xAxis"][0] if isinstance(option["xAxis"], list) else option["xAxis"]
        assert x["name"] and option["yAxis"]["name"], option["title"]["text"]
    waiting = lines["waiting"]["series"]
    assert [s["name"] for s in waiting].count("Collaborating PCN: 95% band") == 2  # lower edge + stacked height
    b = bands.series_band(view.history["collaborating"], "waiting_list", bands.NON_NEGATIVE)
    low, height = (s for s in waiting if s["name"] == "Collaborating PCN: 95% band")
    assert lines["waiting"]["xAxis"]["data"] == b.days.tolist()
    assert low["data"][-1] == pytest.approx(b.low[-1], abs=0.01)
    assert low["data"][-1] + height["data"][-1] == pytest.approx(b.high[-1], abs=0.02)
    whiskers = [s for s in bars[0]["series"] if s["type"] == "lines"]
    assert len(whiskers) == 2 and all(s["xAxisIndex"] == 1 for s in whiskers)
    single = charts.time_series({"collaborating": view.history["collaborating"][:1]}, labels)
    assert all(s["type"] == "line" and "stack" not in s for s in single["waiting"]["series"])  # no band from one


def test_area_picture_shows_practice_names():
    assert charts.short_name("The Very Long Name Medical Practice") == "The Very Long N…"
    assert charts.short_name("Practice 1") == "Practice 1"


# ----------------------------------------------------------------------------- export


def test_csv_export_holds_every_number_with_its_interval(controller):
    view = controller.published
    labels = {s: charts.side_label(s, view.controls, view.split) for s in view.history}
    frame = pd.read_csv(io.BytesIO(export.comparison_csv(view, labels)))
    assert list(frame.columns) == list(export.COLUMNS)
    assert set(frame["scenario"]) == {"tiny"} and set(frame["day"]) == {12} and set(frame["replications"]) == {REPS}
    head = frame[frame["section"] == "headline"]
    assert len(head) == 3 * len(export.HEADLINES)  # two sides and the difference
    row = head[(head["measure"] == "Waiting list (booked, not yet seen)") & (head["side"] == "Collaborating PCN")]
    mean, lo, hi = t95([s.waiting_list for s in view.latest("collaborating")])
    assert row[["mean", "ci_low", "ci_high"]].iloc[0].tolist() == pytest.approx([mean, max(lo, 0), hi], abs=1e-3)
    diff = head[(head["side"] == export.DIFFERENCE) & (head["measure"] == "Waiting list (booked, not yet seen)")]
    assert diff["mean"].iloc[0] == pytest.approx(
        np.mean([b.waiting_list - a.waiting_list for a, b in zip(view.latest("standalone"), view.latest("collaborating"), strict=True)]),
        abs=1e-3)
    assert head["unit"].str.len().min() > 0
    sections = set(frame["section"])
    assert {"days to appointment so far", "utilisation so far", "overtime so far"} <= sections
    practices = frame[frame["section"].str.startswith("practice strain")]
    assert practices["measure"].str.contains("Riverside Medical Centre 0 (T0)", regex=False).any()
    assert (frame["ci_low"].dropna() <= frame.loc[frame["ci_low"].notna(), "mean"] + 1e-9).all()


def test_png_export_and_file_names(controller):
    view = controller.published
    labels = {s: charts.side_label(s, view.controls, view.split) for s in view.history}
    png = export.comparison_png(view, labels, dpi=40)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    assert export.filename(view, "csv") == f"gpsim-tiny-day12-{REPS}reps.csv"


def test_about_panel_says_what_is_not_modelled():
    for words in ("not modelled", "111", "front door", "forecast", "95% interval", "replications"):
        assert words in ABOUT


# ----------------------------------------------------------------------------- the scenario library


def test_library_scenarios_set_the_levers_and_still_validate():
    from sim.config.loading import load_raw, scenario_from_mapping
    from sim.dashboard.controls import controls_from, scenario_mapping
    from sim.resources import scenario, scenarios_dir

    def levers(name: str):
        base, _ = load_raw(scenario(name))
        return base, *controls_from(base)

    _, c, notes = levers("small.yaml")
    assert c == Controls() and notes == []  # nothing to say: the teaching defaults
    _, c, _ = levers("gp-retirement-wave.yaml")
    assert (c.gp_retirement_pct, c.retirement_months) == (40.0, 12) and c.pooled_hub  # collaboration as default
    _, c, _ = levers("standalone-practices.yaml")
    assert c.hub_sessions == 6 and not (c.pooled_hub or c.pooled_cover or c.pooled_back_office)
    _, c, notes = levers("tower-hamlets-skill-mix.yaml")
    assert c.micro_teams and any("Nurse" in n for n in notes)
    for path in sorted(scenarios_dir().glob("*.yaml")):
        base, c, _ = levers(path.name)
        for side in (c, c.standalone()):
            scenario_from_mapping(scenario_mapping(base, side), str(path))


def test_scenario_choices_list_the_library_and_a_file_from_elsewhere(tmp_path):
    pytest.importorskip("solara")  # the app is the optional dashboard extra
    from sim.dashboard.app import choice_of, scenario_choices
    from sim.resources import scenario, scenarios_dir

    library = scenario_choices(scenario("small.yaml"))
    assert set(library) == {p.name for p in scenarios_dir().glob("*.yaml")}
    assert choice_of(scenario("small.yaml"), library) == "small.yaml"
    mine = tmp_path / "mine.yaml"
    mine.write_text("name: mine\n")
    own = scenario_choices(mine)
    assert next(iter(own)) == str(mine) and choice_of(mine, own) == str(mine) and len(own) == len(library) + 1


def test_area_picture_grows_with_the_number_of_pcns(controller):
    snaps = controller.published.current["collaborating"]
    assert charts.area_rows(snaps) == 1  # one PCN
    six = [dataclasses.replace(p, pcn=f"P{k % 6}") for k, p in enumerate(snaps[0].practices * 2)]
    assert charts.area_rows([dataclasses.replace(snaps[0], practices=tuple(six))]) == 2  # 3 x 2 boxes
