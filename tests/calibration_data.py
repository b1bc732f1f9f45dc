"""The shipped London GPAD files and the seasonal window the calibration tests share (not a test module)."""

from pathlib import Path

from sim.calibrate.observed import month_range

ROOT = Path(__file__).resolve().parents[1]
REGIONAL = sorted((ROOT / "calibration" / "data" / "appointments-london-2019-2021").glob("Regional_CSV_*.csv"))
WINDOW = month_range("2019-03:2020-02")  # the 12 months the seasonal profile spans
DAY_OF_WEEK = (1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0)  # weekday weights: Monday to Friday alike, weekends none
