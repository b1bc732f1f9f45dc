"""Care navigation at the front door: which handled contacts a care navigator sends elsewhere.

Each contact handled at a navigating practice gets a target by inverse CDF of its practice's shares
for its need type (:class:`sim.config.front_door_interventions.CareNavigation`) from its own hashed
uniform (common random numbers: the same contact gets the same uniform in every scenario of a seed).
Navigated contacts end in the ledger state NAVIGATED with ``navigated_to`` set; the rest go on.
"""

from __future__ import annotations

import numpy as np

NOT_NAVIGATED = -1


def navigation_targets(shares: np.ndarray, practice: np.ndarray, need: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Target code of each contact (index into NAVIGATION_TARGETS), or NOT_NAVIGATED.

    ``shares`` is (practice, need, target), each row summing to at most 1; ``u`` uniforms in [0, 1).
    """
    cum = np.cumsum(shares[practice, need], axis=1)
    target = (u[:, None] >= cum).sum(axis=1)
    return np.where(target < shares.shape[2], target, NOT_NAVIGATED).astype(np.int8)


def share_array(shares: dict[str, dict[str, float]], need_names: list[str], targets: tuple[str, ...]) -> np.ndarray:
    """(need, target) shares from the config mapping; needs not named are not navigated."""
    out = np.zeros((max(len(need_names), 1), len(targets)))
    for need, row in shares.items():
        k = need_names.index(need)
        out[k] = [row.get(t, 0.0) for t in targets]
    return out
