"""A ``gpsim calibrate --out`` folder's calibrated sample of one STP, for the calibration tools.

Shared by ``tools/calibration_noise.py`` and ``tools/season_correction_check.py``: the fitted STP's
sample at its fitted rate and profile, or a ``--transfer`` STP's at its refitted rate and own
profile, with its seasonal target (the other areas' profile, the STP left out) and the window.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.calibrate.level import with_rate  # noqa: E402
from sim.calibrate.observed import load_area, read_appointments  # noqa: E402
from sim.calibrate.sample import simulation_mapping  # noqa: E402
from sim.calibrate.transfer_season import TransferSeason  # noqa: E402
from sim.config.loading import load_scenario  # noqa: E402

DATA = ROOT / "calibration" / "data"
MAP, PATIENTS = DATA / "gp-reg-pat-prac-map_2022-01.csv", DATA / "gp-reg-pat-prac-all_2021-01.csv"
AGES = DATA / "practice-share-65plus-imd-rurality.csv.gz"


def calibrated_sample(out: Path, code: str, practices: int | None = None
                      ) -> tuple[dict, list[float], list[pd.Timestamp]]:
    """(sample mapping, target profile, seasonal window) of ``code`` in the calibration ``out``.

    ``practices`` defaults to the calibration's own sample size. The sample's practices get the
    age mix the calibration gave them: tilted to their 65+ share where its manifest says so.
    """
    manifest = json.loads((out / "calibration.json").read_text())
    info = manifest["seasonality"]
    window = [pd.Timestamp(m) for m in info["window"]]
    full = load_scenario(out / "calibrated.yaml").model_dump(mode="json")
    full.pop("ensemble", None)
    area = load_area(code, MAP, PATIENTS)
    if code == manifest["area"]["stp"]:
        rate, profile = full["demand"]["rate_multiplier"], full["demand"]["monthly_seasonality"]
        target = info["observed_profile"]
    else:
        entry = next(t for t in manifest["acceptance"]["transfer"] if t["stp"] == code)
        rate, profile = entry["level"]["rate_multiplier"], entry["monthly_seasonality"]
        appointments = read_appointments(sorted((DATA / "appointments-london-2019-2021").glob("*.csv*")))
        season = TransferSeason(appointments, window, full["demand"]["day_of_week"], info["values"],
                                info["observed_profile"])
        target = season.own_target(area.sub_icb_codes)
    sample = manifest["sample"]
    ages = AGES if "tilted" in str(sample.get("age_mix", "")) else None
    mapping, _ = simulation_mapping(area, practices or len(sample["practices"]), full, MAP, PATIENTS, None, ages)
    mapping = with_rate({**mapping, "demand": {**mapping["demand"], "monthly_seasonality": list(profile)}},
                        rate)
    return mapping, list(target), window
