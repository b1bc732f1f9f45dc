"""DataFormatError messages and ExclusionReport bookkeeping."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.nhsdata import DataFormatError, ExclusionReport, report_of
from sim.nhsdata.errors import attach_report


def test_message_names_file_row_column_expected_and_got():
    err = DataFormatError("data/x.csv", 7, "COUNT", "a whole number", "7a")
    assert str(err) == "data/x.csv, row 7, column COUNT: expected a whole number, got '7a'"
    assert (err.file, err.row, err.column, err.expected, err.got) == (
        "data/x.csv", 7, "COUNT", "a whole number", "7a")
    assert isinstance(err, ValueError)


def test_header_row_is_row_one_and_parts_optional():
    assert "row 1 (the header), column X" in str(DataFormatError("f.csv", 1, "X", "a column X"))
    assert str(DataFormatError("f.zip", None, None, "a CSV member")) == "f.zip: expected a CSV member"


def test_report_counts_and_summary():
    report = ExclusionReport("f.csv", rows_read=10)
    report.exclude("blank row", 2)
    report.exclude("blank row")
    report.exclude("never", 0)
    report.add_missing("TOTAL_GP_FTE", "ND", 4)
    report.add_missing("TOTAL_GP_HC", "ND", 1)
    report.rows_used = 7
    assert report.excluded == {"blank row": 3}
    assert report.rows_excluded == 3 and report.rows_used + report.rows_excluded == report.rows_read
    assert report.missing_total == 5 and report.markers == {"ND": 5}
    text = report.summary()
    assert "10 rows read, 7 used" in text and "excluded 3: blank row" in text and "'ND' x5" in text


def test_report_attached_to_frame():
    frame = attach_report(pd.DataFrame({"a": [1]}), ExclusionReport("f.csv"))
    assert report_of(frame).source == "f.csv"
    with pytest.raises(KeyError):
        report_of(pd.DataFrame())
