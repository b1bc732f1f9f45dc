"""Appointments in General Practice readers: the real London regional CSVs (CCG era) and small
files in the published sub-ICB-era and practice-crosstab schemas."""

from __future__ import annotations

import csv
import gzip
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from sim.nhsdata import DataFormatError, report_of
from sim.nhsdata.appointments import (
    APPT_MODES,
    APPT_STATUSES,
    BOOKING_INTERVAL_DAYS,
    BOOKING_INTERVALS,
    HCP_TYPES,
    monthly_totals,
    parse_appointment_month,
    read_crosstab_mapping,
    read_practice_crosstab,
    read_regional_csv,
)

DATA = Path(__file__).resolve().parents[2] / "calibration" / "data"
REGIONAL = sorted((DATA / "appointments-london-2019-2021").glob("Regional_CSV_*.csv"))
SUB_ICB_HEADER = ("SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_ONS_CODE,SUB_ICB_LOCATION_NAME,"
                  "ICB_ONS_CODE,ICB_NAME,REGION_ONS_CODE,REGION_NAME,Appointment_Month,APPT_STATUS,"
                  "HCP_TYPE,APPT_MODE,TIME_BETWEEN_BOOK_AND_APPT,COUNT_OF_APPOINTMENTS")
GEO = ("93C,E38000240,NHS North Central London ICB - 93C,E54000028,"
       "NHS North Central London Integrated Care Board,E40000003,London")


@pytest.fixture(scope="module")
def london() -> pd.DataFrame:
    return read_regional_csv(REGIONAL)


def raw_month_sum(month: str) -> int:
    total = 0
    for path in REGIONAL:
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["Appointment_Month"] == month:
                    total += int(row["COUNT_OF_APPOINTMENTS"])
    return total


# ---- real files ---------------------------------------------------------------------------------


def test_real_london_rows_areas_and_months(london):
    assert len(REGIONAL) == 4
    assert len(london) == 43_854
    assert london.attrs["era"] == "ccg"
    assert set(london["sub_icb_code"]) == {"93C", "A3A8R", "72Q", "W2U3Z"}
    assert set(london["region_name"]) == {"London"}
    months = sorted(london["month"].unique())
    assert (pd.Timestamp(months[0]), pd.Timestamp(months[-1])) == (
        pd.Timestamp("2019-03-01"), pd.Timestamp("2021-08-01"))
    assert len(months) == 30
    report = report_of(london)
    assert report.rows_read == report.rows_used == 43_854


def test_real_labels_are_the_published_ones(london):
    assert set(london["time_between_book_and_appt"]) == set(BOOKING_INTERVALS[:8])
    assert "8  to 14 Days" in set(london["time_between_book_and_appt"])  # two spaces, as published
    assert set(london["appt_status"]) == set(APPT_STATUSES)
    assert set(london["hcp_type"]) == set(HCP_TYPES)
    assert set(london["appt_mode"]) == set(APPT_MODES[:5])


@pytest.mark.parametrize("dimension", ["HCP_TYPE", "APPT_MODE", "TIME_BETWEEN_BOOK_AND_APPT",
                                       "APPT_STATUS"])
def test_real_month_totals_match_raw_sum(london, dimension):
    table = monthly_totals(london, dimension, area="region_name")
    row = table.loc[("London", pd.Timestamp("2019-10-01"))]
    assert row["total"] == raw_month_sum("OCT2019") == 3_342_357
    assert row.drop("total").sum() == row["total"]


def test_real_totals_by_sub_icb_and_shares(london):
    table = monthly_totals(london, "TIME_BETWEEN_BOOK_AND_APPT")
    assert list(table.columns) == [*BOOKING_INTERVALS[:8], "total"]
    assert table.index.names == ["sub_icb_code", "month"]
    assert table["total"].sum() == london["count"].sum()
    shares = monthly_totals(london, "appt_status", area=None, shares=True)
    assert shares.drop(columns="total").sum(axis=1).round(9).eq(1).all()
    oct19 = shares.loc[("ALL", pd.Timestamp("2019-10-01"))]
    assert oct19["DNA"] == pytest.approx(229_080 / 3_342_357)
    with pytest.raises(ValueError, match="dimension"):
        monthly_totals(london, "SUPPLIER")


def test_month_parsing_and_interval_constants():
    assert parse_appointment_month("MAR2019") == pd.Timestamp("2019-03-01")
    assert parse_appointment_month("01OCT2025") == pd.Timestamp("2025-10-01")
    with pytest.raises(ValueError):
        parse_appointment_month("2019M3")
    assert BOOKING_INTERVALS[3] == "8  to 14 Days"
    assert BOOKING_INTERVAL_DAYS["8  to 14 Days"] == (8, 14)
    assert BOOKING_INTERVAL_DAYS["More than 28 Days"] == (29, None)


# ---- generated sub-ICB-era regional files -------------------------------------------------------


def regional_rows() -> list[str]:
    rows = []
    for month in ("OCT2025", "NOV2025"):
        for i, interval in enumerate(BOOKING_INTERVALS[:8]):
            rows.append(f"{GEO},{month},Attended,GP,Face-to-Face,{interval},{100 + i}")
        rows.append(f"{GEO},{month},DNA,Other Practice staff,Video Conference/Online,Same Day,7")
    return rows


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_sub_icb_era_file_normalises_like_ccg_era(tmp_path, london):
    frame = read_regional_csv(write(tmp_path / "Regional_CSV_NCLondon.csv",
                                    [SUB_ICB_HEADER, *regional_rows()]))
    assert frame.attrs["era"] == "sub_icb"
    assert list(frame.columns) == list(london.columns)
    table = monthly_totals(frame, "APPT_MODE")
    assert "Video Conference/Online" in table.columns
    assert table.loc[("93C", pd.Timestamp("2025-11-01")), "total"] == sum(range(100, 108)) + 7


def test_gzipped_regional(tmp_path):
    path = tmp_path / "Regional_CSV_NCLondon.csv.gz"
    path.write_bytes(gzip.compress(("\n".join([SUB_ICB_HEADER, *regional_rows()]) + "\n").encode()))
    assert len(read_regional_csv(path)) == 18


def test_single_space_label_is_an_error_naming_row_and_column(tmp_path):
    rows = regional_rows()
    rows[3] = rows[3].replace("8  to 14 Days", "8 to 14 Days")
    path = write(tmp_path / "r.csv", [SUB_ICB_HEADER, *rows])
    with pytest.raises(DataFormatError) as info:
        read_regional_csv(path)
    err = info.value
    assert (err.row, err.column, err.got) == (5, "TIME_BETWEEN_BOOK_AND_APPT", "8 to 14 Days")
    assert str(path) in str(err) and "'8  to 14 Days'" in str(err)


def test_extra_categories_accepts_new_labels(tmp_path):
    rows = regional_rows()
    rows[0] = rows[0].replace(",Face-to-Face,", ",Online Consultation,")
    path = write(tmp_path / "r.csv", [SUB_ICB_HEADER, *rows])
    with pytest.raises(DataFormatError, match="row 2, column APPT_MODE"):
        read_regional_csv(path)
    frame = read_regional_csv(path, extra_categories={"APPT_MODE": ["Online Consultation"]})
    assert "Online Consultation" in monthly_totals(frame, "APPT_MODE").columns


def test_bad_month_count_and_missing_column(tmp_path):
    rows = regional_rows()
    rows[6] = rows[6].replace("OCT2025", "13/2025")
    with pytest.raises(DataFormatError, match="row 8, column Appointment_Month"):
        read_regional_csv(write(tmp_path / "m.csv", [SUB_ICB_HEADER, *rows]))
    rows = regional_rows()
    rows[9] = rows[9].rsplit(",", 1)[0] + ",1 000"
    with pytest.raises(DataFormatError, match="row 11, column COUNT_OF_APPOINTMENTS"):
        read_regional_csv(write(tmp_path / "c.csv", [SUB_ICB_HEADER, *rows]))
    header = SUB_ICB_HEADER.replace("HCP_TYPE,", "")
    with pytest.raises(DataFormatError) as info:
        read_regional_csv(write(tmp_path / "h.csv", [header]))
    assert (info.value.row, info.value.column) == (1, "HCP_TYPE")


# ---- practice-level crosstab --------------------------------------------------------------------

CROSSTAB_HEADER = ("APPOINTMENT_MONTH_START_DATE,GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,"
                   "SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,HCP_TYPE,APPT_MODE,"
                   "NATIONAL_CATEGORY,TIME_BETWEEN_BOOK_AND_APPT,COUNT_OF_APPOINTMENTS,APPT_STATUS")
MAPPING_HEADER = ("GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,"
                  "SUB_ICB_LOCATION_NAME,ICB_CODE,ICB_NAME,REGION_CODE,REGION_NAME")
PRACTICES = [("F83001", "U11111", "93C"), ("F83002", "U11111", "93C"), ("Y00001", "U22222", "15N")]


def crosstab_rows() -> list[str]:
    rows = []
    for code, pcn, sub_icb in PRACTICES:
        for status, count in (("Attended", 50), ("DNA", 4), ("Unknown", 1)):
            rows.append(f"01OCT2025,{code},PRACTICE {code},EMIS,{pcn},PCN {pcn},{sub_icb},"
                        f"SUB ICB {sub_icb},GP,Face-to-Face,General Consultation Acute,Same Day,"
                        f"{count},{status}")
        rows.append(f"01OCT2025,{code},PRACTICE {code},EMIS,{pcn},PCN {pcn},{sub_icb},"
                    f"SUB ICB {sub_icb},Other Practice staff,Telephone,"
                    f"Care Home Needs Assessment & Personalised Care and Support Planning,"
                    f"8  to 14 Days,3,Attended")
    return rows


def mapping_rows() -> list[str]:
    return [f"{code},PRACTICE {code},EMIS,{pcn},PCN {pcn},{sub_icb},SUB ICB {sub_icb},QMJ,"
            f"NCL ICB,Y56,LONDON" for code, pcn, sub_icb in PRACTICES[:2]]


@pytest.fixture
def crosstab_zip(tmp_path: Path) -> Path:
    path = tmp_path / "Practice_Level_Crosstab_Oct_25.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("Practice_Level_Crosstab_Oct_25.csv",
                   "\n".join([CROSSTAB_HEADER, *crosstab_rows()]) + "\n")
        z.writestr("Mapping.csv", "\n".join([MAPPING_HEADER, *mapping_rows()]) + "\n")
    return path


def test_crosstab_zip_with_mapping_and_filter(crosstab_zip):
    mapping = read_crosstab_mapping(crosstab_zip, member="Mapping.csv")
    assert mapping["practice_code"].tolist() == ["F83001", "F83002"]
    full = read_practice_crosstab(crosstab_zip, mapping=mapping, chunksize=5)
    assert len(full) == 12
    assert full["month"].eq(pd.Timestamp("2025-10-01")).all()
    assert full.loc[full["practice_code"] == "F83001", "region_name"].eq("LONDON").all()
    assert any("not in Mapping.csv" in n for n in report_of(full).notes)
    some = read_practice_crosstab(crosstab_zip, sub_icbs=["93C"], chunksize=5)
    assert set(some["practice_code"]) == {"F83001", "F83002"}
    report = report_of(some)
    assert report.excluded == {"outside the selection (SUB_ICB_LOCATION_CODE)": 4}
    assert report.rows_used + report.rows_excluded == report.rows_read == 12
    by_practice = monthly_totals(some, "APPT_STATUS", area="practice_code")
    assert by_practice.loc[("F83001", pd.Timestamp("2025-10-01"))].to_dict() == {
        "Attended": 53, "DNA": 4, "Unknown": 1, "total": 58}
    categories = monthly_totals(some, "NATIONAL_CATEGORY", area="pcn_code")
    assert categories.loc[("U11111", pd.Timestamp("2025-10-01")), "General Consultation Acute"] == 110


def test_crosstab_error_row_counts_across_chunks(tmp_path):
    rows = crosstab_rows()
    rows[9] = rows[9].replace("General Consultation Acute", "General Consultation")
    path = write(tmp_path / "Practice_Level_Crosstab_Oct_25.csv", [CROSSTAB_HEADER, *rows])
    with pytest.raises(DataFormatError) as info:
        read_practice_crosstab(path, chunksize=4)
    assert (info.value.row, info.value.column) == (11, "NATIONAL_CATEGORY")


def test_mapping_duplicate_practice(tmp_path):
    rows = mapping_rows()
    path = write(tmp_path / "Mapping.csv", [MAPPING_HEADER, *rows, rows[0]])
    with pytest.raises(DataFormatError, match="row 4, column GP_CODE"):
        read_crosstab_mapping(path)
