"""Area builder and `gpsim area build`: real London PCNs from calibration/data, staffed from ratios
or from a generated workforce file, written as YAML that sim.config.loading validates."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from sim.cli.area import area
from sim.config.loading import ScenarioError, load_scenario
from sim.config.scenario import AGE_BANDS
from sim.nhsdata import DataFormatError
from sim.nhsdata.area import build_area, build_area_details
from sim.nhsdata.area_yaml import write_area_yaml
from sim.nhsdata.patients import read_practice_map, read_practice_totals
from sim.nhsdata.staffing import (
    GP_FTE_PER_HEAD,
    NATIONAL_FTE_PER_10K,
    PATIENTS_PER_FTE_GP,
    assumed_gp_ages,
    assumed_staff,
)

DATA = Path(__file__).resolve().parents[2] / "calibration" / "data"
MAP = DATA / "gp-reg-pat-prac-map_2022-01.csv"
PATIENTS = DATA / "gp-reg-pat-prac-all_2026-03.csv"
PCN = "U60094"  # SOUTH SOUTHWARK PCN, 18 practices, all in the March 2026 patients file


@pytest.fixture(scope="module")
def expected() -> dict[str, int]:
    practice_map = read_practice_map(MAP)
    totals = read_practice_totals(PATIENTS)
    joined = practice_map.merge(totals, on="practice_code")
    return joined.groupby("pcn_code")["patients"].sum().to_dict() | {
        "93C": int(joined.loc[joined["sub_icb_code_x"] == "93C", "patients"].sum())}


def practices_of(mapping: dict) -> list[dict]:
    return [pr for pcn in mapping["area"]["pcns"] for pr in pcn["practices"]]


def test_real_london_pcn_from_ratios(tmp_path, expected):
    build = build_area_details(MAP, PATIENTS, pcns=PCN)
    mapping = build.mapping
    practices = practices_of(mapping)
    assert len(practices) == 18
    assert sum(p["list_size"] for p in practices) == expected[PCN] == 154_717
    assert mapping["area"]["code"] == PCN and mapping["area"]["name"] == "SOUTH SOUTHWARK PCN"
    assert mapping["name"] == "area-u60094"
    assert "ASSUMED" in mapping["description"] and "2,291 patients per FTE GP" in mapping[
        "description"]
    for practice in practices:
        gp = [g for g in practice["staff"] if g["role"] == "GP"]
        gp_fte = sum(g["count"] * g["fte"] for g in gp)
        assert gp_fte == pytest.approx(practice["list_size"] / PATIENTS_PER_FTE_GP, rel=1e-3)
        for group in practice["staff"]:
            assert isinstance(group["count"], int) and group["count"] >= 1
            assert 0 < group["fte"] <= 1.5
        assert "age_mix" not in practice
    path = write_area_yaml(mapping, tmp_path / "scenarios" / "area-u60094.yaml")
    scenario = load_scenario(path)
    assert scenario.list_size == 154_717
    assert len(scenario.area.pcns) == 1 and len(scenario.area.pcns[0].practices) == 18
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Area built by `gpsim area build`")
    assert "# ASSUMED (not from data): staff of every practice" in text
    assert "gp-reg-pat-prac-all_2026-03.csv" in text.splitlines()[2]  # not split at hyphens
    assert not list(path.parent.glob(".*.tmp"))


def test_real_sub_icb_leaves_out_closed_practices_and_says_so(tmp_path, expected):
    build = build_area_details(MAP, PATIENTS, sub_icb="93C", name="ncl")
    practices = practices_of(build.mapping)
    assert len(practices) == 174
    assert sum(p["list_size"] for p in practices) == expected["93C"] == 1_818_175
    assert any("9 practice(s) in the map but not in the patients file" in n for n in build.notes)
    assert "E83037" in build.mapping["description"]
    scenario = load_scenario(write_area_yaml(build.mapping, tmp_path / "ncl.yaml"))
    assert len(scenario.area.pcns) == 32
    same = build_area(MAP, PATIENTS, sub_icb="E38000240", name="ncl")  # the ONS code works too
    assert len(practices_of(same)) == 174


def test_unallocated_practice_is_its_own_pcn(tmp_path):
    mapping = build_area(MAP, PATIENTS, practices=["E86034", "e86620"])
    pcns = mapping["area"]["pcns"]
    assert [p["code"] for p in pcns] == ["U-E86034", "U-E86620"]
    assert "in no PCN" in mapping["description"]
    load_scenario(write_area_yaml(mapping, tmp_path / "u.yaml"))


def test_selection_errors():
    with pytest.raises(ValueError, match="exactly one"):
        build_area(MAP, PATIENTS)
    with pytest.raises(ValueError, match="exactly one"):
        build_area(MAP, PATIENTS, pcns=PCN, sub_icb="93C")
    with pytest.raises(ValueError, match="U99999"):
        build_area(MAP, PATIENTS, pcns=["U99999"])
    with pytest.raises(ValueError, match="practice code"):
        build_area(MAP, PATIENTS, practices="ZZZ999")


def test_assumed_staff_and_gp_ages():
    groups = {g["role"]: g for g in assumed_staff(10_000)}
    assert set(groups) == set(NATIONAL_FTE_PER_10K)
    for role, per_10k in NATIONAL_FTE_PER_10K.items():
        g = groups[role]
        assert g["count"] * g["fte"] == pytest.approx(per_10k, rel=1e-3)
    assert groups["GP"]["fte"] == pytest.approx(GP_FTE_PER_HEAD, rel=0.1)
    ages = assumed_gp_ages(100)
    assert sum(a >= 50 for a in ages) == 37 and sum(a >= 55 for a in ages) == 23
    assert sum(a >= 60 for a in ages) == 10
    assert {g["role"] for g in assumed_staff(1_000)} == {"GP", "Nurse", "Pharmacist", "HCA",
                                                         "Admin"}


# ---- with a workforce file and ages --------------------------------------------------------------

WF_COLUMNS = ["PRAC_CODE", "PRAC_NAME", "PCN_CODE", "PCN_NAME", "SUB_ICB_CODE", "SUB_ICB_NAME",
              "ICB_CODE", "ICB_NAME", "REGION_CODE", "REGION_NAME", "TOTAL_PATIENTS", "GP_SOURCE",
              "NURSE_SOURCE", "DPC_SOURCE", "ADMIN_SOURCE", "TOTAL_GP_HC", "TOTAL_GP_FTE",
              "TOTAL_GP_HC_35TO39", "TOTAL_GP_HC_55TO59", "TOTAL_GP_HC_60TO64",
              "TOTAL_GP_HC_UNKNOWN_AGE", "TOTAL_GP_FTE_35TO39", "TOTAL_GP_FTE_55TO59",
              "TOTAL_GP_FTE_60TO64", "TOTAL_GP_FTE_UNKNOWN_AGE", "TOTAL_NURSES_HC",
              "TOTAL_NURSES_FTE", "TOTAL_DPC_HC", "TOTAL_DPC_FTE", "TOTAL_DPC_PHARMA_HC",
              "TOTAL_DPC_PHARMA_FTE", "TOTAL_DPC_HCA_HC", "TOTAL_DPC_HCA_FTE", "TOTAL_DPC_PARAMED_HC",
              "TOTAL_DPC_PARAMED_FTE", "TOTAL_DPC_PHYSICIAN_ASSOC_HC",
              "TOTAL_DPC_PHYSICIAN_ASSOC_FTE", "TOTAL_DPC_PHYSIO_HC", "TOTAL_DPC_PHYSIO_FTE",
              "TOTAL_ADMIN_HC", "TOTAL_ADMIN_FTE"]


def wf_row(code: str, source: str = "Fully provided", **values: object) -> str:
    row: dict[str, object] = dict.fromkeys(WF_COLUMNS, 0)
    row.update(PRAC_CODE=code, PRAC_NAME="X", PCN_CODE=PCN, PCN_NAME="SOUTH SOUTHWARK PCN",
               SUB_ICB_CODE="72Q", SUB_ICB_NAME="SEL", ICB_CODE="QKK", ICB_NAME="SEL ICB",
               REGION_CODE="Y56", REGION_NAME="London", TOTAL_PATIENTS=10000, GP_SOURCE=source,
               NURSE_SOURCE="Fully provided", DPC_SOURCE="Fully provided",
               ADMIN_SOURCE="Fully provided")
    row.update(values)
    return ",".join(str(row[c]) for c in WF_COLUMNS)


@pytest.fixture
def workforce_zip(tmp_path: Path) -> Path:
    import zipfile

    rows = [
        wf_row("G85001", TOTAL_GP_HC=4, TOTAL_GP_FTE=3.2, TOTAL_GP_HC_35TO39=2,
               TOTAL_GP_HC_55TO59=1, TOTAL_GP_HC_60TO64=1, TOTAL_GP_FTE_35TO39=1.8,
               TOTAL_GP_FTE_55TO59=0.9, TOTAL_GP_FTE_60TO64=0.5, TOTAL_NURSES_HC=2,
               TOTAL_NURSES_FTE=1.6, TOTAL_DPC_HC=3, TOTAL_DPC_FTE=2.5, TOTAL_DPC_PHARMA_HC=1,
               TOTAL_DPC_PHARMA_FTE=1.0, TOTAL_DPC_HCA_HC=2, TOTAL_DPC_HCA_FTE=1.5,
               TOTAL_DPC_PHYSICIAN_ASSOC_HC="ND", TOTAL_DPC_PHYSICIAN_ASSOC_FTE="ND",
               TOTAL_ADMIN_HC=10, TOTAL_ADMIN_FTE=8.0),
        wf_row("G85006", source="Includes FTE Estimates", TOTAL_GP_HC=9, TOTAL_GP_FTE=9.0),
    ]
    text = "\r\n".join([",".join(WF_COLUMNS), *rows]) + "\r\n"
    path = tmp_path / "GPWPracticeCSV.102025.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("1 General Practice – October 2025 Practice Level - Detailed.csv", text)
    return path


QUIN_HEADER = ("PUBLICATION,EXTRACT_DATE,ORG_TYPE,ORG_CODE,ONS_CODE,POSTCODE,SEX,AGE_GROUP_5,"
               "NUMBER_OF_PATIENTS")


def quinary_file(path: Path, code: str) -> Path:
    bands = [f"{lo}_{lo + 4}" for lo in range(0, 95, 5)] + ["95+"]
    rows = [f"GP_PRAC_PAT_LIST,2026-03-01,GP,{code},E38000244,SE23 1AA,{sex},{band},100"
            for sex in ("MALE", "FEMALE") for band in bands]
    path.write_text("\n".join([QUIN_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_workforce_staffing_and_ages(tmp_path, workforce_zip):
    ages = quinary_file(tmp_path / "gp-reg-pat-prac-quin-age.csv", "G85001")
    build = build_area_details(MAP, PATIENTS, pcns=PCN, workforce_file=workforce_zip,
                               age_files=[ages])
    practices = {p["code"]: p for p in practices_of(build.mapping)}
    g1 = practices["G85001"]
    gps = [g for g in g1["staff"] if g["role"] == "GP"]
    assert sorted((g["age"], g["count"]) for g in gps) == [(37, 2), (57, 1), (62, 1)]
    assert sum(g["count"] * g["fte"] for g in gps) == pytest.approx(3.2)
    roles = {g["role"]: g for g in g1["staff"]}
    assert (roles["Nurse"]["count"], roles["Nurse"]["fte"]) == (2, 0.8)
    assert (roles["Admin"]["count"], roles["Admin"]["fte"]) == (10, 0.8)
    assert "Paramedic" not in roles  # zero in the file: no group
    # physician associates not disclosed (ND): filled from ratios and flagged
    assert roles["PhysicianAssociate"]["count"] == 1
    assert "G85001: PhysicianAssociate" in build.mapping["description"]
    assert g1["age_mix"]["0-4"] == pytest.approx(0.05)
    assert g1["age_mix"]["85+"] == pytest.approx(0.15)
    assert sum(g1["age_mix"].values()) == pytest.approx(1.0)
    assert list(g1["age_mix"]) == list(AGE_BANDS)
    # G85006 was not fully provided: ratios, and the description says so
    assert "17 practice(s) with no fully provided workforce record" in build.mapping["description"]
    assert "G85006" in build.assumed[0]
    scenario = load_scenario(write_area_yaml(build.mapping, tmp_path / "wf.yaml"))
    assert scenario.list_size == 154_717
    partial = build_area_details(MAP, PATIENTS, pcns=PCN, workforce_file=workforce_zip,
                                 include_partial=True)
    g6 = {p["code"]: p for p in practices_of(partial.mapping)}["G85006"]
    gp6 = [g for g in g6["staff"] if g["role"] == "GP"]
    assert sum(g["count"] for g in gp6) == 9 and gp6[0]["age"] == 45  # no age bands -> 45


def test_quinary_file_as_patients_file(tmp_path):
    path = quinary_file(tmp_path / "gp-reg-pat-prac-quin-age.csv", "G85001")
    mapping = build_area(MAP, path, practices="G85001")
    (practice,) = practices_of(mapping)
    assert practice["list_size"] == 2 * 20 * 100
    assert practice["age_mix"]["25-44"] == pytest.approx(0.2)


def test_write_refuses_an_invalid_scenario(tmp_path):
    mapping = build_area(MAP, PATIENTS, pcns=PCN)
    mapping["area"]["pcns"][0]["practices"][0]["staff"][0]["fte"] = 3.0
    target = tmp_path / "bad.yaml"
    with pytest.raises(ScenarioError, match="fte"):
        write_area_yaml(mapping, target)
    assert not target.exists() and not list(tmp_path.iterdir())


def test_yaml_round_trip_keeps_counts_integer(tmp_path):
    path = write_area_yaml(build_area(MAP, PATIENTS, pcns=PCN), tmp_path / "a.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    group = data["area"]["pcns"][0]["practices"][0]["staff"][0]
    assert isinstance(group["count"], int) and isinstance(group["fte"], float)


# ---- CLI -----------------------------------------------------------------------------------------


def test_cli_build_writes_yaml(tmp_path):
    out = tmp_path / "scenarios" / "area-south-southwark.yaml"
    result = CliRunner().invoke(area, ["build", "--map", str(MAP), "--patients", str(PATIENTS),
                                       "--pcn", PCN, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "18 practice(s)" in result.output and "154,717" in result.output
    assert "assumed: staff of every practice" in result.output
    assert load_scenario(out).list_size == 154_717


def test_cli_comma_separated_practices(tmp_path):
    out = tmp_path / "p.yaml"
    result = CliRunner().invoke(area, ["build", "--map", str(MAP), "--patients", str(PATIENTS),
                                       "--practices", "G85001,G85006", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(practices_of(yaml.safe_load(out.read_text(encoding="utf-8")))) == 2


def test_cli_needs_exactly_one_selection(tmp_path):
    result = CliRunner().invoke(area, ["build", "--map", str(MAP), "--patients", str(PATIENTS),
                                       "--pcn", PCN, "--sub-icb", "93C", "--out",
                                       str(tmp_path / "x.yaml")])
    assert result.exit_code == 2
    assert "exactly one of --pcn, --sub-icb or --practices" in result.output


def test_cli_reports_file_row_and_column(tmp_path):
    bad = tmp_path / "gp-reg-pat-prac-all.csv"
    lines = PATIENTS.read_text(encoding="utf-8").splitlines()[:6]
    lines[4] = lines[4].rsplit(",", 1)[0] + ",lots"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(area, ["build", "--map", str(MAP), "--patients", str(bad),
                                       "--pcn", PCN, "--out", str(tmp_path / "x.yaml")])
    assert result.exit_code == 1
    assert f"Error: {bad}, row 5, column NUMBER_OF_PATIENTS" in result.output
    assert "'lots'" in result.output
    assert not (tmp_path / "x.yaml").exists()
    with pytest.raises(DataFormatError):
        build_area(MAP, bad, pcns=PCN)


def test_written_area_is_readable_by_others(tmp_path):
    import stat

    from sim.config.loading import load_raw

    mapping, _ = load_raw("scenarios/small.yaml")
    out = write_area_yaml(mapping, tmp_path / "area.yaml")
    assert out.stat().st_mode & stat.S_IROTH, "mkstemp's 0600 must not leak into written scenarios"


def test_truncated_map_file_is_warned_about(tmp_path):
    """A map cut at a row boundary is a valid, smaller CSV: the build says the map looks truncated."""
    lines = MAP.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    pcn_rows = [k for k, line in enumerate(lines) if PCN in line]
    cut = tmp_path / "map.csv"
    cut.write_text("".join(lines[: pcn_rows[2] + 1]), encoding="utf-8")  # ends after the PCN's 3rd practice
    short = build_area_details(cut, PATIENTS, pcns=PCN)
    assert sum(len(p["practices"]) for p in short.mapping["area"]["pcns"]) == 3
    assert any("is the map file truncated" in n for n in short.notes)
    whole = build_area_details(MAP, PATIENTS, pcns=PCN)
    assert not any("truncated" in n for n in whole.notes)
