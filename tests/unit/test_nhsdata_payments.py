"""NHS Payments to General Practice reader: the real 2019-20 and 2022-23 files and small bad files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.costs.income import area_income
from sim.nhsdata import DataFormatError, report_of
from sim.nhsdata.payments import practice_income, read_payments

DATA = Path(__file__).resolve().parents[2] / "calibration" / "data"
P1920 = DATA / "payments-to-general-practice_2019-20.csv.gz"
P2223 = DATA / "payments-to-general-practice_2022-23.csv.gz"


@pytest.fixture(scope="module")
def p1920() -> pd.DataFrame:
    return read_payments(P1920)


@pytest.fixture(scope="module")
def p2223() -> pd.DataFrame:
    return read_payments(P2223)


def test_real_2019_20(p1920):
    assert len(p1920) == 7001 and p1920["practice_code"].is_unique
    row = p1920.set_index("practice_code").loc["E83003"]
    assert (row["sub_icb_code"], row["pcn_code"], row["pcn_name"]) == ("07M", "U33392", "BARNET 2 PCN")
    assert row["registered_patients"] == 9023.5 and row["weighted_patients"] == 8292.59
    assert row["global_sum"] == 730443.21 and row["pcn_participation"] == 14498.05
    assert row["gp_transformation"] == 7394.47  # "General Practice Forward View" in 2019-20
    assert row["open_date"] == pd.Timestamp("1985-04-01") and pd.isna(row["close_date"])
    report = report_of(p1920)
    assert report.markers == {"N/A": 230}  # the averages of 115 practices without patients
    assert p1920["pcn_code"].isna().sum() == 287
    assert round(p1920["total_payments"].sum() / 1e9, 3) == 9.377  # GBP 9.377bn, England


def test_real_2022_23_bom_and_shifted_labels(p2223):
    assert len(p2223) == 6669
    row = p2223.set_index("practice_code").loc["A81001"]
    # published under the labels CCG Code / Sub ICB NAME / Code / CCG NAME
    assert (row["sub_icb_code"], row["sub_icb_name"]) == ("16C", "NHS NORTH EAST AND NORTH CUMBRIA ICB - 16C")
    assert (row["pcn_code"], row["pcn_name"]) == ("U89141", "STOCKTON PCN")
    assert row["region_code"] == "Y63"  # the BOM did not reach the first label
    assert row["gp_transformation"] == 0.0 and row["total_payments"] == 720462.51
    assert "PCN Workforce" in p2223.columns and "winter Access Fund" in p2223.columns
    assert any("shifted" in note for note in report_of(p2223).notes)
    assert round(p2223["total_payments"].sum() / 1e9, 2) == 10.23
    assert round(p2223["registered_patients"].sum() / 1e6, 1) == 62.1
    # a London sub-ICB is all there
    assert (p2223["sub_icb_code"] == "A3A8R").sum() > 200


def test_practice_income_and_area_totals(p2223):
    income = practice_income(p2223, ["E83003", "NOPE1"])
    first = income.iloc[0]
    assert first["core_contract_gbp"] == pytest.approx(828319.14)
    assert first["need_index"] == pytest.approx(8551.29 / 9333.5)
    assert income.iloc[1].isna()[["total_payments_gbp", "registered_patients"]].all()
    barnet = p2223.loc[p2223["pcn_code"] == "U33392", "practice_code"].tolist()
    table = area_income(p2223, barnet, area="BARNET")
    area = table[table["level"] == "lgpo"].iloc[0]
    pcn = table[table["level"] == "pcn"].iloc[0]
    practices = table[table["level"] == "practice"]
    assert area["total_payments_gbp"] == pytest.approx(practices["total_payments_gbp"].sum())
    assert pcn["registered_patients"] == pytest.approx(practices["registered_patients"].sum())
    assert area["missing_practices"] == 0


HEADER_1920 = ("NHS England (Region) code,NHS England (Region) Name,CCG Code,CCG NAME,PCN Code,"
               "PCN Name,Practice Code,Practice Name,Practice Address,Practice Postcode,"
               "Practice Open Date,Practice Close Date,Contract Type,Dispensing Practice,"
               "Practice Type,Practice Rurality,Atypical Characteristics,"
               "Number of Registered Patients (Last Known Figure),"
               "Number of Weighted Patients (Last Known Figure),Global Sum,Total QOF Payments,"
               "Total NHS Payments to General Practice")


def row_1920(code="E83003", pcn="U33392", patients="9000", gs="700000.5", open_="01/04/1985"):
    return (f"Y56,LONDON,07M,NHS BARNET CCG,{pcn},BARNET 2 PCN,{code},A SURGERY,1 HIGH ST,N20 0DH,"
            f"{open_},,GMS,No,GP practice,Urban,,{patients},8000,{gs},90000,1000000")


def write(path: Path, header: str, rows: list[str], bom: bool = False) -> Path:
    text = "\n".join([header, *rows]) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_small_file_absent_columns_are_noted(tmp_path):
    frame = read_payments(write(tmp_path / "p.csv", HEADER_1920,
                                [row_1920(), row_1920("E83005", "Unknown or no PCN", gs="ND")]))
    assert frame["practice_code"].tolist() == ["E83003", "E83005"]
    assert pd.isna(frame.loc[1, "pcn_code"]) and pd.isna(frame.loc[1, "global_sum"])
    report = report_of(frame)
    assert report.markers == {"ND": 1}
    assert any("'Premises Payments'" in note for note in report.notes)
    assert frame["premises"].isna().all()


def test_shifted_layout_with_bom(tmp_path):
    header = HEADER_1920.replace("CCG NAME,PCN Code,PCN Name", "Sub ICB NAME,Code,CCG NAME")
    frame = read_payments(write(tmp_path / "p.csv", header, [row_1920()], bom=True))
    assert frame.loc[0, "pcn_code"] == "U33392" and frame.loc[0, "pcn_name"] == "BARNET 2 PCN"
    assert frame.loc[0, "sub_icb_name"] == "NHS BARNET CCG"


def test_bad_number_names_file_row_and_column(tmp_path):
    path = write(tmp_path / "bad.csv", HEADER_1920, [row_1920(), row_1920("E83005", gs="12.5x")])
    with pytest.raises(DataFormatError) as info:
        read_payments(path)
    err = info.value
    assert (err.row, err.column, err.got) == (3, "Global Sum", "12.5x")
    assert str(path) in str(err)


def test_negative_patients_and_bad_pcn_code_are_errors(tmp_path):
    with pytest.raises(DataFormatError, match="row 2, column Number of Registered Patients"):
        read_payments(write(tmp_path / "neg.csv", HEADER_1920, [row_1920(patients="-3")]))
    with pytest.raises(DataFormatError) as info:
        read_payments(write(tmp_path / "pcn.csv", HEADER_1920, [row_1920(pcn="BARNET 2 PCN")]))
    assert (info.value.row, info.value.column) == (2, "PCN Code")


def test_missing_column_duplicate_practice_and_bad_date(tmp_path):
    header = HEADER_1920.replace(",Global Sum", "")
    row = row_1920().replace(",700000.5", "")
    with pytest.raises(DataFormatError) as info:
        read_payments(write(tmp_path / "col.csv", header, [row]))
    assert (info.value.row, info.value.column) == (1, "Global Sum")
    with pytest.raises(DataFormatError, match="row 3, column Practice Code: expected each practice once"):
        read_payments(write(tmp_path / "dup.csv", HEADER_1920, [row_1920(), row_1920()]))
    with pytest.raises(DataFormatError, match="row 2, column Practice Open Date"):
        read_payments(write(tmp_path / "date.csv", HEADER_1920, [row_1920(open_="April 1985")]))
