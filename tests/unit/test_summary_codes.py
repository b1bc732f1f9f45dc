"""Shared ledger codes and compiled row counts: the summaries give the same tables with them as without."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.experiments.runner import build_model, role_kinds
from sim.results.cells import code_counts, equity_counts, row_sums
from sim.results.ledger_codes import ledger_codes
from sim.results.metrics import Organisation, access_counts
from sim.results.summary import patient_continuity, summarise
from sim.results.summary_costs import cost_summary
from sim.results.summary_destination_groups import destination_group_summary
from sim.results.summary_destinations import destination_summary
from sim.results.summary_equity import equity_summary
from sim.results.tables import ledger_frame, staff_days_frame, staff_frame
from tests.conftest import scenario, tiny_mapping


def test_compiled_counts_equal_numpy_bincount_to_the_last_bit():
    rng = np.random.default_rng(3)
    n, cells, k = 5000, 7, 4
    cell = rng.integers(-1, cells, n)
    codes = rng.integers(-1, k, n).astype(np.int8)
    ok = (cell >= 0) & (codes >= 0)
    expected = np.bincount(cell[ok] * k + codes[ok], minlength=cells * k).reshape(cells, k)
    np.testing.assert_array_equal(code_counts(cell, codes, k, cells), expected)
    weights = rng.random(n) * 1e3  # fractions: the order of addition shows in the last bits
    got = row_sums(cell, weights, cells)
    assert got.tobytes() == np.bincount(cell[cell >= 0], weights=weights[cell >= 0], minlength=cells).tobytes()


def test_equity_counts_equal_counts_of_the_selected_rows():
    rng = np.random.default_rng(4)
    n, n_p, n_g = 3000, 3, 5
    practice, patient = rng.integers(0, n_p, n), rng.integers(0, 200, n)
    group_of = rng.integers(0, n_g, 200)
    request, lost, appt = rng.random(n) < 0.9, rng.random(n) < 0.1, rng.random(n) < 0.6
    wait = rng.integers(0, 30, n)
    got = equity_counts(practice, patient, group_of, request, lost, appt, wait, n_p, n_g)
    cell = practice * n_g + group_of[patient]
    for k, (mask, w) in enumerate([(request, None), (lost, None), (appt, None), (appt, wait)]):
        want = np.bincount(cell[mask], weights=None if w is None else w[mask].astype(float), minlength=n_p * n_g)
        np.testing.assert_array_equal(got[k], want.reshape(n_p, n_g).astype(float))


@pytest.fixture(scope="module")
def run():
    """A small three-practice run: the model and its tables."""
    model = build_model(scenario(tiny_mapping(list_sizes=(4000, 3000, 5000), gps=(1, 1, 2), nurses=(1, 0, 1),
                                              days=60, seed=7)), 0)
    model.run()
    return model, ledger_frame(model), staff_frame(model), staff_days_frame(model), Organisation.from_model(model)


def test_every_summary_is_the_same_with_shared_codes_as_without(run):
    model, ledger, staff, staff_days, org = run
    codes = ledger_codes(ledger)
    kinds = role_kinds(staff)
    upc = patient_continuity(ledger, kinds)
    pd.testing.assert_frame_equal(patient_continuity(ledger, kinds, codes), upc, check_exact=True)
    pairs = [
        (access_counts(ledger, org, "week"), access_counts(ledger, org, "week", codes)),
        (summarise(ledger, staff, staff_days, org), summarise(ledger, staff, staff_days, org, upc, codes)),
        (destination_summary(ledger, org), destination_summary(ledger, org, codes)),
        (destination_group_summary(model, ledger, org), destination_group_summary(model, ledger, org, codes)),
        (equity_summary(model, ledger, kinds), equity_summary(model, ledger, kinds, upc, codes)),
        (cost_summary(model, staff, ledger), cost_summary(model, staff, ledger, codes=codes)),
    ]
    for without, with_codes in pairs:
        assert len(without) > 0
        pd.testing.assert_frame_equal(with_codes, without, check_exact=True)


def test_codes_of_a_ledger_with_plain_string_practices_give_the_same_counts(run):
    _, ledger, _, _, org = run
    plain = ledger.assign(practice=ledger["practice"].astype(str), state=ledger["state"].astype(str))
    codes = ledger_codes(plain)
    reordered = list(reversed(org.practices))
    np.testing.assert_array_equal(codes.positions(reordered),
                                  pd.Index(reordered).get_indexer(ledger["practice"].astype(str)))
    np.testing.assert_array_equal(codes.is_state("seen", "dna"), ledger["state"].isin(["seen", "dna"]).to_numpy())
    pd.testing.assert_frame_equal(access_counts(plain, org, "all", codes), access_counts(ledger, org, "all"),
                                  check_exact=True)
