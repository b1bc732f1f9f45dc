"""``gpsim report DIR [--pdf]``: report.html, figures and report.xlsx (and report.pdf) for a run or comparison folder."""

from __future__ import annotations

from pathlib import Path

import click

from sim.report.build import ReportError, build_report


@click.command()
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--pdf", is_flag=True, help="Also print report.pdf (A4) with headless Chromium (Debian's 'chromium').")
def report(folder: Path, pdf: bool) -> None:
    """Write report.html (self-contained), figures/*.png and report.xlsx into DIR.

    DIR is a folder written by 'gpsim run' (a one-scenario report) or 'gpsim compare' (scenarios
    side by side with paired differences and 95% intervals). With --pdf, also report.pdf: the HTML
    printed to A4 by headless Chromium; where none is installed the HTML and workbook are still
    written and the command says so and exits 1.
    """
    try:
        path = build_report(folder, pdf=pdf)
    except ReportError as exc:
        if pdf and (Path(folder) / "report.html").is_file() and "report.pdf" in str(exc):
            click.echo(f"Report: {Path(folder) / 'report.html'}")
        raise click.ClickException(str(exc)) from None
    click.echo(f"Report: {path}")
    click.echo(f"Figures: {path.parent / 'figures'}; tables: {path.parent / 'report.xlsx'}")
    if pdf:
        click.echo(f"PDF: {path.parent / 'report.pdf'}")
