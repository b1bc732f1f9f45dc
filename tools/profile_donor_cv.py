"""Could the other areas' profiles be combined better than the forecast's plain mean? FIT months only.

Usage: ``python tools/profile_donor_cv.py [FIT]`` (default ``2019-04:2019-09``). For each STP in the
shipped London appointment files it predicts the STP's attended appointments per working day in
held-back fit months from its other fit months, two ways:

* ``equal``: the simple forecast's rule, the other STPs' profiles (each normalised over the training
  months) averaged with equal weights, times the STP's level on the training months;
* ``donor``: the same with simplex weights on the other STPs fitted to the training months (a
  synthetic-control profile, after Abadie et al. 2010), and shrunk towards equal weights by
  ``lam`` (0 = equal, 1 = fitted).

Two splits of the six fit months: leave one month out, and forward (first 3, 4, 5 months predict
the rest). It prints the mean absolute % error of each. It also prints each STP's registered list
growth between the two shipped patients files (January 2021 to March 2026), the other candidate for
information the forecast lacks. No held-out month (October 2019 onwards) is read.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.calibrate.observed import month_range, read_appointments, working_days  # noqa: E402

DATA = ROOT / "calibration" / "data"
FILES = sorted((DATA / "appointments-london-2019-2021").glob("Regional_CSV_*.csv"))
STPS = {"A3A8R": "QMF", "72Q": "QKK", "W2U3Z": "QRV", "93C": "QMJ"}


def per_working_day(fit: list[pd.Timestamp]) -> pd.DataFrame:
    """Attended appointments per working day, area x fit month."""
    rows = read_appointments(FILES)
    rows = rows.loc[(rows["appt_status"] == "Attended") & rows["month"].isin(fit)]
    table = rows.groupby(["sub_icb_code", "month"])["count"].sum().unstack("month")
    return table.div(pd.Series({m: working_days(m) for m in table.columns}), axis=1)


def predict(y: pd.DataFrame, area: str, weights: np.ndarray, train: list, test: list) -> pd.Series:
    """The area's per-day rate in ``test`` from its ``train`` level and the donors' weighted profile."""
    donors = y.drop(index=area)
    profile = donors.div(donors[train].mean(axis=1), axis=0)
    combined = (profile.T @ weights).T
    level = y.loc[area, train].sum() / combined[train].sum()
    return level * combined[test]


_WEIGHTS: dict[tuple, np.ndarray] = {}


def fitted_weights(y: pd.DataFrame, area: str, train: list) -> np.ndarray:
    """Simplex weights on the donors minimising squared relative error over ``train`` (cached)."""
    key = (area, tuple(train))
    if key not in _WEIGHTS:
        _WEIGHTS[key] = _fit_weights(y, area, train)
    return _WEIGHTS[key]


def _fit_weights(y: pd.DataFrame, area: str, train: list) -> np.ndarray:
    """The optimisation behind :func:`fitted_weights`."""
    observed = y.loc[area, train]

    def loss(z: np.ndarray) -> float:
        w = np.exp(z) / np.exp(z).sum()
        return float((((predict(y, area, w, train, train) - observed) / observed) ** 2).sum())

    n = len(y) - 1
    z = minimize(loss, np.zeros(n), method="Nelder-Mead",
                 options={"xatol": 1e-7, "fatol": 1e-14, "maxiter": 5000}).x
    return np.exp(z) / np.exp(z).sum()


def cv_mape(y: pd.DataFrame, area: str, splits: list, lam: float) -> float:
    """Mean absolute % error over the splits' test months, weights shrunk by ``lam``."""
    n = len(y) - 1
    errors = []
    for train, test in splits:
        w = np.full(n, 1.0 / n) if lam == 0 else lam * fitted_weights(y, area, train) + (1 - lam) / n
        errors += list(np.abs(predict(y, area, w, train, test) / y.loc[area, test] - 1) * 100)
    return float(np.mean(errors))


def list_growth() -> pd.DataFrame:
    """Each STP's registered patients, January 2021 and March 2026, practices in both files."""
    practice_map = pd.read_csv(DATA / "gp-reg-pat-prac-map_2022-01.csv", usecols=["PRACTICE_CODE", "STP_CODE"])
    lists = []
    for name, col in (("gp-reg-pat-prac-all_2021-01.csv", "n_2021_01"), ("gp-reg-pat-prac-all_2026-03.csv", "n_2026_03")):
        frame = pd.read_csv(DATA / name, usecols=["CODE", "NUMBER_OF_PATIENTS"])
        lists.append(frame.rename(columns={"CODE": "PRACTICE_CODE", "NUMBER_OF_PATIENTS": col}))
    both = practice_map.merge(lists[0], on="PRACTICE_CODE").merge(lists[1], on="PRACTICE_CODE")
    out = both.loc[both["STP_CODE"].isin(STPS.values())].groupby("STP_CODE")[["n_2021_01", "n_2026_03"]].sum()
    out["growth_pct_a_year"] = ((out["n_2026_03"] / out["n_2021_01"]) ** (12 / 62) - 1) * 100
    return out


def main(fit_text: str = "2019-04:2019-09") -> None:
    """Print the cross-validated errors per STP and shrinkage, and the list growth."""
    fit = month_range(fit_text)
    y = per_working_day(fit)
    splits = {"leave one month out": [([m for m in fit if m != t], [t]) for t in fit],
              "forward": [(fit[:k], fit[k:]) for k in range(3, len(fit))]}
    print(f"fit months {fit_text}; MAPE % of held-back fit months, equal weights (the forecast's rule) / donor weights")
    for name, split in splits.items():
        print(f"\n{name}")
        print("lam   " + "  ".join(f"{STPS.get(a, a):>13}" for a in y.index) + "  mean of the STPs")
        for lam in (0.25, 0.5, 0.75, 1.0):
            pairs = [(cv_mape(y, a, split, 0), cv_mape(y, a, split, lam)) for a in y.index]
            cells = [f"{e:6.2f}/{d:5.2f}" for e, d in pairs]
            mean = f"{np.mean([e for e, _ in pairs]):6.2f}/{np.mean([d for _, d in pairs]):5.2f}"
            print(f"{lam:4.2f}  " + "  ".join(f"{c:>13}" for c in cells) + f"  {mean:>13}")
    print("\ndonor weights on all six fit months:")
    for a in y.index:
        w = fitted_weights(y, a, fit)
        print(f"  {STPS.get(a, a)}: " + ", ".join(f"{STPS.get(d, d)} {v:.2f}" for d, v in zip(y.drop(index=a).index, w, strict=True)))
    print("\nregistered list growth (practices in both shipped patients files):")
    print(list_growth().round(2).to_string())


if __name__ == "__main__":
    main(*sys.argv[1:])
