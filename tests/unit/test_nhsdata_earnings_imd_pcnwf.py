"""GP earnings, IMD by practice and PCN workforce readers: the shipped files and small bad files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.nhsdata import DataFormatError, report_of
from sim.nhsdata.earnings import gp_measure, read_gp_earnings
from sim.nhsdata.imd import imd_quintiles, read_imd
from sim.nhsdata.pcn_workforce import pcn_role_fte, read_pcn_workforce

DATA = Path(__file__).resolve().parents[2] / "calibration" / "data"


# ---- GP earnings and expenses ------------------------------------------------------------------


@pytest.mark.parametrize(("edition", "contractor", "salaried", "salaried_emp"), [
    ("2021-22", 153_400, 68_000, 58_500),  # UTF-8 with BOM
    ("2022-23", 140_200, 69_200, 59_600),  # Windows-1252 (the pound sign is byte 0xA3)
])
def test_real_earnings_headline_figures(edition, contractor, salaried, salaried_emp):
    frame = read_gp_earnings(DATA / f"gp-earnings-expenses_{edition}.csv.gz")
    assert len(frame) > 17_000 and report_of(frame).rows_excluded == 0
    assert gp_measure(frame, "Contractor") == contractor
    assert gp_measure(frame, "Salaried") == salaried
    assert gp_measure(frame, "Salaried", "Average Emp Gross Earnings") == salaried_emp
    assert gp_measure(frame, "Contractor", region="London") > contractor
    assert frame["range_income_se"].str.contains("125,000").any()  # the £ header was matched
    with pytest.raises(KeyError):
        gp_measure(frame, "Contractor", "No such measure")


EARN_HEADER = ("GP_Type,Contract_Type,Country,Practice_Type,Gender,Age,Rurality,Region,"
               "Practice_Registered_Patients,Weekly Working Hours,"
               "Range_of_Gross_Earnings_from_Self_Employment_\u00a3,"
               "Range_of_Total_Expenses_from_Self_Employment_\u00a3,"
               "Range_of_Income_Before_Tax_from_Self_Employment_\u00a3,"
               "Range_of_Total_Income_Before_Tax_\u00a3,Measure,Value")


def earn_row(gp="Contractor", value="140200", measure="Average Tot Income Before Tax"):
    return f"{gp},GPMS,England,All,All,All,All,All,All,All,,,,,{measure},{value}"


def test_earnings_small_files(tmp_path):
    path = tmp_path / "e.csv"
    path.write_bytes("\n".join([EARN_HEADER, earn_row(), earn_row("Salaried", "ND")]).encode("cp1252"))
    frame = read_gp_earnings(path)
    assert gp_measure(frame, "Contractor") == 140200 and pd.isna(gp_measure(frame, "Salaried"))
    assert report_of(frame).markers == {"ND": 1}
    path.write_text("\n".join([EARN_HEADER, earn_row(), earn_row(value="lots")]), encoding="utf-8")
    with pytest.raises(DataFormatError) as info:
        read_gp_earnings(path)
    assert (info.value.row, info.value.column, info.value.got) == (3, "Value", "lots")
    path.write_text("\n".join([EARN_HEADER, earn_row("Partner")]), encoding="utf-8")
    with pytest.raises(DataFormatError, match="row 2, column GP_Type"):
        read_gp_earnings(path)
    path.write_text(EARN_HEADER.replace(",Measure", ",Measures") + "\n" + earn_row(), encoding="utf-8")
    with pytest.raises(DataFormatError, match="row 1 \\(the header\\), column Measure"):
        read_gp_earnings(path)


# ---- IMD by practice ---------------------------------------------------------------------------


def test_real_imd_releases_and_quintiles():
    imd = read_imd(DATA / "imd-by-practice_fingertips-93553.csv.gz")
    assert len(imd) == 23_080
    assert imd["year"].value_counts().to_dict() == {2010: 8222, 2015: 7878, 2019: 6980}
    first = imd.iloc[0]
    assert (first["practice_code"], first["year"]) == ("A81001", 2010)
    assert first["imd_score"] == pytest.approx(25.07512244)
    q = imd_quintiles(imd, 2019)
    assert len(q) == 6980 and q["imd_quintile"].value_counts().tolist() == [1396] * 5
    # quintile 1 is the most deprived (highest scores)
    means = q.groupby("imd_quintile")["imd_score"].mean()
    assert means.is_monotonic_decreasing
    only_2019 = read_imd(DATA / "imd-by-practice_fingertips-93553.csv.gz", year=2019)
    assert len(only_2019) == 6980
    assert report_of(only_2019).excluded == {"another IMD release than 2019": 16_100}


IMD_HEADER = "IndicatorID,Year,AreaCode,AreaName,IsAreaCurrent,Value"


def test_imd_small_files(tmp_path):
    path = tmp_path / "imd.csv"
    path.write_text(f"{IMD_HEADER}\n93553,2019,A1,X,1,30.5\n93553,2019,A2,Y,0,\n", encoding="utf-8-sig")
    frame = read_imd(path)
    assert frame["is_current"].tolist() == [True, False] and pd.isna(frame.loc[1, "imd_score"])
    assert report_of(frame).missing_values == {"Value": 1}
    path.write_text(f"{IMD_HEADER}\n93553,2019,A1,X,1,30.5\n90000,2019,A2,Y,1,3\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match="row 3, column IndicatorID: expected indicator 93553"):
        read_imd(path)
    path.write_text(f"{IMD_HEADER}\n93553,2019,A1,X,1,high\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match="row 2, column Value"):
        read_imd(path)
    path.write_text(f"{IMD_HEADER}\n93553,2019,A1,X,1,3\n93553,2019,A1,X,1,4\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match="row 3, column AreaCode: expected each practice once"):
        read_imd(path)


# ---- PCN workforce -----------------------------------------------------------------------------


def test_real_pcn_workforce():
    old = read_pcn_workforce(DATA / "pcn-workforce-individual-level_2020-03.csv.gz")
    new = read_pcn_workforce(DATA / "pcn-workforce-individual-level_2022-09.csv.gz")
    assert len(old) == 534 and old["census"].iloc[0] == pd.Timestamp("2020-03-01")
    assert len(new) == 17_238 and report_of(new).excluded == {"negative FTE (as published)": 1}
    assert new["pcn_code"].nunique() == 1105
    assert "Clinical Director \u2013 Medical" in set(new["detailed_staff_role"])  # cp1252 en dash
    assert new["unique_identifier"].isna().sum() > 0  # NULL for contracted services
    by_role = pcn_role_fte(new).groupby("role")["fte"].sum()
    assert by_role.idxmax() == "Pharmacists" and round(by_role["Pharmacists"]) == 3422
    assert round(new["fte"].sum()) == 14_149


PCN_HEADER = ("Data_source,CENSUS_YEAR,CENSUS_MONTH,PCN_CODE,PCN_NAME,CCG_CODE,CCG_NAME,STAFF_GROUP,"
              "STAFF_ROLE,DETAILED_STAFF_ROLE,FTE,UNIQUE_IDENTIFIER")


def test_pcn_workforce_small_files(tmp_path):
    path = tmp_path / "w.csv"
    rows = ["NWRS Staff,2021,3,U1,P,93C,NCL,Other Direct Patient Care staff,Paramedics,Paramedic,0.8,7",
            "NWRS Staff,2021,3,U1,P,93C,NCL,Other Direct Patient Care staff,Paramedics,Paramedic,ND,NULL"]
    path.write_text("\n".join([PCN_HEADER, *rows]), encoding="utf-8")
    frame = read_pcn_workforce(path)  # CCG-era labels accepted
    assert frame["sub_icb_code"].tolist() == ["93C", "93C"]
    assert report_of(frame).markers == {"ND": 1} and pd.isna(frame.loc[1, "unique_identifier"])
    path.write_text("\n".join([PCN_HEADER, rows[0].replace(",3,", ",13,")]), encoding="utf-8")
    with pytest.raises(DataFormatError, match="row 2, column CENSUS_MONTH: expected a month"):
        read_pcn_workforce(path)
    path.write_text("\n".join([PCN_HEADER, rows[0].replace(",0.8,", ",most,")]), encoding="utf-8")
    with pytest.raises(DataFormatError, match="row 2, column FTE"):
        read_pcn_workforce(path)
    path.write_text("\n".join([PCN_HEADER, rows[0].replace(",Paramedics,", ",,")]), encoding="utf-8")
    with pytest.raises(DataFormatError, match="row 2, column STAFF_ROLE"):
        read_pcn_workforce(path)
