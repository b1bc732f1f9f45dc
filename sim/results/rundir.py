"""Atomic run folders: a run is written into a hidden sibling folder and renamed into place on success.

``gpsim run --out DIR`` killed at any moment leaves either the previous complete ``DIR`` or no new
folder: never new files beside an old run's manifest. The sibling folders are named

* ``.DIR.partial-<pid>-<random>``: a run being written (removed if the run fails);
* ``.DIR.replaced-<pid>-<random>``: the previous run, for the instant between the two renames.

Leftovers of killed runs (whose process is gone) are cleaned, and a previous run caught between the
two renames is put back, the next time a run is written to ``DIR``. ``.*.tmp`` files left inside a
folder by a killed :func:`~sim.results.files.atomic_write` are removed as well.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

RUN_FILES = frozenset({"summary.csv", "daily.parquet", "weekly.parquet", "monthly.parquet", "events.csv",
                       "ledger.parquet", "staff.parquet", "manifest.json", "fte_by_month.csv",
                       "staff_by_month.csv", "closures.csv"})


class OutputError(ValueError):
    """An output folder that cannot be used: where and why."""


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True  # it exists but belongs to someone else
    except (OverflowError, OSError):
        return False  # no such process (or an impossible pid)
    return True


def _owner_pid(path: Path, kind: str) -> int | None:
    """The pid in ``.NAME.<kind>-<pid>-<random>``."""
    rest = path.name.rsplit(f".{kind}-", 1)[-1]
    try:
        return int(rest.split("-", 1)[0])
    except ValueError:
        return None


def clean_stale_tmp(folder: Path) -> list[Path]:
    """Remove ``.*.tmp`` files a killed atomic write left in ``folder``; return what was removed."""
    removed = []
    if folder.is_dir():
        for p in folder.glob(".*.tmp"):
            if p.is_file():
                p.unlink(missing_ok=True)
                removed.append(p)
    return removed


def recover(out: Path) -> list[str]:
    """Clean what killed runs left beside ``out``; put back a previous run caught mid-swap. Return notes."""
    notes: list[str] = []
    parent = out.parent
    if not parent.is_dir():
        return notes
    for kind in ("replaced", "partial"):
        for p in sorted(parent.glob(f".{out.name}.{kind}-*")):
            pid = _owner_pid(p, kind)
            if pid is not None and _pid_alive(pid):
                continue
            if kind == "replaced" and not out.exists():
                p.rename(out)
                notes.append(f"put back the previous run in {out} (a run was killed while replacing it)")
            else:
                shutil.rmtree(p, ignore_errors=True)
                notes.append(f"removed {p.name}, left by a killed run")
    removed = clean_stale_tmp(out)
    if removed:
        notes.append(f"removed {len(removed)} temporary file(s) left in {out} by a killed run")
    return notes


def previous_run(out: Path) -> dict[str, Any] | None:
    """The manifest of the run already in ``out`` (None if there is none or it cannot be read)."""
    try:
        return json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class RunFolder:
    """Write a run into a hidden sibling of ``out`` (``staging``), then :meth:`commit` renames it into place.

    Creating it checks ``out`` can be written (before any simulation) and returns warnings about what
    is already there; use as a context manager so a failed run removes its staging folder.
    """

    def __init__(self, out: str | Path, scenario: str, seed: int, replication: int):
        self.out = Path(out)
        self.warnings: list[str] = []
        if self.out.exists() and not self.out.is_dir():
            raise OutputError(f"--out {self.out} is a file, not a folder; choose a folder name")
        for above in self.out.parents:
            if above.exists():
                if not above.is_dir():
                    raise OutputError(f"--out {self.out} cannot be made: {above} is a file, not a folder")
                break
        try:
            self.warnings += recover(self.out)
        except OSError as exc:
            raise OutputError(f"--out {self.out}: cannot tidy what a killed run left: {exc}") from None
        if self.out.is_dir():
            foreign = sorted(p.name for p in self.out.iterdir() if p.name not in RUN_FILES)
            if foreign:
                shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
                raise OutputError(f"--out {self.out} already holds files a single run does not write ({shown}); "
                                  "a run replaces its whole folder, so choose an empty or new folder")
            old = previous_run(self.out)
            if old is None and any(self.out.iterdir()):
                self.warnings.append(f"{self.out} holds an incomplete run (no readable manifest.json); it will be "
                                     "replaced")
            elif old is not None:
                was = (old.get("scenario"), old.get("seed"), old.get("replication"))
                if was != (scenario, seed, replication):
                    self.warnings.append(
                        f"{self.out} already holds a run of scenario '{was[0]}', seed {was[1]}, replication "
                        f"{was[2]} (manifest.json); it will be replaced by '{scenario}', seed {seed}, replication "
                        f"{replication} when this run finishes")
                else:
                    self.warnings.append(f"{self.out} already holds a run of '{scenario}', seed {seed}; it will be "
                                         "replaced when this run finishes")
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self.staging = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.partial-{os.getpid()}-",
                                                 dir=self.out.parent))
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self.staging, 0o777 & ~umask)  # mkdtemp makes 0700; results are meant to be shared
            probe = self.staging / ".write-test.tmp"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise OutputError(f"--out {self.out} cannot be written: {exc.strerror or exc}"
                              f"{f' ({exc.filename})' if exc.filename else ''}; choose a folder you can write to"
                              ) from None

    def commit(self) -> Path:
        """Move the finished run into place (replacing a previous run in two renames)."""
        old = None
        if self.out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.replaced-{os.getpid()}-", dir=self.out.parent))
            os.rmdir(old)
            os.rename(self.out, old)
        os.rename(self.staging, self.out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return self.out

    def abort(self) -> None:
        """Remove the staging folder (the run failed or was interrupted)."""
        shutil.rmtree(self.staging, ignore_errors=True)

    def __enter__(self) -> RunFolder:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()
