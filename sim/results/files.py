"""Write results atomically (temp file + rename) and describe a run in a manifest."""

from __future__ import annotations

import json
import os
import platform
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

PACKAGES = ("gpsim", "mesa", "simpy", "numpy", "pandas", "pyarrow", "pydantic", "click", "holidays")


def atomic_write(path: str | Path, writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` then rename onto ``path``: readers never see a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        writer(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; results are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_parquet(df: pd.DataFrame, path: str | Path) -> Path:
    """Parquet via pyarrow, atomically, without the pandas index."""
    return atomic_write(path, lambda p: df.to_parquet(p, engine="pyarrow", index=False))


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
