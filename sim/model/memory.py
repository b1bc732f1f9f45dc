"""Process-wide memory settings for runs that allocate arrays of millions of rows.

numpy asks the kernel for transparent huge pages (``madvise(MADV_HUGEPAGE)``) for every array of
4 MiB or more. On a kernel whose THP ``defrag`` setting is ``madvise`` (the default of many
distributions) the first touch of such an array faults in 2 MiB pages that the kernel must find and
zero synchronously. On the project machine that made a borough run's build take 3-4 s of CPU instead
of 0.8 s and its summaries 1-3 s instead of 0.4-1 s, varying from run to run in one process
(benchmarks/README.md, "Summaries and start-up, December"). Memory advice changes no result.
"""

from __future__ import annotations

import os

import numpy as np

ENV = "NUMPY_MADVISE_HUGEPAGE"  # numpy's own switch (numpy >= 1.20); when set, it is left to decide


def ordinary_pages() -> bool:
    """Stop numpy advising huge pages for new arrays, unless ``NUMPY_MADVISE_HUGEPAGE`` is set; True if changed."""
    if os.environ.get(ENV) is not None:
        return False
    core = getattr(np, "_core", None) or np.core  # numpy 2 / numpy 1 name of the compiled core
    setter = getattr(core.multiarray, "_set_madvise_hugepage", None)
    if setter is None:
        return False
    setter(False)
    return True
