"""Write results atomically (temp file + rename) and describe a run in a manifest."""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from sim.config.atomic import atomic_write

#: Parquet dictionary page limit (bytes): a column with more distinct values than fit falls back to plain
#: encoding once its dictionary reaches this size. pyarrow's default (1 MiB) made the writer build and drop
#: near-complete dictionaries of the ledger's request ids and durations: a third of ``ledger.parquet``'s
#: write time, for a file 6% larger than with this limit. Same values and types on reading.
DICT_PAGE_BYTES = 64 * 1024

PACKAGES = ("gpsim", "mesa", "simpy", "numpy", "pandas", "pyarrow", "pydantic", "click", "holidays")


def write_parquet(df: pd.DataFrame, path: str | Path) -> Path:
    """Parquet via pyarrow, atomically, without the pandas index."""
    return atomic_write(path, lambda p: df.to_parquet(p, engine="pyarrow", index=False,
                                                      dictionary_pagesize_limit=DICT_PAGE_BYTES))


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """CSV a spreadsheet opens, atomically."""
    return atomic_write(path, lambda p: df.to_csv(p, index=False, float_format="%.6g"))


def write_json(obj: Any, path: str | Path) -> Path:
    """Pretty JSON, atomically."""
    return atomic_write(path, lambda p: p.write_text(json.dumps(obj, indent=2, default=str) + "\n",
                                                     encoding="utf-8"))


def package_versions() -> dict[str, str]:
    """Versions of the packages that decide the results, plus Python's."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out
