"""``gpsim bench``: the speed and memory benchmark of benchmarks/run.py from the command line."""

from __future__ import annotations

import subprocess
import sys

import click

from sim.resources import benchmarks_script

BENCHMARKS = benchmarks_script()  # None from an installed wheel: benchmarks/ is not shipped


def run_benchmarks(argv: list[str]) -> int:
    """Run benchmarks/run.py with ``argv`` in a fresh Python, as `make bench` does; its exit status.

    A script (not an imported module), so the task functions it sends to Dask workers travel by
    value and the workers need not import it.
    """
    if BENCHMARKS is None:
        raise click.ClickException("gpsim bench needs a source checkout: benchmarks/ is not part of the "
                                   "installed package. Clone the repository, `pip install -e .` there "
                                   "and run `gpsim bench` (or `make bench`) from it.")
    return subprocess.run([sys.executable, str(BENCHMARKS), *argv], check=False).returncode


@click.command()
@click.option("--sizes", default="pcn,lgpo,london", show_default=True,
              help="Areas to time: pcn (50,000), lgpo (300,000), london (11.1 million on local workers).")
@click.option("--no-reference", is_flag=True, help="Skip the straightforward reference implementation.")
@click.option("--no-workers", is_flag=True, help="Skip the local workers scale-out comparison.")
@click.option("--london-lgpos", type=click.IntRange(1), default=None,
              help="Run only the first N of London's 40 LGPOs (a quicker look).")
@click.option("--workers", type=click.IntRange(1), default=2, show_default=True, help="Local workers for London.")
@click.option("--days", type=click.IntRange(1, 3660), default=365, show_default=True, help="Days simulated.")
@click.option("--worker-counts", default="1,2", show_default=True,
              help="Local worker counts for the scale-out comparison, e.g. 1,2,4,8,16 on a larger machine.")
@click.option("--worker-tasks", type=click.IntRange(1), default=16, show_default=True,
              help="Tasks (2 PCN replications each) in the scale-out comparison.")
@click.option("--repeats", type=click.IntRange(0), default=3, show_default=True,
              help="PCN replications timed after the first in the same process (wall time: their median).")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="JSON results (default outputs/bench-<time>.json, with a .md table beside it).")
def bench(sizes: str, no_reference: bool, no_workers: bool, london_lgpos: int | None, workers: int, days: int,
          worker_counts: str, worker_tasks: int, repeats: int, out: str | None) -> None:
    """Time one replication at PCN, LGPO and London scale against a straightforward reference."""
    argv = ["--sizes", sizes, "--workers", str(workers), "--days", str(days),
            "--worker-counts", worker_counts, "--worker-tasks", str(worker_tasks), "--repeats", str(repeats)]
    if no_reference:
        argv.append("--no-reference")
    if no_workers:
        argv.append("--no-workers")
    if london_lgpos is not None:
        argv += ["--london-lgpos", str(london_lgpos)]
    if out:
        argv += ["--out", out]
    raise SystemExit(run_benchmarks(argv))
