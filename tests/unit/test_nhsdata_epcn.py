"""ePCN workbook reader: the real (about December 2019) copy and small generated workbooks."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from sim.nhsdata import DataFormatError, report_of
from sim.nhsdata.epcn import read_epcn, read_pcn_details, read_pcn_partners

EPCN = Path(__file__).resolve().parents[2] / "calibration" / "data" / "ePCN_2020ish.xlsx"

DETAILS = ["PCN Code", "PCN Name", "Current Sub ICB Location Code", "Sub ICB Location Name",
           "Open Date (YYYYMMDD)", "Close Date", "Address Line 1", "Address Line 2",
           "Address Line 3", "Address Line 4", "Address Line 5", "Postcode"]
PARTNERS = ["Partner Organisation Code", "Partner Name", "Practice Parent Sub ICB Location Code",
            "Practice Parent Sub ICB Location Name", "PCN Code", "PCN Name",
            "PCN Parent Sub ICB Location Code", "PCN Parent Sub ICB Location Name",
            "Practice to PCN Relationship Start Date", "Practice to PCN Relationship End Date",
            "Practice Sub ICB Location and PCN Sub ICB Location match?"]


@pytest.fixture(scope="module")
def real() -> tuple[pd.DataFrame, pd.DataFrame]:
    return read_epcn(EPCN, current_only=False)


def test_real_workbook_counts_and_known_rows(real):
    details, partners = real
    assert len(details) == 1250 and details["pcn_code"].is_unique
    assert len(partners) == 6757
    first = details.iloc[0]
    assert (first["pcn_code"], first["pcn_name"], first["sub_icb_code"]) == (
        "U35980", "CENTRAL LIVERPOOL PCN", "99A")
    assert first["open_date"] == pd.Timestamp("2019-10-01") and pd.isna(first["close_date"])
    assert first["row"] == 2
    # PCN Name in the partner sheet is a VLOOKUP; its cached value is read
    row = partners.iloc[0]
    assert (row["practice_code"], row["pcn_code"], row["pcn_name"]) == (
        "A83005", "U45102", "DARLINGTON PCN")
    assert (~partners["sub_icb_match"]).sum() == 30
    assert set(partners["pcn_code"]) <= set(details["pcn_code"])
    assert partners["end_date"].isna().all()  # so current_only keeps every relationship


def write_book(path: Path, details: list[list], partners: list[list],
               details_header=DETAILS, partners_header=PARTNERS) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "PCN Details"
    for row in [details_header, *details]:
        sheet.append(row)
    sheet = book.create_sheet("PCN Core Partner Details")
    for row in [partners_header, *partners]:
        sheet.append(row)
    book.save(path)
    return path


DETAIL_ROWS = [
    ["U11111", "CAMDEN HEALTH PCN", "93C", "NHS NORTH CENTRAL LONDON ICB - 93C", 20190701, None,
     "1 HIGH ST", None, None, "LONDON", None, "NW1 1AA"],
    ["U22222", "OLD PCN", "93C", "NHS NORTH CENTRAL LONDON ICB - 93C", "20190701", "20230331",
     None, None, None, None, None, "N1 1AA"],
]


def partner(code: str, pcn: str, end=None, name="=VLOOKUP(E2,'PCN Details'!A:B,2,FALSE)") -> list:
    return [code, f"PRACTICE {code}", "93C", "NCL", pcn, name, "93C", "NCL", 20190701, end, True]


def test_sub_icb_headers_formula_names_and_ended_relationships(tmp_path):
    path = write_book(tmp_path / "ePCN.xlsx", DETAIL_ROWS,
                      [partner("F83001", "U11111"), partner("F83002", "U22222", 20230331),
                       partner("F83003", "U11111", name="CAMDEN HEALTH PCN")])
    details = read_pcn_details(path, open_only=True)
    assert details["pcn_code"].tolist() == ["U11111"]
    assert report_of(details).excluded == {"PCN closed (Close Date given)": 1}
    partners = read_pcn_partners(path)
    assert partners["practice_code"].tolist() == ["F83001", "F83003"]
    assert partners["pcn_name"].tolist() == ["CAMDEN HEALTH PCN", "CAMDEN HEALTH PCN"]
    report = report_of(partners)
    assert report.excluded == {"relationship ended (End Date given)": 1}
    assert any("no cached value" in note for note in report.notes)
    everything = read_pcn_partners(path, current_only=False)
    assert everything.loc[1, "end_date"] == pd.Timestamp("2023-03-31")


def test_bad_date_names_sheet_row_and_column(tmp_path):
    rows = [list(r) for r in DETAIL_ROWS]
    rows[1][4] = "July 2019"
    path = write_book(tmp_path / "bad.xlsx", rows, [])
    with pytest.raises(DataFormatError) as info:
        read_pcn_details(path)
    err = info.value
    assert (err.row, err.column, err.got) == (3, "Open Date (YYYYMMDD)", "July 2019")
    assert "PCN Details" in str(err) and str(path) in str(err)


def test_missing_column_and_sheet(tmp_path):
    header = [h for h in PARTNERS if h != "PCN Code"]
    path = write_book(tmp_path / "nocol.xlsx", DETAIL_ROWS, [], partners_header=header)
    with pytest.raises(DataFormatError) as info:
        read_pcn_partners(path)
    assert (info.value.row, info.value.column) == (1, "PCN Code")
    book = openpyxl.Workbook()
    book.active.title = "Something else"
    book.save(tmp_path / "nosheet.xlsx")
    with pytest.raises(DataFormatError, match="sheet named 'PCN Details'"):
        read_pcn_details(tmp_path / "nosheet.xlsx")
    (tmp_path / "text.xlsx").write_text("not a workbook")
    with pytest.raises(DataFormatError, match="xlsx workbook"):
        read_pcn_details(tmp_path / "text.xlsx")


def test_blank_required_cell(tmp_path):
    rows = [list(r) for r in DETAIL_ROWS]
    rows[0][0] = None
    path = write_book(tmp_path / "blank.xlsx", rows, [])
    with pytest.raises(DataFormatError, match="row 2, column PCN Code"):
        read_pcn_details(path)
