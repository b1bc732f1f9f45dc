"""The 65+ share file (Fingertips 93468) and the tilt of an age mix to a practice's share aged 65+."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.config.scenario import AGE_BANDS
from sim.nhsdata.age65 import (
    OLD_BANDS,
    SHARE_65PLUS_FILE,
    YOUNG_BANDS,
    default_age_mix,
    listed,
    read_share_65plus,
    tilt_age_mix,
)
from sim.nhsdata.errors import DataFormatError

SHIPPED = Path(__file__).resolve().parents[2] / "calibration" / "data" / SHARE_65PLUS_FILE
HEADER = '"Practice.Code","prop65","IMD","Practice.Rurality"'

band_weight = st.floats(min_value=0.001, max_value=1.0, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(weights=st.lists(band_weight, min_size=len(AGE_BANDS), max_size=len(AGE_BANDS)),
       share=st.floats(min_value=0.0, max_value=0.999, allow_nan=False))
def test_tilted_mix_sums_to_one_has_the_share_and_keeps_within_group_ratios(weights, share):
    total = sum(weights)
    base = {b: w / total for b, w in zip(AGE_BANDS, weights, strict=True)}
    mix = tilt_age_mix(base, share)
    assert list(mix) == list(AGE_BANDS)
    assert sum(mix.values()) == pytest.approx(1.0, abs=1e-12)
    assert sum(mix[b] for b in OLD_BANDS) == pytest.approx(share, abs=1e-12)
    for group in (OLD_BANDS, YOUNG_BANDS):
        part = sum(mix[b] for b in group)
        base_part = sum(base[b] for b in group)
        for b in group:
            if part > 1e-9:
                assert mix[b] / part == pytest.approx(base[b] / base_part, rel=1e-9)
            assert mix[b] >= 0.0


def test_tilt_at_the_default_share_gives_the_default_mix_back():
    base = default_age_mix()
    share = sum(base[b] for b in OLD_BANDS)
    assert share == pytest.approx(0.182)
    assert tilt_age_mix(base, share) == pytest.approx(base, abs=1e-12)


@pytest.mark.parametrize("share", [-0.01, 1.0, 1.2, float("nan")])
def test_shares_outside_zero_to_one_are_refused(share):
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        tilt_age_mix(default_age_mix(), share)


def test_the_shipped_file_reads_as_fractions():
    table = read_share_65plus(SHIPPED)
    assert len(table) == 4578
    assert table["practice_code"].is_unique
    assert table["share_65plus"].between(0.0, 0.51).all()
    first = table.iloc[0]
    assert (first["practice_code"], first["row"]) == ("A81001", 2)
    assert first["share_65plus"] == pytest.approx(0.2217217)
    assert set(table["rurality"]) == {"Urban", "Rural"}


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "share65.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_missing_share_column_is_named(tmp_path):
    path = _write(tmp_path, ['"Practice.Code","IMD","Practice.Rurality"', '"A81001",32.3,"Urban"'])
    with pytest.raises(DataFormatError) as err:
        read_share_65plus(path)
    assert (err.value.row, err.value.column) == (1, "prop65")
    assert "share65.csv" in str(err.value)


@pytest.mark.parametrize(("value", "expected"), [("100.5", "0 to 100"), ("-3", "at least 0"),
                                                  ("lots", "a number")])
def test_a_share_outside_0_to_100_names_row_and_column(tmp_path, value, expected):
    path = _write(tmp_path, [HEADER, '"A81001",22.1,32.3,"Urban"', '"A81002",21.0,31.9,"Urban"',
                             f'"A81004",{value},28.0,"Urban"'])
    with pytest.raises(DataFormatError, match=expected) as err:
        read_share_65plus(path)
    assert (err.value.row, err.value.column) == (4, "prop65")
    assert "share65.csv, row 4, column prop65" in str(err.value)


def test_a_repeated_practice_is_refused(tmp_path):
    path = _write(tmp_path, [HEADER, '"A81001",22.1,32.3,"Urban"', '"A81001",21.0,31.9,"Urban"'])
    with pytest.raises(DataFormatError, match="each practice once") as err:
        read_share_65plus(path)
    assert err.value.row == 3


def test_a_long_list_of_practice_codes_is_cut_in_the_note():
    """A note names 12 codes and counts the rest, so a 274-practice area's line stays readable."""
    codes = [f"P{i:03d}" for i in range(115)]
    text = listed(codes)
    assert text.startswith("P000, P001") and text.endswith("P011 and 103 more")
    assert listed(codes[:12]) == ", ".join(codes[:12])
