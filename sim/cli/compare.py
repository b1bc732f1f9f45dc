"""``gpsim compare``: scenarios side by side with common random numbers and paired 95% intervals."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.config.loading import ScenarioError

HEADLINE = [
    ("lost_pct", "Requests lost (unmet), %", "{:.2f}"),
    ("unmet_per_1000_year", "Unmet demand per 1,000 a year", "{:.0f}"),
    ("wait_bin_pct:Same Day", "Seen the same day, %", "{:.1f}"),
    ("mean_wait_days", "Mean days to appointment", "{:.2f}"),
    ("p90_wait_days", "90th percentile wait, days", "{:.1f}"),
    ("gp_share_pct", "Appointments with a GP, %", "{:.1f}"),
    ("continuity_upc", "Continuity (UPC)", "{:.3f}"),
    ("utilisation_pct", "Slot utilisation, %", "{:.1f}"),
    ("appointments_per_fte_week:GP", "GP appointments per FTE-week", "{:.1f}"),
    ("admin_hours_per_fte_week:GP", "GP admin hours per FTE-week", "{:.2f}"),
    ("overtime_hours_per_week", "Clinician overtime, h/week", "{:.1f}"),
    ("admin_fte_required_per_10k", "Admin FTE needed per 10,000", "{:.2f}"),
    ("days_below_75pct_capacity", "Days a practice < 75% capacity", "{:.1f}"),
    ("gp_fte_end", "GP FTE at the end", "{:.1f}"),
    ("leavers", "Leavers", "{:.1f}"),
]


def comparison_table(comparison, order: list[str], console_width: int = 160) -> Table:
    """The headline comparison: mean per scenario and the paired difference from the first."""
    lg = comparison[comparison["level"] == "lgpo"]
    table = Table(title=f"Scenarios compared with {order[0]!r} (95% intervals; * = interval excludes 0)",
                  show_lines=False)
    table.add_column("Outcome (whole area)")
    for name in order:
        table.add_column(name if name == order[0] else f"{name}\n(difference)", justify="right")
    for metric, label, fmt in HEADLINE:
        rows = lg[lg["metric"] == metric].set_index("scenario")
        if rows.empty:
            continue
        cells = []
        for k, name in enumerate(order):
            if name not in rows.index:
                cells.append("")
                continue
            r = rows.loc[name]
            if k == 0:
                cells.append(fmt.format(r["mean"]))
            else:
                star = "*" if r["diff_significant"] else ""
                d = fmt.format(r["diff_mean"])
                if r["diff_mean"] >= 0:
                    d = "+" + d
                lo, hi = fmt.format(r["diff_ci_low"]), fmt.format(r["diff_ci_high"])
                cells.append(f"{fmt.format(r['mean'])}\n{d} [{lo}, {hi}]{star}")
        table.add_row(label, *cells)
    return table


def run_comparison(paths: list[str | Path], reps: int, out_dir: Path, *, seed: int | None = None,
                   workers: int | None = None, cluster: str | None = None, ledger: bool = False,
                   console: Console | None = None):
    """Plan, run (resuming finished replications) and summarise a comparison; return comparison.csv's frame."""
    from sim.experiments.compare import finish, is_done, plan, run_task
    from sim.experiments.parallel import TaskError, run_tasks

    console = console or Console()
    try:
        tasks, infos = plan(list(paths), reps, out_dir, seed=seed, ledger=ledger)
    except ScenarioError as exc:
        raise click.ClickException(str(exc)) from None
    from sim.cli.guards import check_out_writable

    check_out_writable(out_dir)  # before any replication runs, not after
    base_seed = tasks[0].mapping["seed"]
    todo = [t for t in tasks if not is_done(t)]
    if len(todo) < len(tasks):
        console.print(f"Reusing {len(tasks) - len(todo)} finished replication(s) in {out_dir}")
    started = dt.datetime.now()
    show = sys.stderr.isatty()
    try:
        if todo:
            with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[state]}"),
                          TimeElapsedColumn(), console=Console(stderr=True), disable=not show) as prog:
                bar = prog.add_task("Replications", total=len(todo), state="")

                def on_progress(done: int, running: int, left: int) -> None:
                    prog.update(bar, completed=done, state=f"{done} done, {running} running, {left} left")

                for _ in run_tasks(run_task, todo, workers=workers, cluster=cluster, key=lambda t: t.key,
                                   on_progress=on_progress):
                    pass
    except KeyboardInterrupt:
        finished = sum(is_done(t) for t in tasks)
        console.print(f"[yellow]Interrupted.[/yellow] {finished} of {len(tasks)} replications are saved in "
                      f"{out_dir}; run the same command again to resume.")
        raise SystemExit(130) from None
    except TaskError as exc:
        raise click.ClickException(str(exc)) from None
    comparison = finish(out_dir, tasks, infos, reps, base_seed, started)
    console.print(comparison_table(comparison, [i["label"] for i in infos]))
    console.print(f"Comparison in [bold]{out_dir / 'comparison.csv'}[/bold]; each scenario's replications in "
                  f"{out_dir}/<scenario>/rep-NNN/")
    return comparison


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--reps", type=click.IntRange(1, 10_000), default=20, show_default=True, help="Replications per scenario.")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Output folder.")
@click.option("--seed", type=int, default=None, help="Base seed for all scenarios (default: the first scenario's).")
@click.option("--workers", type=click.IntRange(1), default=None, help="Local worker processes (default: every core).")
@click.option("--cluster", default=None, help="Address of a Dask scheduler (tcp://host:8786) to run on a cluster.")
@click.option("--ledger", is_flag=True, help="Also keep each replication's ledger.parquet (large).")
@click.option("--report", "make_report", is_flag=True, help="Write report.html, figures and report.xlsx when done.")
def compare(scenarios: tuple[str, ...], reps: int, out: str, seed: int | None, workers: int | None,
            cluster: str | None, ledger: bool, make_report: bool) -> None:
    """Run SCENARIOS with common random numbers; compare each with the first (paired 95% intervals).

    Replications already finished in OUT (same scenario content, seed and replication) are reused,
    so an interrupted comparison resumes where it stopped.
    """
    console = Console()
    out_dir = Path(out)
    run_comparison(list(scenarios), reps, out_dir, seed=seed, workers=workers, cluster=cluster, ledger=ledger,
                   console=console)
    if make_report:
        from sim.report.build import build_report

        path = build_report(out_dir)
        console.print(f"Report: [bold]{path}[/bold]")
