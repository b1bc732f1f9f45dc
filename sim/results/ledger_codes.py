"""Integer views of a request ledger's columns, made once a run and shared by every summary that reads them.

Each summary (access counts, continuity, equity, costs, destinations) used to turn the same columns
into numpy arrays itself: the practice codes, the state, the appointment day and wait (nullable
integers, so each conversion is a full copy), whether a request was made in the horizon. A ledger
of a PCN year has 300,000 rows, so every repeat cost a few milliseconds; :func:`ledger_codes` does
each once and the summaries take the result as an optional argument (made from the ledger if not given).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["LedgerCodes", "ledger_codes"]


@dataclass(frozen=True)
class LedgerCodes:
    """The ledger's practice, state and appointment columns as numpy arrays (one entry per row)."""

    practice: np.ndarray  # int64 index into practice_labels; -1 missing
    practice_labels: list[str]  # the practice column's categories (or first-seen values), as strings
    state: np.ndarray  # index into state_names; -1 missing
    state_names: list[str]
    request: np.ndarray  # bool: made on a reporting day (day >= 0)
    appt_day: np.ndarray  # int64 reporting day of the appointment; -1 where there is none
    wait: np.ndarray  # int64 days from request to appointment; 0 where there is none
    appt: np.ndarray  # bool: seen or DNA, with an appointment day
    _positions: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def is_state(self, *names: str) -> np.ndarray:
        """Boolean array: each row's state is one of ``names`` (compared on the integer codes)."""
        hit = np.array([n in names for n in self.state_names] + [False], dtype=bool)
        return hit[self.state]  # code -1 (missing) takes the last: False

    def positions(self, practices: list[str] | tuple[str, ...]) -> np.ndarray:
        """Each row's position in ``practices`` (-1 if not one of them); the codes themselves when they agree."""
        key = tuple(practices)
        if key not in self._positions:
            if list(key) == self.practice_labels:
                self._positions[key] = self.practice
            else:
                lookup = np.append(pd.Index(list(key)).get_indexer(self.practice_labels), -1).astype(np.int64)
                self._positions[key] = lookup[self.practice]
        return self._positions[key]


def ledger_codes(ledger: pd.DataFrame) -> LedgerCodes:
    """The integer views of ``ledger`` (a run's ledger table: practice, day, state, appt_day, wait_days)."""
    col = ledger["practice"]
    if isinstance(col.dtype, pd.CategoricalDtype):
        practice = col.cat.codes.to_numpy().astype(np.int64)
        labels = [str(c) for c in col.cat.categories]
    else:
        practice, uniques = pd.factorize(col.astype(str))
        practice, labels = practice.astype(np.int64), [str(u) for u in uniques]
    state = ledger["state"] if isinstance(ledger["state"].dtype, pd.CategoricalDtype) else \
        ledger["state"].astype("category")
    state_codes = state.cat.codes.to_numpy()
    names = [str(c) for c in state.cat.categories]
    appt_day = ledger["appt_day"].to_numpy(dtype=np.int64, na_value=-1)
    hit = np.array([n in ("seen", "dna") for n in names] + [False], dtype=bool)
    return LedgerCodes(practice=practice, practice_labels=labels, state=state_codes, state_names=names,
                       request=ledger["day"].to_numpy() >= 0, appt_day=appt_day,
                       wait=ledger["wait_days"].to_numpy(dtype=np.int64, na_value=0),
                       appt=hit[state_codes] & (appt_day >= 0))
