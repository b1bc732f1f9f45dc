"""``gpsim report DIR``: report.html, figures and report.xlsx for a run or comparison folder."""

from __future__ import annotations

from pathlib import Path

import click

from sim.report.build import ReportError, build_report


@click.command()
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
def report(folder: Path) -> None:
    """Write report.html (self-contained), figures/*.png and report.xlsx into DIR.

    DIR is a folder written by 'gpsim run' (a one-scenario report) or 'gpsim compare' (scenarios
    side by side with paired differences and 95% intervals).
    """
    try:
        path = build_report(folder)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Report: {path}")
    click.echo(f"Figures: {path.parent / 'figures'}; tables: {path.parent / 'report.xlsx'}")
