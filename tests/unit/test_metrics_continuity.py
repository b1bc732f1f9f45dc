"""Continuity (UPC) metrics on a hand-built ledger whose answers are worked out by hand."""

import datetime as dt

import pandas as pd
import pytest

from sim.results.metrics import Organisation, continuity_by_unit, usual_provider_of_care
from sim.results.summary import _role_kinds

ORG = Organisation(practices=("P1", "P2", "P3"), practice_pcn=("N1", "N1", "N2"), list_size=(100, 100, 100),
                   pcns=("N1", "N2"), lgpo="L", start_date=dt.date(2024, 4, 1), horizon_days=365)


def _ledger() -> pd.DataFrame:
    rows = [  # practice, patient, staff, state, ltc, day, role
        # patient 1 (P1): GP 10 three times, GP 11 once -> UPC 3/4
        *[("P1", 1, 10, "seen", 1, d, "gp") for d in (1, 2, 3)], ("P1", 1, 11, "seen", 1, 4, "gp"),
        ("P1", 1, 20, "seen", 1, 5, "nurse"),   # not a GP: ignored
        ("P1", 1, 11, "dna", 1, 6, "gp"),       # not seen: ignored
        ("P1", 1, 11, "seen", 1, -3, "gp"),     # warm-up: ignored
        # patient 2 (P1): GP 10 and GP 11 once each -> UPC 1/2
        ("P1", 2, 10, "seen", 2, 1, "gp"), ("P1", 2, 11, "seen", 2, 9, "gp"),
        # patient 3 (P1): one GP appointment only -> below min_contacts, no UPC
        ("P1", 3, 10, "seen", 1, 1, "gp"),
        # patient 4 (P2): no long-term condition -> no UPC
        ("P2", 4, 12, "seen", 0, 1, "gp"), ("P2", 4, 12, "seen", 0, 2, "gp"),
        # patient 5 (P2): same GP twice -> UPC 1
        ("P2", 5, 12, "seen", 1, 1, "gp"), ("P2", 5, 12, "seen", 1, 8, "gp"),
        # patient 6 (P3): three GPs, 2/1/1 -> UPC 1/2
        ("P3", 6, 13, "seen", 1, 1, "gp"), ("P3", 6, 13, "seen", 1, 2, "gp"),
        ("P3", 6, 14, "seen", 1, 3, "gp"), ("P3", 6, 15, "seen", 1, 4, "gp"),
    ]
    df = pd.DataFrame(rows, columns=["practice", "patient", "staff", "state", "ltc", "day", "role"])
    df["practice"] = pd.Categorical(df["practice"], categories=list(ORG.practices))
    df["state"] = pd.Categorical(df["state"], categories=["waiting", "seen", "dna", "lost"])
    df["role"] = pd.Categorical(df["role"], categories=["gp", "nurse"])
    return df.assign(role_kind=_role_kinds(df["role"], {"gp": "gp", "nurse": "nurse"}))


def test_upc_per_patient_counts_only_seen_gp_appointments_in_the_horizon():
    upc = usual_provider_of_care(_ledger()).set_index("patient")["upc"]
    assert upc.to_dict() == {1: pytest.approx(0.75), 2: pytest.approx(0.5), 5: pytest.approx(1.0),
                             6: pytest.approx(0.5)}


def test_continuity_is_the_mean_upc_of_each_unit_s_patients():
    cont = continuity_by_unit(_ledger(), ORG).set_index(["level", "unit"])["upc"]
    assert cont[("practice", "P1")] == pytest.approx((0.75 + 0.5) / 2)
    assert cont[("practice", "P2")] == pytest.approx(1.0)
    assert cont[("practice", "P3")] == pytest.approx(0.5)
    assert cont[("pcn", "N1")] == pytest.approx((0.75 + 0.5 + 1.0) / 3)  # patients, not practices, weigh
    assert cont[("pcn", "N2")] == pytest.approx(0.5)
    assert cont[("lgpo", "L")] == pytest.approx((0.75 + 0.5 + 1.0 + 0.5) / 4)
    assert len(cont) == 6


def test_continuity_of_a_ledger_without_qualifying_patients_is_empty():
    led = _ledger()
    led = led[led["ltc"] == 0]
    assert continuity_by_unit(led, ORG).empty
    assert usual_provider_of_care(led).empty
