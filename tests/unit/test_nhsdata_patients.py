"""Patients Registered at a GP Practice readers: real copies in calibration/data and small files
written in the exact published schemas (including malformed ones)."""

from __future__ import annotations

import datetime as dt
import gzip
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from sim.config.scenario import AGE_BANDS
from sim.nhsdata import DataFormatError, report_of
from sim.nhsdata.patients import (
    age_mix,
    detect_patients_file,
    model_band,
    parse_age_label,
    read_ages,
    read_practice_map,
    read_practice_totals,
    read_quinary_ages,
    read_single_year_ages,
    to_model_age_bands,
)

DATA = Path(__file__).resolve().parents[2] / "calibration" / "data"
TOTALS_2026 = DATA / "gp-reg-pat-prac-all_2026-03.csv"
TOTALS_2021 = DATA / "gp-reg-pat-prac-all_2021-01.csv"
MAP_2022 = DATA / "gp-reg-pat-prac-map_2022-01.csv"
LONDON_SUB_ICBS = ["93C", "A3A8R", "72Q", "36L", "W2U3Z"]

TOTALS_HEADER = ("PUBLICATION,EXTRACT_DATE,TYPE,SUB_ICB_LOCATION_CODE,ONS_SUB_ICB_LOCATION_CODE,"
                 "CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS")
TOTALS_HEADER_CCG = ("PUBLICATION,EXTRACT_DATE,TYPE,CCG_CODE,ONS_CCG_CODE,CODE,POSTCODE,SEX,AGE,"
                     "NUMBER_OF_PATIENTS")
MAP_HEADER_CCG = ("PUBLICATION,EXTRACT_DATE,PRACTICE_CODE,PRACTICE_NAME,PRACTICE_POSTCODE,PCN_CODE,"
                  "PCN_NAME,ONS_CCG_CODE,CCG_CODE,CCG_NAME,ONS_STP_CODE,STP_CODE,STP_NAME,"
                  "ONS_COMM_REGION_CODE,COMM_REGION_CODE,COMM_REGION_NAME")
MAP_HEADER_SUB_ICB = ("PUBLICATION,EXTRACT_DATE,PRACTICE_CODE,PRACTICE_NAME,PRACTICE_POSTCODE,"
                      "PCN_CODE,PCN_NAME,ONS_SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_CODE,"
                      "SUB_ICB_LOCATION_NAME,ONS_ICB_CODE,ICB_CODE,ICB_NAME,ONS_COMM_REGION_CODE,"
                      "COMM_REGION_CODE,COMM_REGION_NAME,SUPPLIER_NAME")


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def totals_rows(n: int = 3) -> list[str]:
    return [f"GP_PRAC_PAT_LIST,2026-03-01,GP,93C,E38000240,F8300{i},N1 1AA,ALL,ALL,{1000 * (i + 1)}"
            for i in range(n)]


# ---- real files ---------------------------------------------------------------------------------


def test_real_totals_2026_match_published_counts():
    totals = read_practice_totals(TOTALS_2026)
    assert len(totals) == 6169
    assert totals["patients"].sum() == 63_707_358
    assert totals.attrs["era"] == "sub_icb"
    assert set(totals["extract_date"].dt.date) == {dt.date(2026, 3, 1)}
    london = totals[totals["sub_icb_code"].isin(LONDON_SUB_ICBS)]
    assert len(london) == 1137
    assert london["patients"].sum() == 11_084_325
    report = report_of(totals)
    assert report.rows_read == report.rows_used == 6169 and report.rows_excluded == 0


def test_real_totals_2021_ccg_header_normalised_to_same_columns():
    old = read_practice_totals(TOTALS_2021)  # CCG_CODE header, 01JAN2021 dates, CRLF line ends
    new = read_practice_totals(TOTALS_2026)
    assert old.attrs["era"] == "ccg"
    assert list(old.columns) == list(new.columns)
    assert len(old) == 6658
    assert old["patients"].sum() == 60_606_345
    assert set(old["extract_date"].dt.date) == {dt.date(2021, 1, 1)}
    assert not old["practice_code"].str.contains("\r").any()


def test_real_map_counts_and_london():
    practice_map = read_practice_map(MAP_2022)
    assert len(practice_map) == 6527
    assert practice_map["pcn_code"].nunique() == 1255
    london = practice_map[practice_map["region_name"] == "London"]
    assert len(london) == 1194
    assert london["pcn_code"].nunique() == 199
    assert set(london["region_ons_code"]) == {"E40000003"}
    assert set(london["region_code"]) == {"Y56"}
    assert set(london["sub_icb_code"]) == set(LONDON_SUB_ICBS)
    assert practice_map.attrs["era"] == "ccg"
    # practices in no PCN keep the published code
    assert set(practice_map.loc[practice_map["pcn_code"] == "U", "pcn_name"]) == {"Unallocated"}


def test_real_london_2021_list_via_2022_map():
    totals = read_practice_totals(TOTALS_2021)
    practice_map = read_practice_map(MAP_2022)
    london = totals.merge(practice_map[practice_map["region_name"] == "London"], on="practice_code")
    assert len(london) == 1193
    assert london["patients"].sum() == 10_192_629


def test_detect_patients_file_on_real_files():
    assert detect_patients_file(TOTALS_2026) == "totals"
    assert detect_patients_file(MAP_2022) == "map"


# ---- generated files, published schemas ---------------------------------------------------------


def test_generated_sub_icb_and_ccg_totals_read_alike(tmp_path):
    new = write(tmp_path / "gp-reg-pat-prac-all.csv", [TOTALS_HEADER, *totals_rows()])
    old_rows = [r.replace("2026-03-01", "01JAN2021") for r in totals_rows()]
    old = write(tmp_path / "old.csv", [TOTALS_HEADER_CCG, *old_rows])
    a, b = read_practice_totals(new), read_practice_totals(old)
    assert list(a.columns) == list(b.columns)
    assert a["patients"].tolist() == b["patients"].tolist() == [1000, 2000, 3000]
    assert b["extract_date"].iloc[0] == pd.Timestamp("2021-01-01")


def test_totals_zipped_and_gzipped(tmp_path):
    text = "\n".join([TOTALS_HEADER, *totals_rows()]) + "\n"
    archive = tmp_path / "gp-reg-pat-prac-all.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("gp-reg-pat-prac-all.csv", text)
    gz = tmp_path / "gp-reg-pat-prac-all.csv.gz"
    gz.write_bytes(gzip.compress(text.encode()))
    assert read_practice_totals(archive)["patients"].sum() == 6000
    assert read_practice_totals(gz)["patients"].sum() == 6000


def test_missing_column_names_file_row_and_column(tmp_path):
    header = TOTALS_HEADER.replace(",NUMBER_OF_PATIENTS", "")
    rows = [r.rsplit(",", 1)[0] for r in totals_rows()]
    path = write(tmp_path / "no-count.csv", [header, *rows])
    with pytest.raises(DataFormatError) as info:
        read_practice_totals(path)
    err = info.value
    assert err.row == 1 and err.column == "NUMBER_OF_PATIENTS"
    assert str(path) in str(err) and "row 1" in str(err) and "NUMBER_OF_PATIENTS" in str(err)


def test_bad_number_in_row_k(tmp_path):
    rows = totals_rows(5)
    rows[3] = rows[3].rsplit(",", 1)[0] + ",12x4"  # 4th data row = spreadsheet row 5
    path = write(tmp_path / "bad.csv", [TOTALS_HEADER, *rows])
    with pytest.raises(DataFormatError) as info:
        read_practice_totals(path)
    assert info.value.row == 5
    assert info.value.column == "NUMBER_OF_PATIENTS"
    assert "'12x4'" in str(info.value) and "row 5" in str(info.value)


def test_negative_and_unknown_category(tmp_path):
    rows = totals_rows(3)
    rows[1] = rows[1].replace(",ALL,ALL,", ",MALE,ALL,")
    path = write(tmp_path / "sex.csv", [TOTALS_HEADER, *rows])
    with pytest.raises(DataFormatError) as info:
        read_practice_totals(path)
    assert (info.value.row, info.value.column, info.value.got) == (3, "SEX", "MALE")
    rows = totals_rows(3)
    rows[2] = rows[2].rsplit(",", 1)[0] + ",-5"
    path = write(tmp_path / "neg.csv", [TOTALS_HEADER, *rows])
    with pytest.raises(DataFormatError, match="row 4, column NUMBER_OF_PATIENTS"):
        read_practice_totals(path)


def test_duplicate_practice_and_bad_date(tmp_path):
    rows = totals_rows(3)
    rows.append(rows[0])
    path = write(tmp_path / "dup.csv", [TOTALS_HEADER, *rows])
    with pytest.raises(DataFormatError, match="row 5, column CODE"):
        read_practice_totals(path)
    rows = totals_rows(3)
    rows[0] = rows[0].replace("2026-03-01", "March 2026")
    path = write(tmp_path / "date.csv", [TOTALS_HEADER, *rows])
    with pytest.raises(DataFormatError, match="row 2, column EXTRACT_DATE"):
        read_practice_totals(path)


@pytest.mark.parametrize("k", [0, 1, 2])
def test_too_many_fields_names_the_row(tmp_path, k):
    rows = totals_rows(3)
    rows[k] += ",extra"
    path = write(tmp_path / "wide.csv", [TOTALS_HEADER, *rows])
    with pytest.raises(DataFormatError) as info:
        read_practice_totals(path)
    assert info.value.row == k + 2
    assert "10 comma-separated fields" in str(info.value)


def test_blank_rows_and_non_practice_rows_counted_not_dropped_silently(tmp_path):
    rows = totals_rows(3)
    rows.insert(1, "")
    rows.append("GP_PRAC_PAT_LIST,2026-03-01,CCG,93C,E38000240,93C,,ALL,ALL,6000")
    path = write(tmp_path / "mixed.csv", [TOTALS_HEADER, *rows])
    totals = read_practice_totals(path)
    report = report_of(totals)
    assert len(totals) == 3
    assert report.rows_read == 5
    assert report.excluded == {"blank row": 1, "not a practice row (TYPE='CCG')": 1}
    assert report.rows_used + report.rows_excluded == report.rows_read


def test_cp1252_map_with_sub_icb_header(tmp_path):
    row = ("GP_PRAC_PAT_LIST,2026-03-01,F83001,CAFÉ SURGERY,N1 1AA,U12345,CAMDEN PCN,E38000240,93C,"
           "NHS North Central London ICB - 93C,E54000028,QMJ,NHS North Central London ICB,"
           "E40000003,Y56,London,EMIS")
    path = write(tmp_path / "map.csv", [MAP_HEADER_SUB_ICB, row], encoding="cp1252")
    practice_map = read_practice_map(path)
    assert practice_map.attrs["era"] == "sub_icb"
    assert practice_map.loc[0, "practice_name"] == "CAFÉ SURGERY"
    assert practice_map.loc[0, "icb_code"] == "QMJ"
    assert practice_map.loc[0, "supplier_name"] == "EMIS"
    real = read_practice_map(MAP_2022)
    assert set(real.columns) <= set(practice_map.columns)


def test_map_missing_geography_column(tmp_path):
    header = MAP_HEADER_CCG.replace("STP_NAME,", "")
    path = write(tmp_path / "map.csv", [header])
    with pytest.raises(DataFormatError) as info:
        read_practice_map(path)
    assert (info.value.row, info.value.column) == (1, "STP_NAME")


# ---- ages ---------------------------------------------------------------------------------------

QUIN_BANDS = [f"{lo}_{lo + 4}" for lo in range(0, 95, 5)] + ["95+"]
QUIN_HEADER = ("PUBLICATION,EXTRACT_DATE,ORG_TYPE,ORG_CODE,ONS_CODE,POSTCODE,SEX,AGE_GROUP_5,"
               "NUMBER_OF_PATIENTS")


def quinary_rows(code: str = "F83001", org_type: str = "GP") -> list[str]:
    rows = []
    for sex in ("MALE", "FEMALE"):
        for i, band in enumerate(QUIN_BANDS):
            rows.append(f"GP_PRAC_PAT_LIST,2026-03-01,{org_type},{code},E38000240,N1 1AA,{sex},"
                        f"{band},{10 + i}")
    total = 2 * sum(10 + i for i in range(len(QUIN_BANDS)))
    rows.append(f"GP_PRAC_PAT_LIST,2026-03-01,{org_type},{code},E38000240,N1 1AA,ALL,ALL,{total}")
    return rows


def test_quinary_file_to_model_bands(tmp_path):
    rows = quinary_rows() + quinary_rows("93C", "SUB_ICB_LOCATION")
    path = write(tmp_path / "gp-reg-pat-prac-quin-age.csv", [QUIN_HEADER, *rows])
    assert detect_patients_file(path) == "quinary"
    ages = read_quinary_ages(path)
    report = report_of(ages)
    assert report.excluded["aggregate row (ORG_TYPE='SUB_ICB_LOCATION')"] == 41
    assert report.excluded["age total row (AGE_GROUP_5='ALL')"] == 1
    assert report.rows_used + report.rows_excluded == report.rows_read
    bands = to_model_age_bands(ages)
    assert list(bands.columns) == list(AGE_BANDS)
    row = bands.loc["F83001"]
    assert row["0-4"] == 2 * 10
    assert row["5-14"] == 2 * (11 + 12)
    assert row["85+"] == 2 * (27 + 28 + 29)
    assert row.sum() == 2 * sum(10 + i for i in range(len(QUIN_BANDS)))
    mix = age_mix(ages)
    assert mix.loc["F83001"].sum() == pytest.approx(1.0, abs=1e-9)
    kept = read_quinary_ages(path, keep_totals=True)
    assert kept["band"].isna().sum() == 1


def test_quinary_unknown_band_label(tmp_path):
    rows = quinary_rows()
    rows[4] = rows[4].replace(",20_24,", ",20-24,")
    path = write(tmp_path / "q.csv", [QUIN_HEADER, *rows])
    with pytest.raises(DataFormatError) as info:
        read_quinary_ages(path)
    assert (info.value.row, info.value.column, info.value.got) == (6, "AGE_GROUP_5", "20-24")


SING_HEADER = ("PUBLICATION,EXTRACT_DATE,TYPE,SUB_ICB_LOCATION_CODE,ONS_SUB_ICB_LOCATION_CODE,"
               "ORG_CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS")


def single_rows(sex: str, code: str = "F83001") -> list[str]:
    ages = [str(a) for a in range(95)] + ["95+"]
    rows = [f"GP_PRAC_PAT_LIST,2026-03-01,GP,93C,E38000240,{code},N1 1AA,{sex},{a},1" for a in ages]
    rows.append(f"GP_PRAC_PAT_LIST,2026-03-01,GP,93C,E38000240,{code},N1 1AA,{sex},ALL,96")
    return rows


def test_single_year_files_male_and_female(tmp_path):
    male = write(tmp_path / "gp-reg-pat-prac-sing-age-male.csv", [SING_HEADER, *single_rows("MALE")])
    female = write(tmp_path / "gp-reg-pat-prac-sing-age-female.csv",
                   [SING_HEADER.replace("SUB_ICB_LOCATION_CODE,ONS_SUB_ICB_LOCATION_CODE",
                                        "CCG_CODE,ONS_CCG_CODE"), *single_rows("FEMALE")])
    assert detect_patients_file(male) == "single_year"
    ages = read_single_year_ages([male, female])
    assert report_of(ages).excluded == {"age total row (AGE='ALL')": 2}
    bands = to_model_age_bands(ages).loc["F83001"]
    assert bands.to_dict() == {"0-4": 10, "5-14": 20, "15-24": 20, "25-44": 40, "45-64": 40,
                               "65-74": 20, "75-84": 20, "85+": 22}
    combined = read_ages([male, female])
    assert to_model_age_bands(combined).loc["F83001"].sum() == 192


def test_single_year_bad_age(tmp_path):
    rows = single_rows("MALE")
    rows[10] = rows[10].replace(",MALE,10,", ",MALE,ten,")
    path = write(tmp_path / "s.csv", [SING_HEADER, *rows])
    with pytest.raises(DataFormatError, match=r"row 12, column AGE: expected a single year"):
        read_single_year_ages(path)


def test_age_label_and_band_helpers():
    assert parse_age_label("0_4") == (0, 4)
    assert parse_age_label("95+") == (95, None)
    assert parse_age_label("95_PLUS") == (95, None)
    assert parse_age_label("37") == (37, 37)
    assert parse_age_label("ALL") is None
    assert model_band(85, None) == "85+"
    assert model_band(25, 29) == "25-44"
    with pytest.raises(ValueError, match="straddle"):
        model_band(10, 19)
    with pytest.raises(ValueError):
        parse_age_label("old")


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_practice_totals(tmp_path / "nope.csv")
