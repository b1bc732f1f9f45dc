"""Unit tier: scenario validation names the file, the YAML path, the line and what is allowed."""

import pytest

from sim.config.loading import ScenarioError, load_scenario
from sim.config.scenario import AGE_BANDS
from tests.conftest import SCENARIOS


def write(tmp_path, text, name="s.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return p


BASE = """\
name: t
area:
  pcns:
    - code: N1
      practices:
        - code: P1
          list_size: 1000
          staff:
            - {role: GP, fte: 1.0}
        - code: P2
          list_size: 1000
          staff:
            - role: GP
              fte: 1.0
"""


def test_shipped_scenarios_validate():
    for path in sorted(SCENARIOS.glob("*.yaml")):
        sc = load_scenario(path)
        assert sc.list_size > 0


def test_example_areas_have_documented_sizes():
    base = load_scenario(SCENARIOS / "baseline.yaml")
    assert 240_000 <= base.list_size <= 260_000
    assert len(base.area.pcns) == 6
    assert 24 <= sum(len(p.practices) for p in base.area.pcns) <= 28
    for pcn in base.area.pcns:
        assert 30_000 <= sum(p.list_size for p in pcn.practices) <= 50_000
    small = load_scenario(SCENARIOS / "small.yaml")
    assert len(small.area.pcns) == 1 and 35_000 <= small.list_size <= 45_000


def test_unknown_key_names_file_path_line_and_allowed(tmp_path):
    text = BASE.replace("            - role: GP\n              fte: 1.0",
                        "            - role: GP\n              ftee: 1.0")
    p = write(tmp_path, text)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(p)
    msg = str(exc.value)
    assert str(p) in msg
    assert "area.pcns[0].practices[1].staff[0].ftee" in msg
    assert "unknown key 'ftee'" in msg
    assert "allowed keys here:" in msg and "fte" in msg and "sessions_per_week" in msg
    assert exc.value.line == 14  # the line of "ftee:"


def test_bad_value_names_path_and_constraint(tmp_path):
    p = write(tmp_path, BASE.replace("{role: GP, fte: 1.0}", "{role: GP, fte: 3.0}"))
    with pytest.raises(ScenarioError) as exc:
        load_scenario(p)
    assert exc.value.yaml_path == "area.pcns[0].practices[0].staff[0].fte"
    assert "less than or equal to 1.5" in str(exc.value)


def test_unknown_role_lists_allowed_roles(tmp_path):
    p = write(tmp_path, BASE.replace("{role: GP, fte: 1.0}", "{role: Doctor, fte: 1.0}"))
    with pytest.raises(ScenarioError) as exc:
        load_scenario(p)
    assert exc.value.yaml_path == "area.pcns[0].practices[0].staff[0].role"
    assert "unknown role 'Doctor'" in str(exc.value) and "Pharmacist" in str(exc.value)


def test_bad_age_band_lists_allowed(tmp_path):
    p = write(tmp_path, BASE.replace("          list_size: 1000\n          staff:\n            - {role",
                                     "          list_size: 1000\n          age_mix: {'0-5': 1.0}\n          staff:\n            - {role", 1))
    with pytest.raises(ScenarioError) as exc:
        load_scenario(p)
    assert "age_mix" in exc.value.yaml_path
    assert "'85+'" in str(exc.value)
    assert set(AGE_BANDS) >= {"0-4", "85+"}


def test_yaml_syntax_error_has_line(tmp_path):
    p = write(tmp_path, "name: [unclosed\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(p)
    assert "not valid YAML" in str(exc.value) and exc.value.line is not None


def test_extends_merges_and_overrides(tmp_path):
    write(tmp_path, BASE, "base.yaml")
    child = write(tmp_path, "extends: base.yaml\nname: child\nseed: 11\nbooking: {book_ahead_days: 14}\n", "c.yaml")
    sc = load_scenario(child)
    assert sc.name == "child" and sc.seed == 11 and sc.booking.book_ahead_days == 14
    assert sc.list_size == 2000


def test_extends_cycle_is_an_error(tmp_path):
    write(tmp_path, "extends: b.yaml\nname: a\n", "a.yaml")
    write(tmp_path, "extends: a.yaml\nname: b\n", "b.yaml")
    with pytest.raises(ScenarioError, match="circular extends"):
        load_scenario(tmp_path / "a.yaml")


def test_missing_file():
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario("no/such/file.yaml")


def test_dna_probability_rises_with_wait(small_scenario):
    b = small_scenario.booking
    p = [float(b.dna_probability(w)) for w in (0, 1, 5, 10, 40)]
    assert p == sorted(p) and p[0] == pytest.approx(0.019) and p[-1] == pytest.approx(0.085)


def test_intervention_errors_name_path_line_and_allowed(tmp_path):
    write(tmp_path, BASE, "base.yaml")
    child = write(tmp_path, "extends: base.yaml\nname: c\ninterventions:\n  - type: retirement\n"
                            "    wave: {role: GP, shar: 0.3}\n", "c.yaml")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(child)
    assert exc.value.yaml_path == "interventions[0].wave.shar"
    assert exc.value.line == 5 and "allowed keys here: min_age, over_months, role, share" in str(exc.value)

    bad_type = write(tmp_path, "extends: base.yaml\nname: c\ninterventions:\n  - type: retire\n", "t.yaml")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(bad_type)
    assert exc.value.yaml_path == "interventions[0]"
    assert "'retirement'" in str(exc.value) and "'pooled_cover'" in str(exc.value)

    bad_scope = write(tmp_path, "extends: base.yaml\nname: c\ninterventions:\n  - type: micro_teams\n"
                                "    scope: N9\n", "s.yaml")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(bad_scope)
    assert exc.value.yaml_path == "interventions[0].scope" and "N1" in str(exc.value)

    bad_role = write(tmp_path, "extends: base.yaml\nname: c\ninterventions:\n  - type: skill_mix\n"
                               "    add: [{role: Pharmacistt, count: 1}]\n", "r.yaml")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(bad_role)
    assert exc.value.yaml_path == "interventions[0].add[0].role" and "Pharmacist" in str(exc.value)


def test_error_in_a_base_file_gives_no_misleading_line(tmp_path):
    write(tmp_path, BASE.replace("list_size: 1000\n          staff:\n            - {role", "list_size: -5\n          staff:\n            - {role", 1), "base.yaml")
    child = write(tmp_path, "extends: base.yaml\nname: c\n", "c.yaml")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(child)
    assert exc.value.yaml_path == "area.pcns[0].practices[0].list_size" and exc.value.line is None


def test_partial_age_band_tables_and_roles_merge_into_defaults(tmp_path):
    p = write(tmp_path, BASE + "demand:\n  rate_per_patient_year: {'85+': 20.0}\nroles:\n  GP: {slot_minutes: 12}\n"
                               "  Dietitian: {kind: other_dpc, slot_minutes: 30}\n")
    sc = load_scenario(p)
    assert sc.demand.rate_per_patient_year["85+"] == 20.0
    assert sc.demand.rate_per_patient_year["0-4"] == 6.5  # default kept
    assert sc.roles["GP"].slot_minutes == 12 and sc.roles["GP"].safe_contacts_per_day == 25
    assert "Nurse" in sc.roles and sc.roles["Dietitian"].slot_minutes == 30
    from sim.experiments.runner import run_single

    assert run_single(sc.model_copy(update={"horizon_days": 5, "warm_up_days": 0}), 0).headline()["requests"] > 0
