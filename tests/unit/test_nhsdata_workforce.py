"""General Practice Workforce practice-level Detailed CSV: generated files with a realistic subset of
the 805 published columns (names as in the official dictionary), zipped as published."""

from __future__ import annotations

import csv
import gzip
import zipfile
from pathlib import Path

import pytest

from sim.nhsdata import DataFormatError, report_of
from sim.nhsdata.workforce import (
    GP_AGE_BANDS,
    ROLES,
    gp_age_profile,
    read_workforce,
    staff_by_role,
)

IDS = ["PRAC_CODE", "PRAC_NAME", "PCN_CODE", "PCN_NAME", "SUB_ICB_CODE", "SUB_ICB_NAME", "ICB_CODE",
       "ICB_NAME", "REGION_CODE", "REGION_NAME"]
PATIENTS = ["TOTAL_PATIENTS", "TOTAL_MALE", "TOTAL_FEMALE", "MALE_PATIENTS_0TO4",
            "FEMALE_PATIENTS_85PLUS"]
FLAGS = ["GP_SOURCE", "NURSE_SOURCE", "DPC_SOURCE", "ADMIN_SOURCE"]
GP_SUBSETS = ["", "_EXTG", "_EXL", "_EXTGL", "_PTNR_PROV", "_SAL_BY_PRAC", "_TRN_GR_ST3",
              "_LOCUM_VAC"]
NURSE_ROLES = ["", "_PRAC_NURSE", "_ADV_NURSE_PRAC"]
DPC_ROLES = ["ADV_PARAMED_PRAC", "ADV_PHARMA_PRAC", "ADV_PHYSIO_PRAC", "DISPENSER", "GPA", "HCA",
             "PHLEB", "PHARMA", "PHYSIO", "PHYSICIAN_ASSOC", "NURSE_ASSOC",
             "TRAINEE_NURSE_ASSOC", "PARAMED", "PHARMT", "SPLW", "APP_HCA", "APP_PHARMA",
             "HLTH_SPRT_WRK", "OTH"]
ADMIN_ROLES = ["", "_MANAGER", "_RECEPT", "_MED_SECRETARY"]


def columns() -> list[str]:
    cols = [*IDS, *PATIENTS, *FLAGS]
    for measure in ("HC", "FTE"):
        cols += [f"TOTAL_GP{s}_{measure}" for s in GP_SUBSETS]
        cols += [f"MALE_GP_{measure}", f"FEMALE_GP_{measure}"]
    cols += [f"TOTAL_GP_HC_{b}" for b in GP_AGE_BANDS]
    cols += [f"MALE_GP_HC_{b}" for b in GP_AGE_BANDS[:3]]
    cols += [f"TOTAL_GP_FTE_{b}" for b in GP_AGE_BANDS]
    cols += [f"TOTAL_GP_EXTGL_HC_{b}" for b in ("55TO59", "60TO64", "65TO69", "70PLUS")]
    cols += ["TOTAL_GP_HC_COQ_UK", "TOTAL_GP_HC_COQ_EEA"]
    for measure in ("HC", "FTE"):
        cols += ["TOTAL_NURSES_" + measure] + [f"TOTAL_N{r}_{measure}" for r in NURSE_ROLES[1:]]
        cols += ["TOTAL_DPC_" + measure] + [f"TOTAL_DPC_{r}_{measure}" for r in DPC_ROLES]
        cols += ["TOTAL_ADMIN_" + measure] + [f"TOTAL_ADMIN{r}_{measure}" for r in ADMIN_ROLES[1:]]
    cols += ["TOTAL_NURSES_HC_55TO59", "TOTAL_DPC_FTE_55TO59", "TOTAL_ADMIN_HC_UNDER25",
             "FEMALE_TRAINEE_DPC_NURSE_ASSOC_HC"]
    return cols


def practice(code: str, **values: object) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(columns(), 0)
    row.update({"PRAC_CODE": code, "PRAC_NAME": f"Practice {code}", "PCN_CODE": "U12345",
                "PCN_NAME": "Test PCN", "SUB_ICB_CODE": "93C",
                "SUB_ICB_NAME": "NHS North Central London ICB - 93C", "ICB_CODE": "QMJ",
                "ICB_NAME": "NHS North Central London Integrated Care Board", "REGION_CODE": "Y56",
                "REGION_NAME": "London", "TOTAL_PATIENTS": 10000})
    row.update(dict.fromkeys(FLAGS, "Fully provided"))
    row.update(values)
    return row


FULL = practice(
    "A00001",
    TOTAL_GP_HC=5, TOTAL_GP_FTE=4.0, TOTAL_GP_EXTGL_HC=4, TOTAL_GP_EXTGL_FTE=3.4,
    TOTAL_GP_HC_30TO34=1, TOTAL_GP_HC_45TO49=2, TOTAL_GP_HC_55TO59=1, TOTAL_GP_HC_60TO64=1,
    TOTAL_GP_FTE_30TO34=1.0, TOTAL_GP_FTE_45TO49=1.6, TOTAL_GP_FTE_55TO59=0.8,
    TOTAL_GP_FTE_60TO64=0.6,
    TOTAL_NURSES_HC=3, TOTAL_NURSES_FTE=2.4,
    TOTAL_DPC_PHARMA_HC=1, TOTAL_DPC_PHARMA_FTE=1.0, TOTAL_DPC_ADV_PHARMA_PRAC_HC=1,
    TOTAL_DPC_ADV_PHARMA_PRAC_FTE=0.6, TOTAL_DPC_HCA_HC=2, TOTAL_DPC_HCA_FTE=1.5,
    TOTAL_DPC_PHLEB_HC=1, TOTAL_DPC_PHLEB_FTE=0.5, TOTAL_DPC_NURSE_ASSOC_HC=1,
    TOTAL_DPC_NURSE_ASSOC_FTE=1.0, TOTAL_DPC_PARAMED_HC=1, TOTAL_DPC_PARAMED_FTE=1.0,
    TOTAL_DPC_PHYSIO_HC=1, TOTAL_DPC_PHYSIO_FTE=0.4, TOTAL_DPC_SPLW_HC=1, TOTAL_DPC_SPLW_FTE=0.8,
    TOTAL_DPC_PHARMT_HC=1, TOTAL_DPC_PHARMT_FTE=0.6, TOTAL_DPC_HC=10, TOTAL_DPC_FTE=7.4,
    TOTAL_ADMIN_HC=12, TOTAL_ADMIN_FTE=9.5, TOTAL_ADMIN_RECEPT_HC=8, TOTAL_ADMIN_RECEPT_FTE=6.0,
)
PARTIAL_GP = practice("A00002", GP_SOURCE="Includes FTE Estimates", TOTAL_GP_HC=3,
                      TOTAL_GP_FTE=2.5)
ESTIMATED_NURSE = practice("A00003", NURSE_SOURCE="Fully Estimated", TOTAL_GP_HC=2,
                           TOTAL_GP_FTE=1.6, TOTAL_NURSES_FTE=1.2)
WITH_ND = practice("A00004", TOTAL_GP_HC=2, TOTAL_GP_FTE=1.5, TOTAL_GP_HC_40TO44=2,
                   TOTAL_GP_FTE_40TO44="ND", TOTAL_DPC_PHYSICIAN_ASSOC_HC="ND",
                   TOTAL_DPC_PHYSICIAN_ASSOC_FTE="ND", TOTAL_DPC_APP_PHARMA_HC="ND",
                   TOTAL_DPC_APP_PHARMA_FTE="ND", TOTAL_DPC_HC=1, TOTAL_DPC_FTE=0.8,
                   TOTAL_DPC_PHARMA_HC=1, TOTAL_DPC_PHARMA_FTE=0.8, TOTAL_ADMIN_HC=5,
                   TOTAL_ADMIN_FTE=4.0)
NO_DPC = practice("A00005", DPC_SOURCE="No data provided",
                  **{f"TOTAL_DPC_{r}_{m}": "NA" for r in DPC_ROLES for m in ("HC", "FTE")},
                  TOTAL_DPC_HC="NA", TOTAL_DPC_FTE="NA")
PRACTICES = [FULL, PARTIAL_GP, ESTIMATED_NURSE, WITH_ND, NO_DPC]

DETAILED = "1 General Practice – October 2025 Practice Level - Detailed.csv"
HIGH_LEVEL = "3 General Practice – October 2025 Practice Level - High level.csv"


def csv_text(rows: list[dict[str, object]], cols: list[str] | None = None) -> str:
    cols = cols or columns()
    lines = [",".join(cols)]
    for row in rows:
        cells = []
        for c in cols:
            value = row.get(c, 0)
            text = str(value)
            cells.append(f'"{text}"' if "," in text else text)
        lines.append(",".join(cells))
    return "\r\n".join(lines) + "\r\n"


@pytest.fixture
def detailed_csv(tmp_path: Path) -> Path:
    path = tmp_path / DETAILED
    path.write_text(csv_text(PRACTICES), encoding="utf-8")
    return path


@pytest.fixture
def published_zip(tmp_path: Path) -> Path:
    path = tmp_path / "GPWPracticeCSV.102025.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("0 General Practice Detailed Practice-Level CSV. Overall Definitions.xlsx", b"")
        z.writestr(DETAILED, csv_text(PRACTICES))
        z.writestr(HIGH_LEVEL, "PRAC_CODE,TOTAL_GP_HC\r\nA00001,5\r\n")
    return path


def test_generated_file_has_published_column_names(detailed_csv):
    header = next(csv.reader(detailed_csv.open(encoding="utf-8")))
    assert len(header) == len(set(header)) > 100
    assert {"TOTAL_GP_EXTGL_FTE", "TOTAL_DPC_ADV_PHARMA_PRAC_FTE", "GP_SOURCE"} <= set(header)


def test_fully_provided_only_by_default(detailed_csv):
    wf = read_workforce(detailed_csv)
    assert wf["practice_code"].tolist() == ["A00001", "A00004"]
    report = report_of(wf)
    assert report.rows_read == 5 and report.rows_used == 2
    assert report.excluded == {
        "not fully provided: GP_SOURCE='Includes FTE Estimates'": 1,
        "not fully provided: NURSE_SOURCE='Fully Estimated'": 1,
        "not fully provided: DPC_SOURCE='No data provided'": 1,
    }
    assert wf["fully_provided"].all()


def test_include_partial_keeps_and_flags(detailed_csv):
    wf = read_workforce(detailed_csv, include_partial=True)
    assert len(wf) == 5
    assert wf.set_index("practice_code")["fully_provided"].to_dict() == {
        "A00001": True, "A00002": False, "A00003": False, "A00004": True, "A00005": False}
    assert report_of(wf).rows_excluded == 0
    gp_only = read_workforce(detailed_csv, quality_flags=("GP_SOURCE",))
    assert set(gp_only["practice_code"]) == {"A00001", "A00003", "A00004", "A00005"}


def test_role_mapping(detailed_csv):
    row = read_workforce(detailed_csv).set_index("practice_code").loc["A00001"]
    assert (row["GP_hc"], row["GP_fte"]) == (5, 4.0)
    assert (row["Nurse_hc"], row["Nurse_fte"]) == (3, 2.4)
    assert (row["Pharmacist_hc"], row["Pharmacist_fte"]) == pytest.approx((2, 1.6))
    assert (row["HCA_hc"], row["HCA_fte"]) == pytest.approx((4, 3.0))  # HCA + phleb + nursing assoc
    assert (row["Paramedic_hc"], row["Paramedic_fte"]) == (1, 1.0)
    assert (row["PhysicianAssociate_hc"], row["PhysicianAssociate_fte"]) == (0, 0)
    assert (row["Physiotherapist_hc"], row["Physiotherapist_fte"]) == pytest.approx((1, 0.4))
    assert (row["Admin_hc"], row["Admin_fte"]) == (12, 9.5)
    assert row["OtherDPC_fte"] == pytest.approx(1.4)  # link worker 0.8 + pharmacy technician 0.6
    assert row["OtherDPC_hc"] == pytest.approx(2)
    assert row["total_patients"] == 10000
    assert (row["region_name"], row["sub_icb_code"]) == ("London", "93C")
    ages = gp_age_profile(read_workforce(detailed_csv)).loc["A00001"]
    assert ages[["30TO34", "45TO49", "55TO59", "60TO64"]].tolist() == [1, 2, 1, 1]
    assert ages.sum() == 5
    assert gp_age_profile(read_workforce(detailed_csv), measure="fte").loc[
        "A00001", "45TO49"] == pytest.approx(1.6)
    long = staff_by_role(read_workforce(detailed_csv))
    assert set(long["role"]) == set(ROLES) and len(long) == 2 * len(ROLES)


def test_not_disclosed_markers_become_missing_and_are_counted(detailed_csv):
    wf = read_workforce(detailed_csv)
    report = report_of(wf)
    assert report.markers == {"ND": 5}
    assert report.missing_values["TOTAL_DPC_PHYSICIAN_ASSOC_FTE"] == 1
    row = wf.set_index("practice_code").loc["A00004"]
    assert row["PhysicianAssociate_fte"] != row["PhysicianAssociate_fte"]  # NaN
    assert row["Pharmacist_fte"] == pytest.approx(0.8)  # ND apprentice + 0.8 pharmacist
    assert row["GP_fte_40TO44"] != row["GP_fte_40TO44"]
    partial = report_of(read_workforce(detailed_csv, include_partial=True))
    # only the columns read are counted: the mapped DPC roles present (14) and the DPC total
    assert partial.markers["NA"] == 2 * (14 + 1)


def test_zip_as_published_with_en_dash_member(published_zip):
    wf = read_workforce(published_zip)
    assert wf["practice_code"].tolist() == ["A00001", "A00004"]
    assert DETAILED in report_of(wf).source
    assert "–" in report_of(wf).source


def test_gzipped_and_renamed_csv(tmp_path):
    gz = tmp_path / "gpw.csv.gz"
    gz.write_bytes(gzip.compress(csv_text(PRACTICES).encode("utf-8")))
    assert len(read_workforce(gz)) == 2


def test_zip_with_two_detailed_csvs_needs_member(tmp_path):
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a Practice Level - Detailed.csv", csv_text(PRACTICES))
        z.writestr("b Practice Level - Detailed.csv", csv_text(PRACTICES[:1]))
    with pytest.raises(DataFormatError, match="member"):
        read_workforce(path)
    assert len(read_workforce(path, member="b Practice Level - Detailed.csv")) == 1


def test_missing_required_column(tmp_path):
    cols = [c for c in columns() if c != "TOTAL_GP_FTE"]
    path = tmp_path / "missing.csv"
    path.write_text(csv_text(PRACTICES, cols), encoding="utf-8")
    with pytest.raises(DataFormatError) as info:
        read_workforce(path)
    assert (info.value.row, info.value.column) == (1, "TOTAL_GP_FTE")
    assert str(path) in str(info.value)


def test_bad_number_names_row_and_column(tmp_path):
    rows = [dict(r) for r in PRACTICES]
    rows[2]["TOTAL_NURSES_FTE"] = "1.2.3"
    path = tmp_path / "bad.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    with pytest.raises(DataFormatError) as info:
        read_workforce(path, include_partial=True)
    assert (info.value.row, info.value.column, info.value.got) == (4, "TOTAL_NURSES_FTE", "1.2.3")
    rows[2]["TOTAL_NURSES_FTE"] = "-1"
    path.write_text(csv_text(rows), encoding="utf-8")
    with pytest.raises(DataFormatError, match="row 4, column TOTAL_NURSES_FTE"):
        read_workforce(path)


def test_ccg_era_geography_headers(tmp_path):
    cols = [{"SUB_ICB_CODE": "CCG_CODE", "SUB_ICB_NAME": "CCG_NAME", "ICB_CODE": "STP_CODE",
             "ICB_NAME": "STP_NAME"}.get(c, c) for c in columns()]
    rows = [{{"SUB_ICB_CODE": "CCG_CODE"}.get(k, k): v for k, v in r.items()} for r in PRACTICES]
    path = tmp_path / "20. General Practice – December 2020 Practice Level.csv"
    path.write_text(csv_text(rows, cols), encoding="utf-8")
    wf = read_workforce(path)
    assert wf.attrs["era"] == "ccg"
    assert wf["sub_icb_code"].tolist() == ["93C", "93C"]


def test_absent_optional_columns_are_noted(tmp_path):
    cols = [c for c in columns() if not c.startswith("TOTAL_GP_FTE_")]
    path = tmp_path / "old.csv"
    path.write_text(csv_text(PRACTICES, cols), encoding="utf-8")
    wf = read_workforce(path)
    assert wf["GP_fte_UNDER30"].isna().all()
    assert any("not in this edition" in n for n in report_of(wf).notes)
