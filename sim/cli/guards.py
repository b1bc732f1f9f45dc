"""Checks the commands make before any simulation: memory for the scenario, a writable output folder.

Each turns a problem into a :class:`click.ClickException` (exit code 1) naming the file or folder and
what to change, so nothing fails after minutes of simulation or with a traceback.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import click

from sim.config.checks import memory_problem
from sim.config.scenario import Scenario
from sim.results.rundir import OutputError, RunFolder


def check_memory(sc: Scenario, source: str | Path, copies: int = 1) -> None:
    """Refuse a scenario whose estimated peak memory exceeds what this machine has available."""
    problem = memory_problem(sc, copies=copies)
    if problem:
        raise click.ClickException(f"{source}: {problem}")


def open_run_folder(out: Path, sc: Scenario, replication: int, warn):
    """A :class:`~sim.results.rundir.RunFolder` for ``out`` (checked writable now); ``warn`` gets its notes."""
    try:
        folder = RunFolder(out, sc.name, sc.seed, replication)
    except OutputError as exc:
        raise click.ClickException(str(exc)) from None
    for note in folder.warnings:
        warn(note)
    return folder


def check_out_writable(out: Path) -> None:
    """Prove a file can be written in folder ``out`` before any simulation; leaves nothing behind."""
    for above in (out, *out.parents):
        if above.exists():
            if not above.is_dir():
                raise click.ClickException(f"--out {out} cannot be used: {above} is a file, not a folder")
            break
    created = [p for p in (out, *out.parents) if not p.exists()]
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-test.", suffix=".tmp", dir=out)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise click.ClickException(f"--out {out} cannot be written: {exc.strerror or exc}; choose a folder you "
                                   "can write to") from None
    finally:
        for folder in created:  # deepest first: a refused or failed command leaves no empty folders
            with contextlib.suppress(OSError):
                folder.rmdir()
