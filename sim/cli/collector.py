"""Start-up of a command: its imports run with Python's cyclic garbage collector paused, then frozen.

Importing a command's modules (pandas, pyarrow, Numba, Mesa, the pydantic scenario models) allocates
hundreds of thousands of objects that live as long as the process. The collector scanned them again
and again while they were being made: a one-year ``gpsim run`` made three full collections and about
470 young ones, about 0.2 s of CPU at load 25 on 2 cores (``benchmarks/README.md``, start-up). Paused
during the import and frozen afterwards (``gc.freeze``), later collections skip them; what the
command itself allocates is collected as before. Nothing the simulation computes depends on when the
collector runs.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_for_imports() -> Iterator[None]:
    """Pause the cyclic collector while importing, then freeze what exists (later collections skip it)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


@contextlib.contextmanager
def unfrozen_afterwards() -> Iterator[None]:
    """Hand frozen objects back to the collector when the command ends (a test calling commands in-process keeps normal collection)."""
    try:
        yield
    finally:
        gc.unfreeze()
