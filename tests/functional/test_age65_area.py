"""Each practice's own age mix: area build and the calibration sample tilt the England mix to the
practice's share aged 65+ (Fingertips 93468), and an older practice asks for more appointments."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

import sim.calibrate.pipeline as pipeline
from sim.calibrate.area_fit import fit_sample
from sim.calibrate.observed import load_area
from sim.calibrate.sample import simulation_mapping
from sim.cli.area import area
from sim.cli.main import main
from sim.config.scenario import AGE_BANDS
from sim.nhsdata.age65 import OLD_BANDS, SHARE_65PLUS_FILE, default_age_mix, tilt_age_mix
from sim.nhsdata.area import build_area_details
from tests.conftest import ROOT, requests_of, tiny_mapping

DATA = ROOT / "calibration" / "data"
MAP = DATA / "gp-reg-pat-prac-map_2022-01.csv"
PATIENTS = DATA / "gp-reg-pat-prac-all_2026-03.csv"
SHARES = DATA / SHARE_65PLUS_FILE
SUB_ICB = "01V"  # NHS Southport and Formby CCG: 14 practices with a list in March 2026, 7 of them in the file
NO_FILE_PRACTICE = "B81003"  # North East Lincolnshire (03H): no practice of its sub-ICB is in the file


def _file_shares() -> dict[str, float]:
    raw = pd.read_csv(SHARES, dtype={"Practice.Code": str})
    return dict(zip(raw["Practice.Code"], raw["prop65"] / 100.0, strict=True))


def _practices(mapping: dict) -> dict[str, dict]:
    return {p["code"]: p for pcn in mapping["area"]["pcns"] for p in pcn["practices"]}


def _old(mix: dict[str, float]) -> float:
    return sum(mix[b] for b in OLD_BANDS)


def test_a_real_sub_icb_gets_each_practice_its_own_65plus_share_and_the_sub_icb_share_for_the_rest():
    build = build_area_details(MAP, PATIENTS, sub_icb=SUB_ICB, share_65plus_file=SHARES)
    practices = _practices(build.mapping)
    shares = _file_shares()
    own = [c for c in practices if c in shares]
    rest = [c for c in practices if c not in shares]
    assert len(own) == 7 and len(rest) == 7
    for code in own:
        assert _old(practices[code]["age_mix"]) == pytest.approx(shares[code], abs=1e-5)
        assert sum(practices[code]["age_mix"].values()) == pytest.approx(1.0, abs=1e-5)
        assert build.share_65plus[code]["source"] == "own"
    # the fallback: the sub-ICB's share weighted by list size over its practices in the file
    lists = pd.read_csv(PATIENTS, dtype=str)
    lists = lists.loc[lists["SEX"].eq("ALL") & lists["AGE"].eq("ALL")]
    size = dict(zip(lists["CODE"], lists["NUMBER_OF_PATIENTS"].astype(int), strict=True))
    pmap = pd.read_csv(MAP, dtype=str)
    members = [c for c in pmap.loc[pmap["CCG_CODE"].eq(SUB_ICB), "PRACTICE_CODE"] if c in shares and c in size]
    expected = sum(shares[c] * size[c] for c in members) / sum(size[c] for c in members)
    for code in rest:
        assert _old(practices[code]["age_mix"]) == pytest.approx(expected, abs=1e-5)
        assert build.share_65plus[code]["source"] == f"sub-ICB {SUB_ICB}"
    assert len({round(_old(p["age_mix"]), 4) for p in practices.values()}) >= 7  # mixes differ
    description = build.mapping["description"]
    assert "OHID Fingertips 93468" in description
    assert "own 65+ share for 7 practice(s)" in description and "share for 7 not in the file" in description
    # the within-group shape stays England's
    code = own[0]
    base = default_age_mix()
    assert practices[code]["age_mix"] == pytest.approx(tilt_age_mix(base, shares[code]), abs=1e-6)
    # gpsim area build --calibrate fits a sample of the built practices, each as built: ages kept
    sample, kept = fit_sample(build.mapping["area"], 5)
    assert len(kept) == 5
    for practice in _practices({"area": sample}).values():
        assert practice["age_mix"] == practices[practice["code"]]["age_mix"]


def test_a_practice_whose_sub_icb_has_no_figure_keeps_the_default_mix_and_says_so():
    build = build_area_details(MAP, PATIENTS, practices=NO_FILE_PRACTICE, share_65plus_file=SHARES)
    (practice,) = _practices(build.mapping).values()
    assert "age_mix" not in practice
    assert build.share_65plus == {}
    assert "England default kept for 1 (B81003)" in build.mapping["description"]
    assert "age mix of 1 practice(s) with no age data: the scenario default" in build.mapping["description"]


QUIN_HEADER = ("PUBLICATION,EXTRACT_DATE,ORG_TYPE,ORG_CODE,ONS_CODE,POSTCODE,SEX,AGE_GROUP_5,"
               "NUMBER_OF_PATIENTS")


def test_a_quinary_age_file_wins_over_the_tilt_practice_by_practice(tmp_path):
    shares = _file_shares()
    build = build_area_details(MAP, PATIENTS, sub_icb=SUB_ICB, share_65plus_file=SHARES)
    code = next(c for c in _practices(build.mapping) if c in shares)
    bands = [f"{lo}_{lo + 4}" for lo in range(0, 95, 5)] + ["95+"]
    rows = [f"GP_PRAC_PAT_LIST,2026-03-01,GP,{code},E38000170,PR8 1AA,{sex},{band},100"
            for sex in ("MALE", "FEMALE") for band in bands]
    ages = tmp_path / "gp-reg-pat-prac-quin-age.csv"
    ages.write_text("\n".join([QUIN_HEADER, *rows]) + "\n", encoding="utf-8")
    with_ages = build_area_details(MAP, PATIENTS, sub_icb=SUB_ICB, share_65plus_file=SHARES,
                                   age_files=[ages])
    practices = _practices(with_ages.mapping)
    assert practices[code]["age_mix"]["85+"] == pytest.approx(0.15)  # 3 of 20 equal bands, from the file
    assert code not in with_ages.share_65plus
    assert "own 65+ share for 6 practice(s)" in with_ages.mapping["description"]
    others = [c for c in practices if c != code]
    assert all(practices[c]["age_mix"] == _practices(build.mapping)[c]["age_mix"] for c in others)


def _cli(tmp_path: Path, name: str, *extra: str):
    out = tmp_path / f"{name}.yaml"
    res = CliRunner().invoke(area, ["build", "--map", str(MAP), "--patients", str(PATIENTS),
                                    "--sub-icb", SUB_ICB, "--out", str(out), *extra])
    return res, out


def test_cli_tilts_by_default_and_no_age_tilt_keeps_the_old_default_mix(tmp_path):
    res, out = _cli(tmp_path, "tilted")
    assert res.exit_code == 0, res.output
    tilted = _practices(yaml.safe_load(out.read_text(encoding="utf-8")))
    assert all("age_mix" in p for p in tilted.values())
    assert "65+ share" in res.output
    res, out = _cli(tmp_path, "flat", "--no-age-tilt")
    assert res.exit_code == 0, res.output
    flat = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert all("age_mix" not in p for p in _practices(flat).values())  # the default mix, as before
    old = build_area_details(MAP, PATIENTS, sub_icb=SUB_ICB, imd_file=DATA / "imd-by-practice_fingertips-93553.csv.gz",
                             payments_file=DATA / "payments-to-general-practice_2022-23.csv.gz")
    assert flat["area"] == yaml.safe_load(yaml.safe_dump(old.mapping["area"]))
    assert "93468" not in flat["description"]
    res, _ = _cli(tmp_path, "both", "--no-age-tilt", "--share-65plus", str(SHARES))
    assert res.exit_code != 0 and "contradict" in res.output


def test_the_calibration_sample_carries_each_practice_its_own_mix_and_records_its_share():
    patients = DATA / "gp-reg-pat-prac-all_2021-01.csv"
    stp = load_area("QMF", MAP, patients)
    mapping, info = simulation_mapping(stp, 10, {"name": "s"}, MAP, patients, None, SHARES)
    practices = _practices(mapping)
    assert len(info["practices"]) == 10 and "tilted" in info["age_mix"]
    shares = _file_shares()
    for entry in info["practices"]:
        mix = practices[entry["code"]]["age_mix"]
        assert _old(mix) == pytest.approx(entry["share_65plus"], abs=1e-4)
        assert entry["age_source"] == ("own" if entry["code"] in shares else "sub-ICB A3A8R")
    assert len({e["share_65plus"] for e in info["practices"]}) >= 5
    flat, flat_info = simulation_mapping(stp, 10, {"name": "s"}, MAP, patients, None)
    assert all("age_mix" not in p for p in _practices(flat).values())
    assert "share_65plus" not in flat_info["practices"][0] and "no age tilt" in flat_info["age_mix"]


def _two_practices(shares: tuple[float, float]) -> dict:
    mapping = tiny_mapping(list_sizes=(20000, 20000), gps=(8, 8), nurses=(4, 4), days=182, warm_up=0)
    for practice, share in zip(mapping["area"]["pcns"][0]["practices"], shares, strict=True):
        practice["age_mix"] = tilt_age_mix(default_age_mix(), share)
    return mapping


def _requests_per_patient(shares: tuple[float, float]) -> tuple[np.ndarray, object]:
    model, req = requests_of(_two_practices(shares))
    counts = np.bincount(req.practice, minlength=2)
    return counts / 20000, model


def test_an_older_practice_asks_for_more_appointments_per_patient():
    per_patient, model = _requests_per_patient((0.10, 0.30))
    rate = model.scenario.demand.rate_per_patient_year
    expected = [sum(tilt_age_mix(default_age_mix(), s)[b] * rate[b] for b in AGE_BANDS) for s in (0.10, 0.30)]
    ratio = per_patient[1] / per_patient[0]
    assert expected[1] / expected[0] == pytest.approx(1.185, abs=0.01)
    assert ratio == pytest.approx(expected[1] / expected[0], rel=0.03)  # the age bands' rates, as configured
    # control: the same two practices at the same mix ask alike, so the 18% is the age mix
    same, _ = _requests_per_patient((0.10, 0.10))
    assert same[1] / same[0] == pytest.approx(1.0, abs=0.03)


def test_gpsim_calibrate_passes_the_shipped_file_to_the_sample_unless_no_age_tilt(tmp_path, monkeypatch):
    seen: list[object] = []
    monkeypatch.setattr(pipeline, "calibrate", lambda *a, **kw: seen.append(kw["share_65plus_file"]) or 1 / 0)
    args = ["calibrate", str(ROOT / "scenarios" / "small.yaml"), "--appointments",
            str(DATA / "appointments-london-2019-2021"), "--stp", "QMF", "--fit", "2019-04",
            "--holdout", "2019-05", "--out", str(tmp_path / "cal")]
    for extra in ([], ["--no-age-tilt"], ["--share-65plus", str(SHARES)]):
        CliRunner().invoke(main, [*args, *extra])
    assert [Path(p).name if p else p for p in seen] == [SHARE_65PLUS_FILE, None, SHARE_65PLUS_FILE]
