"""Row-appendable arrays: staff joining mid-run add rows without copying the whole array each time.

``np.vstack`` copies every existing row on each join (a borough year has hundreds of joiners and
per-staff-per-day arrays of several MB). :func:`append_rows` keeps spare rows after the end of a
buffer and returns a view of the rows in use, growing the buffer geometrically (amortised O(rows
added)). The view is a C-contiguous prefix of its buffer, so compiled kernels see the same type.
"""

from __future__ import annotations

import numpy as np

SPARE_SHARE = 0.25  # spare rows kept on a reallocation, as a share of the rows in use (geometric growth)
MIN_SPARE = 8  # and at least this many


def append_rows(arr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``arr`` with ``rows`` appended along axis 0 (as ``np.vstack``); the caller replaces ``arr`` with the result."""
    n, k = arr.shape[0], rows.shape[0]
    buf = arr.base
    in_place = (isinstance(buf, np.ndarray) and buf.dtype == arr.dtype and buf.shape[1:] == arr.shape[1:]
                and buf.shape[0] >= n + k and arr.flags.c_contiguous and buf.flags.c_contiguous
                and arr.__array_interface__["data"][0] == buf.__array_interface__["data"][0])
    if not in_place:
        cap = n + max(k, int(n * SPARE_SHARE), MIN_SPARE)
        buf = np.empty((cap, *arr.shape[1:]), dtype=arr.dtype)
        buf[:n] = arr
    buf[n:n + k] = rows
    return buf[:n + k]


def append_items(arr: np.ndarray, items: np.ndarray) -> np.ndarray:
    """One-dimensional :func:`append_rows` (as ``np.append`` / ``np.concatenate``)."""
    return append_rows(arr, np.asarray(items, dtype=arr.dtype))
