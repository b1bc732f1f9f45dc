"""Summary rows for where unmet demand went: A&E, NHS 111, UTC, pharmacy, not pursued per 1,000 patients a year.

Counted from the ledger's ``destination`` column over the reporting horizon (requests made on
reporting days, as ``lost``), per practice and rolled up to PCNs and the LGPO, so at every level
the five rows add up to ``unmet_per_1000_year``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config.destinations import DESTINATIONS
from sim.results.cells import code_counts
from sim.results.ledger_codes import LedgerCodes
from sim.results.metrics import Organisation
from sim.results.summary_rows import rows_frame

# summary metric of each destination (registered in sim.results.outcomes)
DESTINATION_METRICS = {
    "a_and_e": "ae_attendances_unmet_per_1000_year",
    "nhs_111": "nhs111_contacts_unmet_per_1000_year",
    "utc": "utc_attendances_unmet_per_1000_year",
    "pharmacy": "pharmacy_contacts_unmet_per_1000_year",
    "not_pursued": "unmet_not_pursued_per_1000_year",
}


def destination_counts(ledger: pd.DataFrame, practices: list[str], codes: LedgerCodes | None = None) -> np.ndarray:
    """Lost requests of the horizon by practice (rows, in ``practices`` order) and destination (columns).

    ``codes``: the ledger's :func:`~sim.results.ledger_codes.ledger_codes` when the caller has them.
    """
    k = len(DESTINATIONS)
    if "destination" not in ledger:
        return np.zeros((len(practices), k), dtype=np.int64)
    dest = ledger["destination"]
    dest_codes = dest.cat.codes.to_numpy() if isinstance(dest.dtype, pd.CategoricalDtype) else \
        pd.Categorical(dest, categories=list(DESTINATIONS)).codes
    col = ledger["practice"]
    if codes is not None:
        practice = codes.positions(practices)
    elif isinstance(col.dtype, pd.CategoricalDtype):  # codes through the categories: no string per row
        cat_index = pd.Index(practices).get_indexer([str(c) for c in col.cat.categories])
        practice = np.append(cat_index, -1)[col.cat.codes.to_numpy()]  # code -1 (missing) -> -1
    else:
        practice = pd.Index(practices).get_indexer(col.astype(str).to_numpy())
    request = ledger["day"].to_numpy() >= 0 if codes is None else codes.request
    return code_counts(practice, np.where(request, dest_codes, -1), k, len(practices))


def destination_summary(ledger: pd.DataFrame, org: Organisation, codes: LedgerCodes | None = None) -> pd.DataFrame:
    """Rows (level, unit, metric, value, units): each destination of unmet demand per 1,000 patients a year."""
    counts = destination_counts(ledger, list(org.practices), codes)
    years = org.horizon_days / 365.25
    sizes = org.list_sizes()
    pcns = list(org.pcns)
    pcn_of = np.array([pcns.index(p) for p in org.practice_pcn], dtype=np.int64)
    pcn_counts = np.zeros((len(pcns), counts.shape[1]), dtype=np.int64)
    np.add.at(pcn_counts, pcn_of, counts)
    units = ([("practice", c, counts[i]) for i, c in enumerate(org.practices)]
             + [("pcn", c, pcn_counts[i]) for i, c in enumerate(pcns)]
             + [("lgpo", org.lgpo, counts.sum(axis=0))])
    rows = []
    for level, unit, n in units:
        size = sizes.get((level, unit), 0)
        per_k_year = 1000.0 / size / years if size and years else np.nan
        for j, d in enumerate(DESTINATIONS):
            rows.append((level, unit, DESTINATION_METRICS[d], float(n[j]) * per_k_year))
    return rows_frame(rows)
